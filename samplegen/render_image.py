"""Page images drawn with Pillow (grayscale), the clean page before a scan's degradations.

Layout positions are points; the image has ``dpi`` pixels per inch, so a point is
``dpi / 72`` pixels. :class:`ImageFonts` measures text with the very Pillow fonts it draws
with, so a layout made with it breaks lines exactly as they are drawn.
"""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

from samplegen.layout import PageLayout
from samplegen.typefaces import typeface


class ImageFonts:
    """Pillow fonts of one typeface at one resolution; also the layout's Measure."""

    def __init__(self, typeface_name: str, dpi: int) -> None:
        self.typeface = typeface(typeface_name)
        self.dpi = dpi
        self.scale = dpi / 72.0
        self._fonts: dict[tuple[str, float], ImageFont.FreeTypeFont] = {}
        self._widths: dict[tuple[str, str, float], float] = {}

    def font(self, face: str, size: float) -> ImageFont.FreeTypeFont:
        key = (face, size)
        f = self._fonts.get(key)
        if f is None:
            f = ImageFont.truetype(self.typeface.path(face), size=size * self.scale)
            self._fonts[key] = f
        return f

    def width(self, text: str, face: str, size: float) -> float:
        """Width in points of ``text`` as Pillow draws it."""
        key = (text, face, size)
        w = self._widths.get(key)
        if w is None:
            w = self.font(face, size).getlength(text) / self.scale
            self._widths[key] = w
        return w


def render_page(page: PageLayout, fonts: ImageFonts,
                ink: Callable[[], int] | None = None) -> Image.Image:
    """The page as an 8-bit grayscale image on white; ``ink()`` gives each word's gray
    level (0 black) for typewriter-like uneven strikes, else all text is black."""
    s = fonts.scale
    img = Image.new("L", (round(page.width * s), round(page.height * s)), 255)
    draw = ImageDraw.Draw(img)
    for line in page.lines:
        y = line.baseline * s
        for span in line.spans:
            draw.text((span.x * s, y), span.text, font=fonts.font(span.face, span.size),
                      fill=ink() if ink else 0, anchor="ls")
    for r in page.rules:
        draw.line([(r.x0 * s, r.y0 * s), (r.x1 * s, r.y1 * s)], fill=0, width=max(1, round(r.width * s)))
    for f in page.frames:
        draw.rectangle([f.x0 * s, f.y0 * s, f.x1 * s, f.y1 * s], outline=0, width=max(1, round(f.width * s)))
    return img
