"""A Word issue's pages: its decoded text written back into a Unicode ``.docx`` and printed to
PDF by LibreOffice, so pages, page images, word boxes, search marks and the editors' desk
work through the text-layer path exactly as for a PDF issue. Stage: ingest (page count) and
extract (method ``document``).

Why print again rather than convert the original: the legacy fonts (``.VnTime``, ``VNI-Times``)
are missing on the converting machine, so LibreOffice would print mojibake in a substitute
font, and their names vanish from the PDF, so nothing downstream could repair it. The
decoded text is typeset instead in a Unicode serif (:data:`FONT`), keeping paragraphs,
bold/italic/size, alignment, tables, headers and footers (running lines on every page,
which the text-layer reading order sets apart) and the notes at the end.

The PDF and a small ``.json`` beside it (encodings decoded, macros seen) live under
``index/cache/documents/`` (:func:`archive.documents.derived_pdf_path`), written to a
temporary name and moved into place; the original in ``scans/`` is only read.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from archive.documents import derived_pdf_path
from archive.ingest import inspect_pdf
from indexer.extract import office
from indexer.extract.wordfile import VERSION as READER_VERSION
from indexer.extract.wordfile import WordDocument, read_word_file
from indexer.extract.wordruns import Block

WRITER_VERSION = "1"
FONT = "Liberation Serif"  # metric-compatible with Times New Roman, full Vietnamese coverage
PAGE_WIDTH_CM, PAGE_HEIGHT_CM, MARGIN_CM = 19.0, 27.0, 2.0  # the bulletins' 19 × 27 cm
BODY_PT = 12.0
NOTE_PT = 9.0
_ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
          "both": WD_ALIGN_PARAGRAPH.JUSTIFY, "distribute": WD_ALIGN_PARAGRAPH.JUSTIFY,
          "end": WD_ALIGN_PARAGRAPH.RIGHT}
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Derived:
    pdf: Path
    encodings: tuple[str, ...]
    macros: bool


def encodings_label(encodings: tuple[str, ...]) -> str:
    """What ``PageResult.encoding`` records for a document page: ``tcvn3+unicode+vni``."""
    return "+".join(e for e in encodings if e != "symbol") or "unicode"


@cache
def settings_key() -> str:
    """Changes whenever a Word file's pages or text may change (part of the issue identity)."""
    return (f"reader={READER_VERSION};writer={WRITER_VERSION};font={FONT};"
            f"office={office.version()}")


class DocumentPrinter:
    """The reader as ingest sees it (:class:`archive.documents.DocumentPages`)."""

    def __init__(self, cache_dir: Path, *, timeout: float = office.DEFAULT_TIMEOUT) -> None:
        self.cache_dir = cache_dir
        self.timeout = timeout

    @cached_property
    def key(self) -> str:  # asked only when a Word file is found (runs `soffice --version`)
        return settings_key()

    def pages(self, source: Path, rel: str, issue_sha: str
              ) -> tuple[list[tuple[int, int, float, float, float]], list[str]]:
        derived = ensure_pdf(source, self.cache_dir, issue_sha, timeout=self.timeout, name=rel)
        notes = [f"{rel}: holds macros; they were not run (only its text was read)"] \
            if derived.macros else []
        return inspect_pdf(derived.pdf, rel), notes


def ensure_pdf(source: Path, cache_dir: Path, issue_sha: str, *,
               timeout: float = office.DEFAULT_TIMEOUT, name: str | None = None) -> Derived:
    """The derived PDF of the Word file ``source`` (printed now if it is not there yet)."""
    pdf = derived_pdf_path(cache_dir, issue_sha)
    meta = pdf.with_suffix(".json")
    if pdf.is_file() and meta.is_file():
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            return Derived(pdf, tuple(data["encodings"]), bool(data["macros"]))
        except (ValueError, KeyError, OSError):
            pass  # printed again below
    work = cache_dir / "libreoffice"
    document = read_word_file(source, work_dir=work, timeout=timeout, name=name)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="print-", dir=pdf.parent))
    try:
        unicode_docx(document, tmp / f"{issue_sha}.docx")
        printed = office.convert(tmp / f"{issue_sha}.docx", "pdf", tmp, profile_root=work,
                                 timeout=timeout, name=name or str(source))
        os.replace(printed, pdf)
        tmp_meta = tmp / "meta.json"
        tmp_meta.write_text(json.dumps({"encodings": list(document.encodings),
                                        "macros": document.macros, "source": name or "",
                                        "key": settings_key()}), encoding="utf-8")
        os.replace(tmp_meta, meta)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Derived(pdf, document.encodings, document.macros)


def read_encodings(pdf: Path) -> tuple[str, ...]:
    """The encodings recorded beside a derived PDF (empty when the record is missing)."""
    try:
        return tuple(json.loads(pdf.with_suffix(".json").read_text(encoding="utf-8"))["encodings"])
    except (OSError, ValueError, KeyError):
        return ()


# --- the Unicode rewrite --------------------------------------------------------------------

def unicode_docx(document: WordDocument, path: Path) -> None:
    """Write ``document`` (decoded) as a ``.docx`` set in :data:`FONT` only."""
    out = docx.Document()
    normal = out.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), FONT)
    section = out.sections[0]
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))
    if document.headers:
        _running(section.header.paragraphs[0], document.headers[0])
    if document.footers:
        _running(section.footer.paragraphs[0], document.footers[0])
    body = [b for b in document.body if b.text.strip() or b.table]
    k = 0
    while k < len(body):
        block = body[k]
        if block.table:
            j = k
            while j < len(body) and body[j].table == block.table:
                j += 1
            _table(out, body[k:j])
            k = j
            continue
        _paragraph(out.add_paragraph(), block)
        k += 1
    for note in document.notes:
        p = out.add_paragraph()
        run = p.add_run(_safe(note))
        run.font.size = Pt(NOTE_PT)
    out.save(str(path))


def _safe(text: str) -> str:
    return _XML_UNSAFE.sub("", text)


def _running(paragraph: object, text: str) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER  # type: ignore[attr-defined]
    run = paragraph.add_run(_safe(text))  # type: ignore[attr-defined]
    run.font.size = Pt(NOTE_PT)


def _paragraph(paragraph: object, block: Block) -> None:
    if block.align in _ALIGN:
        paragraph.alignment = _ALIGN[block.align]  # type: ignore[attr-defined]
    for span in block.spans:
        text = _safe(span.text)
        if not text:
            continue
        run = paragraph.add_run(text)  # type: ignore[attr-defined]
        run.bold = span.bold or None
        run.italic = span.italic or None
        if span.size and abs(span.size - BODY_PT) > 0.1:
            run.font.size = Pt(max(6.0, min(span.size, 40.0)))


def _table(out: object, blocks: list[Block]) -> None:
    rows = max(b.row for b in blocks)
    cols = max(b.col for b in blocks)
    table = out.add_table(rows=rows, cols=cols)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    filled: set[tuple[int, int]] = set()
    for b in blocks:
        cell = table.cell(b.row - 1, b.col - 1)
        paragraph = cell.paragraphs[0] if (b.row, b.col) not in filled else cell.add_paragraph()
        filled.add((b.row, b.col))
        _paragraph(paragraph, b)
