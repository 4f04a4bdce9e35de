"""/embed/v1/widget.js: small, cacheable, dependency-free, and never puts data in as HTML."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

WIDGET = Path(__file__).resolve().parents[2] / "static" / "embed" / "widget.js"
FRAME_CSS = WIDGET.with_name("frame.css")
LIMIT = 6 * 1024


def test_the_widget_script_stays_under_six_kilobytes_gzipped(client):
    with client.get("/embed/v1/widget.js") as response:
        served = response.data  # with its stylesheet written in

    size = len(gzip.compress(served, compresslevel=9))

    assert size < LIMIT, f"widget.js is {size} bytes gzipped; the budget is {LIMIT}"


def test_the_script_is_served_as_javascript_cacheable_for_an_hour(client):
    with client.get("/embed/v1/widget.js") as response:
        body = response.data

    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert body.startswith(WIDGET.read_bytes()[:200])
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_the_script_revalidates_with_its_etag(client):
    with client.get("/embed/v1/widget.js") as first:
        etag = first.headers["ETag"]

    with client.get("/embed/v1/widget.js", headers={"If-None-Match": etag}) as response:
        pass

    assert response.status_code == 304


def test_the_script_never_writes_html_from_data():
    source = WIDGET.read_text()

    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source


def test_the_script_sends_no_cookies_and_asks_only_its_own_origin():
    source = WIDGET.read_text()

    assert 'credentials: "omit"' in source
    assert re.findall(r"https?://", source) == []  # no other site is ever named
    assert "localStorage" not in source
    assert "document.cookie" not in source


def test_the_served_script_carries_the_frame_s_stylesheet_as_a_string(client):
    with client.get("/embed/v1/widget.js") as response:
        served = response.get_data(as_text=True)

    (literal,) = re.findall(r"var CSS = (\".*?(?<!\\)\");", served, re.S)
    assert json.loads(literal) == FRAME_CSS.read_text()
    assert "__FRAME_CSS__" not in served and "</" not in literal
