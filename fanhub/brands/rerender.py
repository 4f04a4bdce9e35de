"""The brands' stored HTML, for `flask rerender`: the fan page's description."""

from __future__ import annotations

from fanhub.brands.models import Brand
from fanhub.rerender import StoredHtml
from fanhub.text import render_markdown

# As update_brand_page stores it: plain Markdown, no @mentions. The widget shows the
# brand's name and colour, not its description, so no cache needs forgetting.
STORED_HTML = (
    StoredHtml("brand", Brand, Brand.description, Brand.description_html, render_markdown),
)
