"""PDF pages with a known text layer (Unicode, TCVN3 or VNI; one or two columns), drawn with
reportlab and the sample's legacy fonts, for the text-layer tests.

Each page is a list of items; :func:`make_pdf` draws them and returns the page text the
extractor must give back (lines in reading order, a blank line between blocks), since the
helper does the line breaking itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from indexer.extract import legacy
from samplegen import fonts

A5 = (420.0, 595.0)  # portrait, points
A4 = (595.0, 842.0)
MARGIN = 36.0
GUTTER = 18.0


@dataclass(frozen=True)
class Title:
    """Lines across the full width (a heading, a masthead, a footer)."""

    text: str
    size: float = 15.0
    bold: bool = True
    encoding: str = "page"  # or "unicode", "tcvn3", "vni" for this item only


@dataclass(frozen=True)
class Columns:
    """Paragraphs per column, each column read top to bottom; a :class:`Title` among them
    is a banner or title set in that column."""

    columns: tuple[tuple[str | Title, ...], ...]
    size: float = 10.0


@dataclass(frozen=True)
class Margin:
    """A running head (``top``) or foot, in the page's top or bottom margin, aligned left,
    center or right: read first (head) or last (foot) wherever it stands."""

    text: str
    align: str = "right"
    top: bool = True
    size: float = 8.0


@dataclass(frozen=True)
class Rule:
    """A rule drawn across the text width (between sections, the edge of a box)."""

    width: float = 0.8


@dataclass(frozen=True)
class Para:
    text: str
    size: float = 10.0
    bold: bool = False
    encoding: str = "page"


@dataclass
class Drawn:
    text: str  # expected page text
    lines: list[str] = field(default_factory=list)


def _unicode_fonts() -> dict[bool, str]:
    names = {False: "Test-Serif", True: "Test-Serif-Bold"}
    for bold, name in names.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(fonts.source_font(bold))))
    return names


def _wrap(text: str, width: float, size: float) -> list[str]:
    font = _unicode_fonts()[False]
    lines: list[str] = []
    for word in text.split():
        if lines and pdfmetrics.stringWidth(lines[-1] + " " + word, font, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


class _Pen:
    def __init__(self, c: canvas.Canvas, encoding: str | None, cache: Path, quirks: bool,
                 render_mode: int) -> None:
        self.c, self.encoding, self.quirks, self.mode = c, encoding, quirks, render_mode
        self.legacy = fonts.register_legacy_fonts(cache)
        self.unicode = _unicode_fonts()

    def line(self, x: float, y: float, text: str, size: float, bold: bool,
             encoding: str = "page") -> None:
        encoding = self.encoding if encoding == "page" else (
            None if encoding == "unicode" else encoding)
        if encoding is None:
            runs = [(self.unicode[bold], text)]
        else:
            runs = []
            for run, caps in legacy.encode_runs(text, encoding):
                key = fonts.variant_key(encoding, bold=bold, capitals=caps,
                                        quirks=self.quirks and encoding == "tcvn3")
                quirky = self.quirks and encoding == "tcvn3"
                runs.append((self.legacy[key], fonts.with_quirks(run) if quirky else run))
        for font, run in runs:
            t = self.c.beginText(x, y)
            t.setTextRenderMode(self.mode)
            t.setFont(font, size)
            t.textOut(run)
            self.c.drawText(t)
            x += pdfmetrics.stringWidth(run, font, size)


def make_pdf(path: Path, pages: list[list[Title | Columns | Para | Margin | Rule]], *,
             cache: Path,
             encoding: str | None = None, quirks: bool = False, render_mode: int = 0,
             image: Path | None = None, size: tuple[float, float] = A5) -> list[Drawn]:
    """Draw ``pages`` into ``path``; returns what each page must extract as."""
    c = canvas.Canvas(str(path), pagesize=size, invariant=1)
    pen = _Pen(c, encoding, cache, quirks, render_mode)
    width = size[0] - 2 * MARGIN
    drawn: list[Drawn] = []
    for items in pages:
        if image is not None:
            c.drawImage(str(image), 0, 0, size[0], size[1])
        y = size[1] - MARGIN
        blocks: list[list[str]] = []
        heads, feet = [], []
        for item in items:
            if isinstance(item, Rule):
                c.setLineWidth(item.width)
                c.line(MARGIN, y - 4, size[0] - MARGIN, y - 4)
                y -= 8
            elif isinstance(item, Margin):
                w = pdfmetrics.stringWidth(item.text, pen.unicode[False], item.size)
                x = {"left": MARGIN, "center": (size[0] - w) / 2,
                     "right": size[0] - MARGIN - w}[item.align]
                pen.line(x, size[1] - 0.6 * MARGIN if item.top else 0.5 * MARGIN, item.text,
                         item.size, False)
                (heads if item.top else feet).append([item.text])
            elif isinstance(item, (Title, Para)):
                lines = _wrap(item.text, width, item.size)
                for line in lines:
                    y -= item.size * 1.25
                    pen.line(MARGIN, y, line, item.size, item.bold, item.encoding)
                    assert y > MARGIN / 2, "the page is full: give fewer items"
                blocks.append(lines)
                y -= item.size
            else:
                col_width = (width - GUTTER) / len(item.columns)
                top = y
                for k, paragraphs in enumerate(item.columns):
                    y = top
                    x = MARGIN + k * (col_width + GUTTER)
                    for paragraph in paragraphs:
                        text, psize, bold = _paragraph(paragraph, item.size)
                        lines = _wrap(text, col_width, psize)
                        for line in lines:
                            y -= psize * 1.25
                            pen.line(x, y, line, psize, bold)
                            assert y > MARGIN / 2, "the page is full: give fewer items"
                        blocks.append(lines)
                        y -= psize
                y = _lowest(top, item, col_width)
        blocks = heads + blocks + feet
        text = "\n\n".join("\n".join(b) for b in blocks)
        drawn.append(Drawn(text, [ln for b in blocks for ln in b]))
        c.showPage()
    c.save()
    return drawn


def _paragraph(paragraph: str | Title, size: float) -> tuple[str, float, bool]:
    """(text, size, bold) of a column's paragraph or title."""
    if isinstance(paragraph, Title):
        return paragraph.text, paragraph.size, paragraph.bold
    return paragraph, size, False


def _lowest(top: float, item: Columns, col_width: float) -> float:
    """The y below the longest column."""
    depth = 0.0
    for paragraphs in item.columns:
        d = 0.0
        for p in paragraphs:
            text, psize, _ = _paragraph(p, item.size)
            d += len(_wrap(text, col_width, psize)) * psize * 1.25 + psize
        depth = max(depth, d)
    return top - depth
