"""PDFs with reportlab: born-digital Unicode, legacy TCVN3/VNI text layers, and image-only scans.

Every canvas is made with ``invariant=1`` (fixed dates and document id), so the same layout
gives the same bytes. Text is drawn span by span at the layout's positions, spaces included,
so a text extractor splits words as printed. Legacy PDFs draw each span's
:func:`indexer.extract.legacy.encode_runs` runs in the TCVN3 (``.VnTime`` / ``.VnTimeH``) or VNI fonts
of :mod:`samplegen.fonts`: the page looks right, its extracted text is mojibake until repaired.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Protocol

from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from indexer.extract.legacy import encode_runs
from samplegen import fonts
from samplegen.layout import IssueLayout
from samplegen.typefaces import FACES, typeface

CREATOR = "Bản tin sample generator (fictional data)"


class PdfFonts(Protocol):
    """What the PDF renderer needs from a set of fonts; also the layout's Measure."""

    def runs(self, text: str, face: str) -> list[tuple[str, str]]: ...  # (font name, string)

    def width(self, text: str, face: str, size: float) -> float: ...


class UnicodeFonts:
    """TrueType fonts of a Unicode typeface, embedded (subset) by reportlab."""

    def __init__(self, typeface_name: str) -> None:
        tf = typeface(typeface_name)
        self.names: dict[str, str] = {}
        registered = set(pdfmetrics.getRegisteredFontNames())
        for face in FACES:
            name = f"{tf.name}-{face}"
            if name not in registered:
                pdfmetrics.registerFont(TTFont(name, tf.path(face)))
            self.names[face] = name

    def runs(self, text: str, face: str) -> list[tuple[str, str]]:
        return [(self.names[face], text)]

    def width(self, text: str, face: str, size: float) -> float:
        return pdfmetrics.stringWidth(text, self.names[face], size)


class LegacyFonts:
    """TCVN3 (``vntime``) or VNI (``vnitimes``) fonts from :mod:`samplegen.fonts`.

    ``quirk`` (TCVN3 only) draws with the fonts whose text layer reproduces extractor quirks
    (``ư`` as U+2212, ``ã`` as U+2219, no dot in the font name). The legacy fonts have no
    italic: italic faces fall back to upright, as many typists' files did."""

    def __init__(self, typeface_name: str, quirk: bool = False) -> None:
        self.encoding = "tcvn3" if typeface_name == "vntime" else "vni"
        self.quirk = quirk and self.encoding == "tcvn3"
        self._encode_runs = encode_runs
        self._with_quirks = fonts.with_quirks
        registered = fonts.register_legacy_fonts()
        self._names = {
            (face, caps): registered[fonts.variant_key(
                self.encoding, bold=face in ("bold", "bold-italic", "display"),
                capitals=caps and self.encoding == "tcvn3", quirks=self.quirk)]
            for face in FACES for caps in (False, True)}
        self._cache: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def runs(self, text: str, face: str) -> list[tuple[str, str]]:
        key = (text, face)
        got = self._cache.get(key)
        if got is None:
            got = [(self._names[(face, caps)], self._with_quirks(run) if self.quirk else run)
                   for run, caps in self._encode_runs(text, self.encoding)]
            self._cache[key] = got
        return got

    def width(self, text: str, face: str, size: float) -> float:
        return sum(pdfmetrics.stringWidth(run, name, size) for name, run in self.runs(text, face))


def render_pdf(layout: IssueLayout, fonts: PdfFonts, path: Path, title: str) -> None:
    """Write the issue as a PDF with a text layer (Unicode or legacy), atomically."""
    buf = io.BytesIO()
    first = layout.pages[0]
    c = canvas.Canvas(buf, pagesize=(first.width, first.height), invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setCreator(CREATOR)
    for page in layout.pages:
        h = page.height
        c.setPageSize((page.width, h))
        for line in page.lines:
            y = h - line.baseline
            for span in line.spans:
                x = span.x
                for name, run in fonts.runs(span.text, span.face):
                    c.setFont(name, span.size)
                    c.drawString(x, y, run)
                    x += pdfmetrics.stringWidth(run, name, span.size)
        for r in page.rules:
            c.setLineWidth(r.width)
            c.line(r.x0, h - r.y0, r.x1, h - r.y1)
        for f in page.frames:
            c.setLineWidth(f.width)
            c.rect(f.x0, h - f.y1, f.x1 - f.x0, f.y1 - f.y0, stroke=1, fill=0)
        c.showPage()
    c.save()
    write_atomic(path, buf.getvalue())


def image_pdf(pages: list[tuple[bytes | Image.Image, float]], path: Path, title: str) -> None:
    """An image-only PDF (no text layer): one scan per page, each ``(JPEG bytes or image,
    dpi)``, the page sized so the image has that resolution. JPEG data is embedded as is."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setCreator(CREATOR)
    for data, dpi in pages:
        reader = ImageReader(io.BytesIO(data)) if isinstance(data, bytes) else ImageReader(data)
        w_px, h_px = reader.getSize()
        w, h = w_px * 72.0 / dpi, h_px * 72.0 / dpi
        c.setPageSize((w, h))
        c.drawImage(reader, 0, 0, width=w, height=h)
        c.showPage()
    c.save()
    write_atomic(path, buf.getvalue())


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
