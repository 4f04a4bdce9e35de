"""render_markdown: hostile input never becomes live markup; ordinary Markdown still renders."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from fanhub.text import render_markdown

# The spec, written out again on purpose: a test that imported the module's lists would pass
# whatever the module allowed.
ALLOWED = {
    "p": set(),
    "br": set(),
    "hr": set(),
    "h1": set(),
    "h2": set(),
    "h3": set(),
    "h4": set(),
    "h5": set(),
    "h6": set(),
    "strong": set(),
    "em": set(),
    "del": set(),
    "s": set(),
    "code": {"class"},
    "pre": set(),
    "blockquote": set(),
    "ul": set(),
    "ol": {"start"},
    "li": set(),
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title"},
    "table": set(),
    "thead": set(),
    "tbody": set(),
    "tr": set(),
    "th": {"align"},
    "td": {"align"},
}
HREF_SCHEMES = {"http", "https", "mailto"}
SRC_SCHEMES = {"http", "https"}
REL = "nofollow ugc noopener"


class _Parsed(HTMLParser):
    """Every tag, attribute, text run and stray markup declaration in a piece of HTML."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.end_tags: list[str] = []
        self.text: list[str] = []
        self.declarations: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self.end_tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.declarations.append(f"comment {data}")

    def handle_decl(self, decl):
        self.declarations.append(f"decl {decl}")

    def handle_pi(self, data):
        self.declarations.append(f"pi {data}")

    def unknown_decl(self, data):
        self.declarations.append(f"unknown {data}")

    def visible_text(self) -> str:
        return "".join(self.text)


def _scheme(url: str) -> str | None:
    """The scheme a browser reads from an (unescaped) attribute value, or None if relative."""
    # WHATWG URL parsing: strip C0 controls and spaces at the ends, drop tab/LF/CR anywhere.
    url = re.sub(r"[\t\n\r]", "", url).strip("".join(chr(c) for c in range(0x21)))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url)
    return match.group(1).lower() if match else None


def assert_safe(output: str) -> _Parsed:
    """Fail unless the HTML holds only allowed tags and attributes with harmless URLs."""
    assert isinstance(output, str)
    assert "<script" not in output.lower()
    # Lexical check as well as the parsed one, so a lenient parser can't hide a stray tag.
    for closing, name in re.findall(r"<(/?)([^\s/>]*)", output):
        assert name in ALLOWED, f"stray <{closing}{name} in {output!r}"
    parsed = _Parsed(output)
    assert parsed.declarations == []
    assert set(parsed.end_tags) <= set(ALLOWED)
    for tag, attrs in parsed.tags:
        assert tag in ALLOWED, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            assert name in ALLOWED[tag], (tag, name)
            assert value is not None, (tag, name)
        if "href" in attrs:
            assert _scheme(attrs["href"]) in HREF_SCHEMES | {None}, attrs["href"]
        if "src" in attrs:
            assert _scheme(attrs["src"]) in SRC_SCHEMES, attrs["src"]
            assert urlsplit(attrs["src"].strip()).netloc, attrs["src"]
        if tag == "a":
            assert attrs.get("rel") == REL
        if tag == "code" and "class" in attrs:
            assert re.fullmatch(r"language-[a-z0-9+#-]+", attrs["class"])
        if tag in ("th", "td") and "align" in attrs:
            assert attrs["align"] in {"left", "center", "right"}
    return parsed


# (source, text a reader must still see); "" where the payload is an image and leaves no text.
HOSTILE = [
    # <script> in all its spellings
    pytest.param("<script>alert(1)</script>", "<script>alert(1)</script>", id="script"),
    pytest.param("<SCRIPT>alert(1)</SCRIPT>", "<SCRIPT>alert(1)</SCRIPT>", id="script-upper"),
    pytest.param(
        "<ScRiPt src=https://evil.example/x.js></ScRiPt>", "<ScRiPt src=", id="script-mixed-src"
    ),
    pytest.param("<scr<script>ipt>alert(1)</script>", "<scr<script>ipt>", id="script-split"),
    pytest.param("<<script>script>alert(1)<</script>/script>", "alert(1)", id="script-doubled"),
    pytest.param(
        "<div><script><script>alert(1)</script></script></div>", "alert(1)", id="script-nested"
    ),
    pytest.param("<script/xss src=//evil.example/x.js></script>", "xss", id="script-slash-attr"),
    pytest.param("<script>alert(1)", "<script>alert(1)", id="script-unclosed"),
    pytest.param("*<script>alert(1)</script>*", "<script>alert(1)</script>", id="script-in-em"),
    pytest.param(
        "| a |\n|---|\n| <script>alert(1)</script> |", "<script>", id="script-in-table-cell"
    ),
    pytest.param(
        "[<script>alert(1)</script>](https://example.com)", "alert(1)", id="script-in-link-text"
    ),
    pytest.param("<scr\u200bipt>alert(1)</script>", "alert(1)", id="script-zero-width"),
    pytest.param(
        "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e", "alert(1)", id="script-fullwidth"
    ),
    # event handlers
    pytest.param("<img src=x onerror=alert(1)>", "onerror=alert(1)", id="img-onerror"),
    pytest.param("<IMG SRC=x ONERROR=alert(1)>", "ONERROR", id="img-onerror-upper"),
    pytest.param("<img/src=x/onerror=alert(1)>", "onerror", id="img-slash-separated"),
    pytest.param('<img src=x onerror="&#97;lert(1)">', "onerror", id="img-onerror-entity"),
    pytest.param("<svg onload=alert(1)>", "onload", id="svg-onload"),
    pytest.param("<body onload=alert(1)>", "onload", id="body-onload"),
    pytest.param("<details open ontoggle=alert(1)>", "ontoggle", id="details-ontoggle"),
    pytest.param('<div onmouseover="alert(1)">hover</div>', "hover", id="div-onmouseover"),
    pytest.param(
        '<a href="https://example.com" onclick="alert(1)">x</a>', "onclick", id="a-onclick"
    ),
    pytest.param("<input onfocus=alert(1) autofocus>", "onfocus", id="input-onfocus"),
    pytest.param(
        '![x](https://example.com/a.png"onerror="alert(1))', "", id="md-image-src-breakout"
    ),
    pytest.param(
        r'![x](https://example.com/a.png "x\" onerror=\"alert(1)")',
        "",
        id="md-image-title-breakout",
    ),
    # javascript: in every disguise
    pytest.param("[x](javascript:alert(1))", "alert(1)", id="js-md-link"),
    pytest.param("[x](JaVaScRiPt:alert(1))", "alert(1)", id="js-md-link-case"),
    pytest.param("[x](&#106;avascript:alert(1))", "x", id="js-decimal-entity"),
    pytest.param("[x](&#x6A;avascript:alert(1))", "x", id="js-hex-entity"),
    pytest.param("[x](&#x6a&#x61vascript:alert(1))", "x", id="js-entity-no-semicolon"),
    pytest.param("[x](&#0000106avascript:alert(1))", "x", id="js-padded-entity"),
    pytest.param("[x](javascript&colon;alert(1))", "x", id="js-named-colon"),
    pytest.param("[x](java&#09;script:alert(1))", "x", id="js-tab-entity"),
    pytest.param("[x](java&#x0A;script:alert(1))", "x", id="js-newline-entity"),
    pytest.param("[x](<java\tscript:alert(1)>)", "x", id="js-literal-tab"),
    pytest.param("[x](   javascript:alert(1))", "x", id="js-leading-spaces"),
    pytest.param("[x](java\0script:alert(1))", "x", id="js-nul"),
    pytest.param("[x](\x01javascript:alert(1))", "x", id="js-leading-control"),
    pytest.param("[x](javascript%3Aalert(1))", "x", id="js-urlencoded-colon"),
    pytest.param("[x](%6A%61%76%61script:alert(1))", "x", id="js-urlencoded-scheme"),
    pytest.param('[x](javascript:alert(1) "t")', "x", id="js-with-title"),
    pytest.param("[x][evil]\n\n[evil]: javascript:alert(1)", "x", id="js-reference-link"),
    pytest.param("[x]\n\n[x]: &#106;avascript:alert(1)", "x", id="js-reference-entity"),
    pytest.param("<javascript:alert(1)>", "alert(1)", id="js-autolink"),
    pytest.param("<JAVASCRIPT:alert(1)>", "alert(1)", id="js-autolink-upper"),
    pytest.param("<javascript&#58;alert(1)>", "alert(1)", id="js-autolink-entity"),
    pytest.param("![x](javascript:alert(1))", "alert(1)", id="js-image-src"),
    pytest.param('<a href="javascript:alert(1)">x</a>', "javascript", id="js-raw-anchor"),
    pytest.param(
        '<a href="&#x6A;avascript:alert(1)">x</a>', "avascript", id="js-raw-anchor-entity"
    ),
    pytest.param("javascript:alert(1)", "javascript:alert(1)", id="js-bare-text"),
    pytest.param("[x](jav\u200bascript:alert(1))", "x", id="js-zero-width-space"),
    pytest.param("[x](java\u00adscript:alert(1))", "x", id="js-soft-hyphen"),
    pytest.param("[x](\ufeffjavascript:alert(1))", "x", id="js-leading-bom"),
    pytest.param("[x](\u202ejavascript:alert(1))", "x", id="js-rtl-override"),
    pytest.param("[x](javascript\uff1aalert(1))", "x", id="js-fullwidth-colon"),
    pytest.param(
        "[x](\uff4a\uff41\uff56\uff41\uff53\uff43\uff52\uff49\uff50\uff54:alert(1))",
        "x",
        id="js-fullwidth-letters",
    ),
    # other dangerous or unwanted schemes
    pytest.param("[x](vbscript:msgbox(1))", "msgbox(1)", id="vbscript-link"),
    pytest.param("<VBScript:msgbox(1)>", "msgbox(1)", id="vbscript-autolink"),
    pytest.param(
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "x", id="data-html-link"
    ),
    pytest.param(
        "[x](data:text/html,<script>alert(1)</script>)", "alert(1)", id="data-html-inline"
    ),
    pytest.param("[x](data:image/png;base64,iVBORw0KGgo=)", "x", id="data-image-as-link"),
    pytest.param("![x](data:image/png;base64,iVBORw0KGgo=)", "", id="data-png-image"),
    pytest.param("![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", "", id="data-svg"),
    pytest.param("![x](mailto:a@example.com)", "", id="mailto-image"),
    pytest.param("![x](//evil.example/track.png)", "", id="protocol-relative-image"),
    pytest.param("![x](/logout)", "", id="relative-image"),
    pytest.param("[x](file:///etc/passwd)", "x", id="file-link"),
    pytest.param("[x](ftp://example.com/)", "x", id="ftp-link"),
    # SVG and MathML payloads
    pytest.param("<svg><script>alert(1)</script></svg>", "alert(1)", id="svg-script"),
    pytest.param(
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>', "xlink", id="svg-xlink"
    ),
    pytest.param(
        "<svg><animate onbegin=alert(1) attributeName=x dur=1s>", "onbegin", id="svg-animate"
    ),
    pytest.param(
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "onerror",
        id="mathml-mutation",
    ),
    # CSS
    pytest.param(
        "<style>body{background:url(javascript:alert(1))}</style>", "<style>", id="style-tag"
    ),
    pytest.param(
        '<p style="background:url(javascript:alert(1))">x</p>', "style=", id="style-attribute"
    ),
    pytest.param("| a | b |\n|:-:|--:|\n| 1 | 2 |", "1", id="table-alignment-style"),
    # embedding, forms and document-level tags
    pytest.param('<iframe src="javascript:alert(1)"></iframe>', "<iframe", id="iframe"),
    pytest.param('<iframe srcdoc="<script>alert(1)</script>">', "srcdoc", id="iframe-srcdoc"),
    pytest.param('<object data="javascript:alert(1)">', "<object", id="object"),
    pytest.param('<embed src="javascript:alert(1)">', "<embed", id="embed"),
    pytest.param(
        '<form action="javascript:alert(1)"><button>go</button></form>', "<form", id="form"
    ),
    pytest.param(
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        "<meta",
        id="meta-refresh",
    ),
    pytest.param('<base href="javascript:alert(1)//">', "<base", id="base-href"),
    pytest.param('<link rel="stylesheet" href="https://evil.example/x.css">', "<link", id="link"),
    # broken and unclosed nesting
    pytest.param('<p><a href="https://example.com"><b>x</p></a>', "<b>x", id="misnested"),
    pytest.param('<img src="x onerror=alert(1)//', "onerror", id="unclosed-quote"),
    pytest.param('<a href="https://example.com"', "<a href=", id="unclosed-tag"),
    pytest.param("> <img src=x onerror=alert(1)>", "onerror", id="html-in-blockquote"),
    pytest.param("- <img src=x onerror=alert(1)>", "onerror", id="html-in-list"),
    pytest.param("<table><tr><td><img src=x onerror=alert(1)>", "onerror", id="html-table"),
    # comments, CDATA and declarations
    pytest.param("<!-- <script>alert(1)</script> -->", "<!--", id="comment"),
    pytest.param("<!--><img src=x onerror=alert(1)>-->", "onerror", id="comment-short-close"),
    pytest.param("<![CDATA[<script>alert(1)</script>]]>", "CDATA", id="cdata"),
    pytest.param("<!--[if IE]><script>alert(1)</script><![endif]-->", "if IE", id="conditional"),
    pytest.param('<?xml version="1.0"?><script>alert(1)</script>', "<?xml", id="xml-pi"),
    pytest.param("<!DOCTYPE html><script>alert(1)</script>", "DOCTYPE", id="doctype"),
    # entity tricks
    pytest.param("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>", id="entity-named"),
    pytest.param("&#60;script&#62;alert(1)&#60;/script&#62;", "<script>", id="entity-decimal"),
    pytest.param("&#x3C;img src=x onerror=alert(1)&#x3E;", "onerror", id="entity-hex"),
    pytest.param(r"\<script>alert(1)\</script>", "<script>", id="backslash-escaped"),
    # Markdown inside HTML, HTML inside Markdown
    pytest.param('<div markdown="1">[x](javascript:alert(1))</div>', "alert(1)", id="md-in-div"),
    pytest.param('<a href="[x](https://example.com)">y</a>', "<a href=", id="md-in-href"),
    pytest.param(
        "[<img src=x onerror=alert(1)>](https://example.com)", "onerror", id="html-in-link-text"
    ),
    pytest.param(
        '[x](https://example.com "<script>alert(1)</script>")', "x", id="html-in-link-title"
    ),
    pytest.param(
        "![<script>alert(1)</script>](https://example.com/a.png)", "", id="html-in-image-alt"
    ),
    pytest.param("`<script>alert(1)</script>`", "<script>", id="html-in-inline-code"),
    pytest.param('```" onmouseover="alert(1)\nx\n```', "x", id="code-info-breakout"),
    pytest.param("```language-js onclick=alert(1)\nx\n```", "x", id="code-info-extra-words"),
    pytest.param("```<script>\nx\n```", "x", id="code-info-html"),
    # breaking out of attribute quotes
    pytest.param(r'[a](http://x "\" onclick=alert(1)")', "a", id="title-double-quote"),
    pytest.param(r"[a](http://x '\' onclick=alert(1)')", "a", id="title-single-quote"),
    pytest.param(r'[a](http://x (" onclick=alert\(1\)))', "a", id="title-paren"),
    pytest.param('[a](https://example.com/"onmouseover="alert(1))', "a", id="href-quote"),
    pytest.param('https://example.com/"onmouseover="alert(1)', "example.com", id="linkify-quote"),
    pytest.param(
        "https://example.com/?q=<img src=x onerror=alert(1)>", "onerror", id="linkify-html"
    ),
    pytest.param("www.example.com/<script>alert(1)</script>", "alert(1)", id="linkify-www"),
]


@pytest.mark.parametrize(("source", "visible"), HOSTILE)
def test_hostile_input_renders_only_inert_markup(source, visible):
    parsed = assert_safe(render_markdown(source))
    assert visible in parsed.visible_text()


def test_there_are_at_least_sixty_distinct_hostile_inputs():
    assert len({case.values[0] for case in HOSTILE}) >= 60


def test_headings_render_as_heading_tags():
    assert render_markdown("# Big\n\n###### Small") == "<h1>Big</h1>\n<h6>Small</h6>\n"


def test_emphasis_renders_as_strong_and_em():
    assert render_markdown("**bold** and *soft*") == (
        "<p><strong>bold</strong> and <em>soft</em></p>\n"
    )


def test_strikethrough_renders_as_struck_text():
    assert render_markdown("~~gone~~") == "<p><s>gone</s></p>\n"


def test_tables_render_as_html_tables():
    output = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")

    parsed = assert_safe(output)
    assert [tag for tag, _ in parsed.tags] == [
        "table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"
    ]  # fmt: skip


def test_table_alignment_becomes_an_align_attribute():
    parsed = assert_safe(render_markdown("| a | b |\n|:-:|--:|\n| 1 | 2 |"))

    aligns = [attrs.get("align") for tag, attrs in parsed.tags if tag in ("th", "td")]
    assert aligns == ["center", "right", "center", "right"]


def test_fenced_code_keeps_its_content_escaped():
    output = render_markdown("```\n<b>x</b> & y\n```")

    assert output == "<pre><code>&lt;b&gt;x&lt;/b&gt; &amp; y\n</code></pre>\n"


def test_fenced_code_keeps_its_language_class():
    output = render_markdown("```c++\nint x;\n```")

    assert '<code class="language-c++">' in output


def test_urls_inside_code_are_not_linked():
    output = render_markdown("`https://example.com`\n\n```\nhttps://example.org\n```")

    assert "<a" not in output
    assert "https://example.com" in output
    assert "https://example.org" in output


def test_bare_urls_become_links():
    output = render_markdown("see https://example.com today")

    assert output == (
        '<p>see <a href="https://example.com" rel="nofollow ugc noopener">'
        "https://example.com</a> today</p>\n"
    )


def test_links_get_exactly_nofollow_ugc_noopener():
    parsed = assert_safe(render_markdown("[a](https://example.com) <https://example.org>"))

    assert [attrs["rel"] for tag, attrs in parsed.tags if tag == "a"] == [REL, REL]


def test_mailto_links_are_kept():
    output = render_markdown("[write](mailto:team@example.com)")

    assert 'href="mailto:team@example.com"' in output


def test_relative_links_are_kept():
    output = render_markdown("[rules](/pages/rules)")

    assert 'href="/pages/rules"' in output


def test_links_with_other_schemes_keep_their_text_but_lose_their_href():
    output = render_markdown("[files](ftp://example.com/)")

    assert output == '<p><a rel="nofollow ugc noopener">files</a></p>\n'


def test_http_images_are_kept():
    output = render_markdown('![logo](https://example.com/logo.png "Our logo")')

    assert output == (
        '<p><img src="https://example.com/logo.png" alt="logo" title="Our logo"></p>\n'
    )


def test_images_without_a_web_url_keep_their_alt_but_lose_their_src():
    output = render_markdown("![pixel](data:image/png;base64,iVBORw0KGgo=)")

    assert output == '<p><img alt="pixel"></p>\n'


def test_raw_html_shows_as_escaped_text():
    assert render_markdown("a <b>bold</b> claim") == "<p>a &lt;b&gt;bold&lt;/b&gt; claim</p>\n"


def test_mentions_stay_plain_text():
    assert render_markdown("hi @alice") == "<p>hi @alice</p>\n"


def test_ordered_lists_keep_their_start_number():
    assert render_markdown("3. third\n4. fourth").startswith('<ol start="3">')


@pytest.mark.parametrize("source", ["", "   ", "\n\t \n"], ids=["empty", "spaces", "blank-lines"])
def test_blank_source_renders_as_empty_string(source):
    assert render_markdown(source) == ""


def test_rendering_the_same_source_twice_gives_the_same_html():
    source = "# T\n\n[a](https://example.com) ~~x~~ <i>raw</i>\n\n| a |\n|:-|\n| b |"

    assert render_markdown(source) == render_markdown(source)
