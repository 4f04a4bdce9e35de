"""A brand's palette: the shades of its one accent colour that its pages use (theme.css),
worked out so that text stays readable (WCAG AA, 4.5:1) whatever accent a brand picks.

The fan page's header fades from a wash of the accent to the page's surface, official
answers sit on a tint of it, and buttons and badges are the accent itself. Each shade is
the stylesheet's own formula (`color-mix` with the surface) where that reads well, and
otherwise the nearest shade that does: text on the accent is black or white, accent text
is darkened (or, in dark mode, lightened), and a tint is made fainter until the page's
text colours read on it (issue 13).
"""

from __future__ import annotations

from dataclasses import dataclass

from fanhub.colours import (
    AA_TEXT,
    BLACK,
    RGB,
    WHITE,
    contrast,
    mix,
    parse_hex,
    readable,
    text_on,
    tint,
    to_hex,
)


@dataclass(frozen=True)
class Neutrals:
    """The page colours of one colour scheme, as static/css/fanhub.css defines them
    (tests/brands/test_theme.py checks that the two agree)."""

    surface: str
    bg: str
    text: str
    text_2: str
    muted: str

    def texts(self) -> list[RGB]:
        return [parse_hex(c) for c in (self.text, self.text_2, self.muted)]


LIGHT = Neutrals(surface="#ffffff", bg="#f7f6fb", text="#1c1b22", text_2="#45434f", muted="#5f5c6d")
DARK = Neutrals(surface="#1b1a23", bg="#121118", text="#ecebf3", text_2="#c9c7d6", muted="#a3a0b4")


@dataclass(frozen=True)
class Shares:
    """How much accent each shade takes at most, as fanhub.css mixes it by default."""

    soft: float
    softer: float
    wash: float
    strong: float  # accent buttons on hover: this much accent, the rest black


LIGHT_SHARES = Shares(soft=0.10, softer=0.05, wash=0.10, strong=0.82)
DARK_SHARES = Shares(soft=0.20, softer=0.10, wash=0.10, strong=0.80)


@dataclass(frozen=True)
class Scheme:
    """The accent's shades in one colour scheme, as #rrggbb."""

    text: str  # links and accent-coloured words, on the page and on every tint below
    soft: str  # chips, quiet buttons on hover
    softer: str  # official answers' background
    wash: str  # where the fan page header's gradient starts (it fades to the surface)
    strong: str  # accent buttons on hover, under `Palette.on_accent`


@dataclass(frozen=True)
class Palette:
    accent: str
    on_accent: str  # text on the accent: buttons, badges, the brand's initial
    light: Scheme
    dark: Scheme


def palette(accent_colour: str) -> Palette:
    """The readable shades of `accent_colour` ("#rrggbb") for light and dark pages."""
    accent = parse_hex(accent_colour)
    on_accent = text_on(accent)
    return Palette(
        accent=to_hex(accent),
        on_accent=to_hex(on_accent),
        light=_scheme(accent, on_accent, LIGHT, LIGHT_SHARES, toward=BLACK),
        dark=_scheme(accent, on_accent, DARK, DARK_SHARES, toward=WHITE),
    )


def _scheme(accent: RGB, on_accent: RGB, page: Neutrals, shares: Shares, toward: RGB) -> Scheme:
    surface, texts = parse_hex(page.surface), page.texts()
    soft = tint(accent, surface, shares.soft, texts)
    softer = tint(accent, surface, shares.softer, texts)
    wash = tint(accent, surface, shares.wash, texts)
    grounds = [surface, parse_hex(page.bg), soft, softer, wash]
    accent_text = readable(accent, grounds, toward=toward)
    # Hover darkens the accent, unless its text is black: then darker would read worse.
    strong = mix(accent, BLACK, shares.strong)
    if contrast(on_accent, strong) < AA_TEXT:
        strong = mix(accent, WHITE, shares.strong)
    return Scheme(
        text=to_hex(accent_text),
        soft=to_hex(soft),
        softer=to_hex(softer),
        wash=to_hex(wash),
        strong=to_hex(strong),
    )
