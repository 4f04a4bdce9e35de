"""A brand's accent colour, whatever it is, leaves every text on its pages readable (issue 13):
WCAG contrast of at least 4.5:1 for the text over each stop of the fan page header's
gradient, on official answers' tint, and on the accent's buttons and badges."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fanhub.brands.theme import DARK, LIGHT, Neutrals, Scheme, palette
from fanhub.colours import contrast, mix, parse_hex
from tests.stories import login_as

STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "fanhub.css"

# The corners of what a brand may pick: white, black, pure primaries and secondaries, the
# greys where black and white text are nearly as good as each other, and fanhub's own.
EXTREMES = [
    "#ffffff", "#000000", "#ffff00", "#0000ff", "#808080", "#777777", "#767676", "#ff0000",
    "#00ff00", "#00ffff", "#ff00ff", "#1a1a1a", "#f0f0f0", "#ffd400", "#5b3df5",
]  # fmt: skip
SCHEMES = [("light", LIGHT), ("dark", DARK)]


def _scheme(accent: str, name: str) -> Scheme:
    shades = palette(accent)
    return shades.light if name == "light" else shades.dark


def _texts(page: Neutrals, scheme: Scheme) -> dict[str, str]:
    return {
        "text": page.text,
        "secondary text": page.text_2,
        "muted text": page.muted,
        "accent text": scheme.text,
    }


def _assert_readable(texts: dict[str, str], ground: tuple[int, int, int], where: str) -> None:
    for name, colour in texts.items():
        ratio = contrast(parse_hex(colour), ground)
        assert ratio >= 4.5, f"{name} {colour} on {where} has contrast {ratio:.2f}"


@pytest.mark.parametrize("accent", EXTREMES)
@pytest.mark.parametrize(("name", "page"), SCHEMES)
def test_text_reads_over_every_stop_of_the_fan_page_header(accent, name, page):
    scheme = _scheme(accent, name)
    wash, surface = parse_hex(scheme.wash), parse_hex(page.surface)
    # The header fades from the wash to the surface: every stop between, in 1% steps.
    for step in range(101):
        stop = mix(surface, wash, step / 100)
        _assert_readable(_texts(page, scheme), stop, f"the header at {step}% ({accent}, {name})")


@pytest.mark.parametrize("accent", EXTREMES)
@pytest.mark.parametrize(("name", "page"), SCHEMES)
def test_text_reads_on_official_answers_and_the_other_tints(accent, name, page):
    scheme = _scheme(accent, name)
    for ground_name in ("softer", "soft"):
        ground = parse_hex(getattr(scheme, ground_name))
        _assert_readable(_texts(page, scheme), ground, f"--accent-{ground_name} ({accent}, {name})")
    for ground_name in ("surface", "bg"):
        ground = parse_hex(getattr(page, ground_name))
        _assert_readable({"accent text": scheme.text}, ground, f"the page ({accent}, {name})")


@pytest.mark.parametrize("accent", EXTREMES)
def test_text_on_the_accent_reads_on_buttons_and_badges_and_on_hover(accent):
    shades = palette(accent)
    on_accent = parse_hex(shades.on_accent)
    assert contrast(on_accent, parse_hex(accent)) >= 4.5
    for scheme in (shades.light, shades.dark):
        assert contrast(on_accent, parse_hex(scheme.strong)) >= 4.5


def test_an_accent_that_reads_well_keeps_the_stylesheets_own_shades():
    # Only an accent that needs it is changed: fanhub's own purple keeps its 10% wash, its
    # 5% tint, and is its own link colour.
    shades = palette("#5b3df5")
    accent, white = parse_hex("#5b3df5"), parse_hex("#ffffff")
    assert parse_hex(shades.light.wash) == mix(accent, white, 0.10)
    assert parse_hex(shades.light.softer) == mix(accent, white, 0.05)
    assert shades.light.text == "#5b3df5"


def test_a_very_dark_accent_on_a_dark_page_gets_a_fainter_tint_and_lighter_links():
    shades = palette("#ffffff")
    dark_surface = parse_hex(DARK.surface)
    # 20% of white on the dark surface would leave the muted text at 3.6:1.
    assert contrast(parse_hex(DARK.muted), mix((255, 255, 255), dark_surface, 0.20)) < 4.5
    assert parse_hex(shades.dark.soft) != mix((255, 255, 255), dark_surface, 0.20)
    assert palette("#000000").dark.text != "#000000"


def _tokens(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6});", block))


def test_the_palettes_page_colours_are_the_stylesheets():
    css = STYLESHEET.read_text()
    light = _tokens(css[css.index(":root {") : css.index("}", css.index(":root {"))])
    dark_start = css.index("@media (prefers-color-scheme: dark)")
    dark = _tokens(css[dark_start : css.index("}", dark_start)])
    for tokens, page in ((light, LIGHT), (dark, DARK)):
        for name, value in (("surface", page.surface), ("bg", page.bg), ("text", page.text),
                            ("text-2", page.text_2), ("muted", page.muted)):  # fmt: skip
            assert parse_hex(tokens[name]) == parse_hex(value), name


def test_the_brands_theme_stylesheet_serves_its_palette(client, shop):
    login_as(client, shop.owner)
    client.post(
        "/b/northwind/edit", data={"tagline": "", "description": "", "accent_color": "#ffff00"}
    )
    css = client.get("/b/northwind/theme.css").get_data(as_text=True)
    shades = palette("#ffff00")
    light, dark = css.split("@media (prefers-color-scheme: dark)")
    assert f"--accent-contrast: {shades.on_accent};" in light
    assert f"--accent-text: {shades.light.text};" in light
    assert f"--accent-wash: {shades.light.wash};" in light
    assert f"--accent-softer: {shades.light.softer};" in light
    assert f"--accent-text: {shades.dark.text};" in dark
    assert f"--accent-soft: {shades.dark.soft};" in dark
