"""The PDF's own text layer: Unicode (method ``text``) or legacy TCVN3/VNI repaired
(method ``legacy``), with word boxes, in reading order.

Why this module decides so much: reading a text layer costs milliseconds, OCR seconds, but a
text layer can lie. It may be missing (an image-only scan), a hidden OCR layer of someone
else's scan (render mode 3: trusted only if it reads as Vietnamese), typed in a legacy font
(repaired per font run, since a page can mix Unicode headings with a ``.VnTime`` body), or
unreadable (glyphs without a Unicode mapping, a legacy guess that does not give Vietnamese).
In the last cases :func:`extract_text_page` returns ``(None, note)`` and the page is OCR'd
with the note saying why.

Speed: the document is opened with pdfplumber and kept open for the next task of the same
file (one per process, see :class:`_OpenDocument`), and the page is interpreted once by
pdfminer through a small device that keeps only what we need (text, box, font, size, render
mode), bypassing pdfplumber's per-object dictionaries and layout helpers; its content
stream is tokenized by :mod:`indexer.extract.contentstream` (three times faster than pdfminer's
own tokenizer, same result). Reading order: :mod:`indexer.extract.readingorder`.

Coordinates: pdfminer's are points from the bottom left of the (rotated) media box; words
get fractions of the crop box (what a renderer shows), origin top left.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from archive.errors import BadInput
from archive.models import PageResult, PageTask, Word
from archive.vntext import nfc
from indexer.extract import legacy
from indexer.extract.contentstream import interpreter_class
from indexer.extract.readingorder import Glyph, Line, reading_order
from indexer.extract.syllable import valid_counts

log = logging.getLogger(__name__)

VERSION = "3"  # bump when extraction output changes for the same PDF
MIN_GLYPHS = 20  # fewer visible glyphs than this over a page image: OCR the image
MIN_TEXT_SHARE = 0.5  # a Unicode layer whose words are less valid than this is unreadable
MIN_HIDDEN_SHARE = 0.8  # a hidden (OCR) layer must read at least this well to be kept
MAX_UNMAPPED = 0.1  # share of glyphs without Unicode (cid:N) that makes a layer unreadable
WORD_GAP = 0.2  # a horizontal gap wider than this × font size separates words
_INVISIBLE_MODES = (3, 7)
_BOLD_CASED = re.compile(r"Bd|[-,]B(?![a-z])|[a-z]B$")
_BOLD_WORDS = re.compile(r"bold|black|heavy|demi|semibd", re.IGNORECASE)


def engine_version() -> str:
    import pdfplumber

    return str(pdfplumber.__version__)


def settings_key(method: str) -> str:
    """Changes whenever the output of ``method`` ("text" or "legacy") may change."""
    key = f"textlayer={VERSION};pdfplumber={engine_version()}"
    if method == "legacy":
        key += f";legacy={legacy.VERSION};min_confidence={legacy.MIN_CONFIDENCE}"
    return key


@lru_cache(maxsize=256)
def is_bold(fontname: str) -> bool:
    """Bold from a PDF font name: ``Arial-BoldMT``, ``TimesNewRomanPS-BdMT``, ``.VnTime,Bold``,
    ``VNI-Times-B``; ``.VnTimeH`` (capitals, not bold) is not."""
    name = fontname.split("+", 1)[-1]
    return bool(_BOLD_WORDS.search(name) or _BOLD_CASED.search(name))


@dataclass
class _Page:
    glyphs: list[Glyph]
    hidden: list[Glyph]
    width: float
    height: float
    x_offset: float
    y_offset: float
    image_area: float  # share of the page covered by images (0..1, overlaps counted twice)
    unmapped: int
    rules: list[tuple[float, float, float]]  # horizontal rules drawn: x0, x1, y (points)


def extract_text_page(task: PageTask) -> tuple[PageResult | None, str]:
    """The page's text from its text layer, or (None, why not) when OCR must do it."""
    page = _read_page(task.path, task.file_page)
    visible = [g for g in page.glyphs if not g.text.isspace()]
    total = len(visible) + sum(1 for g in page.hidden if not g.text.isspace())
    if total == 0:
        return None, "no text layer"
    if page.unmapped > MAX_UNMAPPED * (total + page.unmapped):
        return None, f"text layer unreadable: {page.unmapped} glyphs without Unicode mapping"
    hidden_layer = len(visible) < len(page.hidden)
    glyphs = page.hidden if hidden_layer else page.glyphs
    if not hidden_layer and len(visible) < MIN_GLYPHS and page.image_area > 0.5:
        return None, f"text layer too sparse ({len(visible)} glyphs) over a page image"
    encodings = _font_encodings(glyphs)
    blocks = reading_order(glyphs, page.width, page.height, page.y_offset, page.rules)
    u_codes = legacy.has_u_codes(g.text for g in glyphs if encodings[g.font][0] == "tcvn3")
    words, lines_text, counts = _words(blocks, encodings, page, u_codes)
    text = "\n\n".join("\n".join(block) for block in lines_text)
    valid, judged = valid_counts(text)
    share = valid / judged if judged else 1.0
    legacy_glyphs = sum(counts.values())
    if hidden_layer and (judged < legacy.MIN_JUDGED or share < MIN_HIDDEN_SHARE):
        return None, f"hidden OCR text layer not plausible Vietnamese ({share:.0%} valid words)"
    if legacy_glyphs:
        encoding = counts.most_common(1)[0][0]
        if judged >= legacy.MIN_JUDGED and share < legacy.MIN_CONFIDENCE:
            return None, (f"legacy {encoding} repair not confident ({share:.0%} valid words); "
                          "OCR used")
        method = "legacy"
    else:
        encoding = ""
        if judged >= legacy.MIN_JUDGED and share < MIN_TEXT_SHARE:
            return None, f"text layer unreadable ({share:.0%} valid words); OCR used"
        method = "text"
    note = "hidden OCR text layer" if hidden_layer else ""
    if len(counts) > 1:
        note = (note + "; " if note else "") + "mixed legacy encodings " + ", ".join(sorted(counts))
    return PageResult(
        page_id=task.page_id, sha256=task.sha256, method=method, text=text,
        words=tuple(words), confidence=100.0 if words else 0.0, engine="pdfplumber",
        engine_version=engine_version(), settings_key=settings_key(method), encoding=encoding,
        note=note), ""


def _font_encodings(glyphs: list[Glyph]) -> dict[str, tuple[str | None, bool]]:
    """Each font's legacy encoding (and capitals flag): by name first, else by its text."""
    texts: dict[str, list[str]] = {}
    for g in glyphs:
        texts.setdefault(g.font, []).append(g.text)
    result: dict[str, tuple[str | None, bool]] = {}
    for font, chars in texts.items():
        encoding, capitals = legacy.font_encoding(font)
        text = "".join(chars)
        if encoding is not None and _already_unicode(text, encoding):
            encoding = None  # a legacy-named font whose ToUnicode map already gives Unicode
        elif encoding is None and len(text) >= 20:
            encoding = legacy.detect([], text)
        result[font] = (encoding, capitals)
    return result


_VIET_NON_LATIN1 = frozenset(ch for ch in legacy.vietnamese_letters() if ord(ch) > 0xFF)


def _already_unicode(text: str, encoding: str) -> bool:
    letters = sum(1 for ch in text if ch.isalpha())
    native = sum(1 for ch in text if ch in _VIET_NON_LATIN1)
    return letters >= 20 and native > 0.05 * letters and legacy.signature_share(text)[encoding] < 0.01


def _cells(line: Line, encodings: dict[str, tuple[str | None, bool]]
           ) -> list[tuple[str, Glyph | None, str | None, bool]]:
    """(text, glyph or None for an inserted space, encoding, capitals) in reading order,
    with spaces where the gap between glyphs is wider than a word space, and duplicate
    glyphs (fake bold drawn twice) dropped."""
    cells: list[tuple[str, Glyph | None, str | None, bool]] = []
    prev: Glyph | None = None
    for g in line.glyphs:
        encoding, capitals = encodings.get(g.font, (None, False))
        if prev is not None:
            if (g.text == prev.text and abs(g.x0 - prev.x0) < 0.3 * max(g.x1 - g.x0, 0.1)
                    and abs(g.top - prev.top) < 0.3 * g.size):
                continue
            gap = g.x0 - prev.x1
            if gap > WORD_GAP * max(g.size, prev.size) and not (g.text.isspace()
                                                                or prev.text.isspace()):
                cells.append((" ", None, encoding, capitals))
        cells.append((g.text, g, encoding, capitals))
        prev = g
    return cells


def _decode_line(cells: list[tuple[str, Glyph | None, str | None, bool]], u_codes: bool
                 ) -> list[str]:
    """One output string per cell: legacy runs decoded together, Unicode cleaned.
    ``u_codes``: whether the page's TCVN3 text holds ``ư`` codes (then no space is a lost
    ``ư``; see :func:`indexer.extract.legacy.decode_cells`)."""
    out = [""] * len(cells)
    k = 0
    while k < len(cells):
        encoding = cells[k][2]
        j = k
        while j < len(cells) and cells[j][2] == encoding:
            j += 1
        texts = [c[0] for c in cells[k:j]]
        if encoding is None:
            out[k:j] = [nfc(legacy.clean_extracted(t)) for t in texts]
        else:
            out[k:j] = legacy.decode_cells(texts, encoding, capitals=[c[3] for c in cells[k:j]],
                                           u_codes=u_codes)
        k = j
    return out


def _words(blocks: list[list[Line]], encodings: dict[str, tuple[str | None, bool]], page: _Page,
           u_codes: bool) -> tuple[list[Word], list[list[str]], Counter[str]]:
    words: list[Word] = []
    text_blocks: list[list[str]] = []
    legacy_counts: Counter[str] = Counter()
    line_no = 0
    for block_no, block in enumerate(blocks, start=1):
        block_lines: list[str] = []
        for line in block:
            cells = _cells(line, encodings)
            out = _decode_line(cells, u_codes)
            size = round(line.size, 2)
            pending: list[tuple[str, Glyph | None]] = []
            line_words: list[Word] = []
            for (_, glyph, encoding, _), decoded in zip(cells, out):
                if encoding is not None and glyph is not None and not glyph.text.isspace():
                    legacy_counts[encoding] += 1
                for ch in decoded or ([""] if glyph is not None else []):
                    if ch.isspace():
                        _flush(pending, line_words, page, block_no, line_no + 1, size)
                        pending = []
                    else:
                        pending.append((ch, glyph))
            _flush(pending, line_words, page, block_no, line_no + 1, size)
            if line_words:
                line_no += 1
                words.extend(line_words)
                block_lines.append(" ".join(w.text for w in line_words))
        if block_lines:
            text_blocks.append(block_lines)
    return words, text_blocks, legacy_counts


def _flush(pending: list[tuple[str, Glyph | None]], out: list[Word], page: _Page,
           block: int, line: int, size: float) -> None:
    text = nfc("".join(ch for ch, _ in pending))
    glyphs = [g for _, g in pending if g is not None]
    if not text or not glyphs:
        return
    x0 = min(g.x0 for g in glyphs) - page.x_offset
    x1 = max(g.x1 for g in glyphs) - page.x_offset
    top = min(g.top for g in glyphs) - page.y_offset
    bottom = max(g.bottom for g in glyphs) - page.y_offset
    box = (_clamp(x0 / page.width), _clamp(top / page.height),
           _clamp(x1 / page.width), _clamp(bottom / page.height))
    bold = sum(is_bold(g.font) for g in glyphs) * 2 > len(glyphs)
    out.append(Word(text, box, 100.0, block, line, size, bold))


def _clamp(v: float) -> float:
    return min(max(v, 0.0), 1.0)


class _OpenDocument:
    """The last PDF read in this process, kept open with its parsed page list and fonts.

    Why: the extract stage sends the pages of one file one task at a time; reopening the
    file for each page re-parses its cross-reference table, page tree and embedded fonts
    (their ToUnicode maps), which cost more than reading the page itself. One document stays
    open per process; it is closed when another file (or a changed one) is asked for."""

    key: tuple[str, int, int] | None = None
    pdf = None
    pages: list = []

    @classmethod
    def get(cls, path: str):  # type: ignore[no-untyped-def]
        import pdfplumber
        from pdfminer.pdfpage import PDFPage

        stat = os.stat(path)
        key = (os.path.abspath(path), stat.st_size, stat.st_mtime_ns)
        if cls.key != key:
            cls.close()
            pdf = pdfplumber.open(path)
            try:
                pages = list(PDFPage.create_pages(pdf.doc))
            except Exception:
                pdf.close()
                raise
            cls.key, cls.pdf, cls.pages = key, pdf, pages
        return cls.pdf, cls.pages

    @classmethod
    def close(cls) -> None:
        if cls.pdf is not None:
            cls.pdf.close()
        cls.key, cls.pdf, cls.pages = None, None, []


atexit.register(_OpenDocument.close)


def _read_page(path: str, index: int) -> _Page:
    """Interpret one page with pdfminer (through pdfplumber's document) and keep glyphs."""
    pdf, pages = _OpenDocument.get(path)
    try:
        page_obj = pages[index]
    except IndexError:
        raise BadInput(path, f"has no page {index + 1} (it has {len(pages)})",
                       "run `bantin ingest` again") from None
    collector = _collector_class()(pdf.rsrcmgr)
    mx0, my0, mx1, my1 = page_obj.mediabox
    rotate = page_obj.rotate % 360
    width, height = (my1 - my0, mx1 - mx0) if rotate in (90, 270) else (mx1 - mx0, my1 - my0)
    collector.page_height = height
    try:
        interpreter_class()(pdf.rsrcmgr, collector).process_page(page_obj)
    except Exception:
        _OpenDocument.close()  # a damaged file: do not keep it open
        raise
    x_off = y_off = 0.0
    crop = getattr(page_obj, "cropbox", None)
    if rotate == 0 and crop is not None:
        cx0, cy0, cx1, cy1 = crop
        x_off, y_off = max(cx0 - mx0, 0.0), max(my1 - cy1, 0.0)
        width, height = cx1 - cx0, cy1 - cy0
    area = max(width * height, 1.0)
    return _Page(collector.glyphs, collector.hidden, width, height, x_off, y_off,
                 collector.image_area / area, collector.unmapped, collector.rules)


@lru_cache(maxsize=1)
def _collector_class() -> type:
    """A pdfminer device that keeps each glyph as a :class:`Glyph` tuple (and the render
    mode, which pdfminer's layout objects drop), skipping layout objects altogether."""
    from pdfminer.pdfdevice import PDFTextDevice
    from pdfminer.pdffont import PDFUnicodeNotDefined
    from pdfminer.utils import apply_matrix_pt

    class Collector(PDFTextDevice):  # type: ignore[misc]
        def __init__(self, rsrcmgr) -> None:  # type: ignore[no-untyped-def]
            super().__init__(rsrcmgr)
            self.glyphs: list[Glyph] = []
            self.hidden: list[Glyph] = []
            self.unmapped = 0
            self.rules: list[tuple[float, float, float]] = []
            self.image_area = 0.0
            self.page_height = 0.0
            self.render_mode = 0
            self.count = 0

        def render_string(self, textstate, seq, ncs, graphicstate):  # type: ignore[no-untyped-def]
            self.render_mode = textstate.render
            super().render_string(textstate, seq, ncs, graphicstate)

        def paint_path(self, gstate, stroke, fill, evenodd, path):  # type: ignore[no-untyped-def]
            """Keep horizontal rules at least 20 points long (frame edges included): a
            rule across the page separates what is above it from what is below."""
            start = previous = None
            for segment in path:
                op = segment[0]
                point = start if op == "h" else segment[-2:]
                if point is None or len(point) != 2:
                    continue
                x, y = apply_matrix_pt(self.ctm, point)
                if op == "m":
                    start = point
                elif op in ("l", "h") and previous is not None:
                    px, py = previous
                    if abs(y - py) < 1.0 and abs(x - px) >= 20.0:
                        self.rules.append((min(x, px), max(x, px),
                                           self.page_height - (y + py) / 2))
                previous = (x, y)

        def render_image(self, name, stream):  # type: ignore[no-untyped-def]
            a, b, c, d, _, _ = self.ctm
            self.image_area += abs(a * d - b * c)

        def render_char(self, matrix, font, fontsize, scaling, rise, cid, ncs,  # type: ignore[no-untyped-def]
                        graphicstate):
            try:
                text = font.to_unichr(cid)
            except PDFUnicodeNotDefined:
                text = ""
            adv = font.char_width(cid) * fontsize * scaling
            if not text:
                self.unmapped += 1
                return adv
            a, b, c, d, e, f = matrix
            if not (a * d * scaling > 0 and b * c <= 0):  # not upright: margin notes, stamps
                return adv
            low = font.get_descent() * fontsize + rise
            x0, y0 = e + c * low, f + d * low
            x1, y1 = a * adv + c * (low + fontsize) + e, b * adv + d * (low + fontsize) + f
            top, bottom = self.page_height - max(y0, y1), self.page_height - min(y0, y1)
            glyph = Glyph(text, min(x0, x1), top, max(x0, x1), bottom, round(bottom - top, 2),
                          font.fontname, self.count)
            self.count += 1
            (self.hidden if self.render_mode in _INVISIBLE_MODES else self.glyphs).append(glyph)
            return adv

    return Collector
