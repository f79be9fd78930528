"""The newsroom's name and colour on the public web chat and the dashboard (``BENARKAH_SITE_NAME``,
the name the public fact-check pages use too, and ``BENARKAH_BRAND_COLOR``).

One colour is enough to brand a page; the shades around it are derived so a newsroom cannot pick a
colour that makes its own pages unreadable: text on the colour is white or near-black, whichever has
the higher WCAG contrast, and links use a shade dark enough to read on white (contrast >= 4.5).
The colour reaches the pages only through a validated ``#rrggbb`` setting, so it cannot inject CSS.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..settings import Settings

INK = "#1b1b1b"
DEFAULT_NAME = "benarkah"
MIN_LINK_CONTRAST = 4.5


def _rgb(color: str) -> tuple[float, float, float]:
    value = color.lstrip("#")
    return tuple(int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def luminance(color: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@dataclass(frozen=True)
class Brand:
    name: str
    color: str       # backgrounds: header, the person's bubbles, buttons
    on_color: str    # text on ``color``
    link_color: str  # links and accents on white

    @classmethod
    def from_settings(cls, settings: Settings) -> "Brand":
        color = settings.brand_color.lower()
        on_color = "#ffffff" if contrast(color, "#ffffff") >= contrast(color, INK) else INK
        link = color
        for _ in range(20):  # darken until readable on white
            if contrast(link, "#ffffff") >= MIN_LINK_CONTRAST:
                break
            link = _hex(tuple(c * 0.85 for c in _rgb(link)))  # type: ignore[arg-type]
        return cls(settings.site_name or DEFAULT_NAME, color, on_color, link)
