"""Plain values passed between stages: Series → Issue → Page → (Word) → Article.

Conventions shared by every stage:

* Text is Unicode NFC. Page text lists lines in reading order separated by "\\n", with a
  blank line between blocks (columns, paragraphs, article boundaries the extractor sees).
* A word box is ``(x0, y0, x1, y1)`` as fractions (0..1) of the page's width and height,
  origin at the top left, the same for the PDF text layer, legacy repair and OCR, so a
  viewer can draw it over an image of any resolution.
* Confidence is 0..100 (Tesseract's scale); text-layer words have 100.
* ``size`` is the glyph height of a word's line in points (1/72 inch): font size for the
  PDF text layer, line height × 72 / dpi for OCR. Segmentation compares sizes across methods.
* Page numbers (``seq``) are 1-based in the order of the issue's pages.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

METHODS = ("text", "legacy", "ocr", "document")  # document: a Word file, decoded run by run
ARTICLE_KINDS = ("tin", "bai", "hoi-dap", "van-ban", "khac")


@dataclass(frozen=True)
class SeriesTitle:
    """One row of a series' dated title history; ``end`` None means 'still in use'."""

    title: str
    publisher: str
    start: str  # YYYY or YYYY-MM
    end: str | None = None


@dataclass(frozen=True)
class Series:
    code: str
    title: str
    publisher: str
    first_year: int
    issues_per_year: int  # expected issues a year, for completeness; 0 when unknown
    level: str = "trung-uong"  # "trung-uong" (central) or "tinh" (provincial)
    province: str = ""
    titles: tuple[SeriesTitle, ...] = ()
    note: str = ""

    def title_in(self, year: int, month: int = 6) -> SeriesTitle | None:
        """The title row in force in ``year``/``month`` (None if the history is empty)."""
        key = f"{year:04d}-{month:02d}"
        for row in sorted(self.titles, key=lambda r: r.start):
            start = row.start if len(row.start) > 4 else row.start + "-01"
            end = row.end if row.end is None or len(row.end) > 4 else row.end + "-12"
            if start <= key and (end is None or key <= end):
                return row
        return None


@dataclass(frozen=True)
class Issue:
    """One issue, as named by its file: ``<series>-<year>-<number>[-<suffix>]``."""

    id: str  # e.g. "ttshcb-1989-01", "tbnb-2010-02-xuan"; stable, used in permalinks
    series: str
    year: int
    number: str  # as in the file name, e.g. "01"
    suffix: str = ""  # special issue marker, e.g. "xuan", "dacbiet"
    printed_number: str = ""  # as printed on the masthead, when a sidecar says so
    date: str = ""  # YYYY-MM or YYYY-MM-DD when known
    note: str = ""
    source: str = ""  # path relative to scans/ (a file or a folder of page images)
    source_kind: str = ""  # "pdf", "tiff", "images", "document" (a Word file)
    sha256: str = ""
    page_count: int = 0


@dataclass(frozen=True)
class Page:
    """One page of an issue and where its pixels or text come from."""

    id: str  # "<issue id>/<seq>", e.g. "ttshcb-1989-01/3"
    issue_id: str
    seq: int  # 1-based
    file: str  # path relative to scans/
    file_page: int  # 0-based page or frame index inside ``file`` (0 for a single image)
    sha256: str  # identity of this page's source: changes when the page must be redone
    width_px: int = 0
    height_px: int = 0
    dpi: float = 0.0  # of the image, or the render resolution for a PDF page
    width_pt: float = 0.0  # PDF page size in points (0 for images)
    height_pt: float = 0.0


@dataclass(frozen=True)
class Word:
    text: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 as page fractions, top-left origin
    conf: float = 100.0  # 0..100
    block: int = 0  # block (column or text region) number in reading order
    line: int = 0  # line number within the page, in reading order
    size: float = 0.0  # line glyph height in points
    bold: bool = False

    def to_row(self) -> list[Any]:
        """Compact JSON form stored in the catalog."""
        x0, y0, x1, y1 = self.box
        return [self.text, round(x0, 5), round(y0, 5), round(x1, 5), round(y1, 5),
                round(self.conf, 1), self.block, self.line, round(self.size, 2), int(self.bold)]

    @classmethod
    def from_row(cls, row: list[Any]) -> Word:
        text, x0, y0, x1, y1, conf, block, line, size, bold = row
        return cls(text, (x0, y0, x1, y1), conf, block, line, size, bool(bold))


def words_json(words: Sequence[Word]) -> str:
    """A page's words as the catalog stores them (``page_text.words``, ``ocr_raw.words``)."""
    return json.dumps([w.to_row() for w in words], ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class OcrSettings:
    """Everything that changes OCR output; its key decides when a page must be redone."""

    lang: str = "vie"
    dpi: int = 300
    timeout: float = 300.0
    extra: tuple[tuple[str, str], ...] = ()  # engine-specific options, sorted pairs

    def key(self) -> str:
        parts = [f"lang={self.lang}", f"dpi={self.dpi}"] + [f"{k}={v}" for k, v in self.extra]
        return ";".join(parts)


@dataclass(frozen=True)
class PageTask:
    """A page in: everything a worker (local or remote) needs, picklable, no open handles."""

    page_id: str
    path: str  # absolute path of the source file
    source_kind: str  # "pdf", "tiff", "images"
    file_page: int
    sha256: str
    settings: OcrSettings = field(default_factory=OcrSettings)
    force_ocr: bool = False


@dataclass(frozen=True)
class PageResult:
    """A result out: the page's text, words and how they were obtained, or the error."""

    page_id: str
    sha256: str
    method: str  # one of METHODS, or "" when failed
    text: str = ""
    words: tuple[Word, ...] = ()
    confidence: float = 0.0  # mean word confidence, 0..100
    engine: str = ""  # e.g. "tesseract", "pdfplumber"
    engine_version: str = ""
    settings_key: str = ""
    encoding: str = ""  # legacy pages: "tcvn3" or "vni"; document pages: "tcvn3+unicode+vni"...
    width_px: int = 0
    height_px: int = 0
    note: str = ""  # e.g. "legacy repair uncertain; OCR used"
    error: str = ""  # non-empty when the page failed
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return bool(self.error)


@dataclass(frozen=True)
class Article:
    """One article of an issue, as found by segmentation (and later corrected by editors)."""

    id: str  # stable, used in permalinks /a/<id>
    issue_id: str
    series: str
    year: int
    number: str
    seq: int  # order in the issue, 1-based
    section: str  # canonical section name ('' when none)
    title: str
    byline: str
    first_page: int
    last_page: int
    kind: str  # one of ARTICLE_KINDS
    text: str  # NFC, paragraphs separated by a blank line
    words: int  # word (syllable) count
    confidence: float  # mean OCR confidence of its words, 0..100
    date: str = ""  # YYYY-MM
    boxes: dict[int, list[tuple[float, float, float, float]]] = field(default_factory=dict)
    # page seq → boxes (page fractions) of the article's lines on that page, for outlines
