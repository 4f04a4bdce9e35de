"""Colour arithmetic for readable text: WCAG contrast, CSS `color-mix(in srgb)`, and the
smallest change that makes a colour readable on the backgrounds it sits on."""

from __future__ import annotations

from collections.abc import Iterable

RGB = tuple[int, int, int]

BLACK: RGB = (0, 0, 0)
WHITE: RGB = (255, 255, 255)
# WCAG 2.2 AA for body text (1.4.3): the ratio every text colour here is held to.
AA_TEXT = 4.5


def parse_hex(colour: str) -> RGB:
    """ "#rrggbb" (or "#rgb") as an (r, g, b) triple of 0-255 integers."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    if len(digits) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(colour: RGB) -> str:
    """An (r, g, b) triple as "#rrggbb"."""
    return "#{:02x}{:02x}{:02x}".format(*colour)


def luminance(colour: RGB) -> float:
    """WCAG relative luminance, 0 for black to 1 for white."""
    linear = []
    for value in colour:
        c = value / 255
        linear.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: RGB, second: RGB) -> float:
    """WCAG contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def mix(first: RGB, second: RGB, share: float) -> RGB:
    """`color-mix(in srgb, first share*100%, second)`: each channel interpolated as stored."""
    return (
        round(first[0] * share + second[0] * (1 - share)),
        round(first[1] * share + second[1] * (1 - share)),
        round(first[2] * share + second[2] * (1 - share)),
    )


def text_on(background: RGB) -> RGB:
    """Black or white, whichever has more contrast with `background` (never below 4.58)."""
    return BLACK if contrast(BLACK, background) >= contrast(WHITE, background) else WHITE


def readable(colour: RGB, backgrounds: Iterable[RGB], toward: RGB, minimum: float = AA_TEXT) -> RGB:
    """`colour`, mixed with `toward` (black on light pages, white on dark ones) as little
    as needed to reach `minimum` contrast with every one of `backgrounds`."""
    grounds = list(backgrounds)
    for step in range(101):
        candidate = mix(toward, colour, step / 100)
        if all(contrast(candidate, ground) >= minimum for ground in grounds):
            return candidate
    return toward


def tint(
    accent: RGB, surface: RGB, share: float, texts: Iterable[RGB], minimum: float = AA_TEXT
) -> RGB:
    """The accent washed over `surface` (`share` of it at most), as strong as it may be
    while every one of `texts` keeps `minimum` contrast on it."""
    colours = list(texts)
    steps = round(share * 100)
    for step in range(steps, -1, -1):
        candidate = mix(accent, surface, step / 100)
        if all(contrast(text, candidate) >= minimum for text in colours):
            return candidate
    return surface
