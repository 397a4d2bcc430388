"""Provincial issues as the editorial office's Word files (sources ``word-*``).

``word-tcvn3``: typed in ``.VnTime`` with ``.VnTimeH`` capitals (toned capitals and headings in
all capitals), banners' font set by a paragraph style, not by the run; ``word-vni``: ``VNI-Times``
and ``VNI-Helve``; ``word-mixed``: a TCVN3 body, VNI titles and banners, a Unicode table and
Wingdings bullets; ``word-unicode``: Times New Roman. Every issue has a running header
(title – number) and the footer *Dữ liệu mẫu – nội dung hư cấu*, and a table (the colophon).

Written with python-docx (TCVN3 ``ư`` as ``<w:softHyphen/>``, as Word writes it), zip entries
dated 1980-01-01 so the bytes depend on the plan only; ``.doc`` by LibreOffice from that file
(its ``.doc`` output is byte-stable; its ``.rtf`` and ``.odt`` are not, so the sample holds
``.doc`` and ``.docx``, and the tests cover ``.rtf``/``.odt``).

Truth: ``sample-truth/documents.jsonl`` holds each file's text in reading order (what the reader
must return); the page records of ``pages.jsonl`` are the pages of the PDF printed from the
truth text by the same Unicode rewrite the archive uses (:func:`indexer.extract.documentpdf.unicode_docx`),
their text read with pypdfium2 (not the archive's extractor), and article spans are where
each title and each article's last words fall on those pages.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pypdfium2 as pdfium
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from archive.vntext import nfc
from indexer.extract import office
from indexer.extract.documentpdf import unicode_docx
from indexer.extract.legacy import encode, encode_runs
from indexer.extract.wordfile import WordDocument
from indexer.extract.wordruns import Block, Span
from samplegen.colophon import has_colophon
from samplegen.layout import FOOTER_TEXT
from samplegen.plan import IssuePlan

WORD_SOURCES = ("word-tcvn3", "word-vni", "word-mixed", "word-unicode")
CONTAINERS = {"word-tcvn3": ("doc",), "word-vni": ("doc",), "word-mixed": ("doc", "docx"),
              "word-unicode": ("docx",)}
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class _Para:
    text: str
    role: str  # mast | title | banner | head | body | byline | cell
    row: int = 0
    col: int = 0


def paragraphs(plan: IssuePlan) -> list[_Para]:
    """The issue's text in reading order (the truth the reader must return)."""
    out = [_Para(plan.publisher.upper(), "mast"), _Para(plan.title.upper(), "title"),
           _Para(plan.printed_number, "mast"), _Para("Lưu hành nội bộ", "mast")]
    banner = ""
    for a in plan.articles:
        shown = a.banner or a.section
        if shown and shown != banner:
            out.append(_Para(shown.upper(), "banner"))
            banner = shown
        out.append(_Para(a.title, "head"))
        out += [_Para(p, "body") for p in a.paragraphs]
        if a.byline:
            out.append(_Para(a.byline, "byline"))
    rows = [("Chịu trách nhiệm xuất bản", plan.editor or "Ban biên tập"),
            ("Số lượng in", f"In {plan.print_run} bản, khổ {plan.format}" if plan.print_run else "Không ghi"),
            ("Nơi in", plan.printer or "Không ghi"), ("Giấy phép", plan.licence or "Không ghi")]
    if plan.deposit:
        year, month = plan.deposit.split("-")
        rows.append(("Nộp lưu chiểu", f"Tháng {int(month)}/{year}"))
    if not has_colophon(plan):
        rows = []  # the issue printed without a colophon
    for r, (label, value) in enumerate(rows, 1):
        out += [_Para(label, "cell", r, 1), _Para(value, "cell", r, 2)]
    return [_Para(nfc(p.text), p.role, p.row, p.col) for p in out]


def truth_text(plan: IssuePlan) -> str:
    return "\n".join(p.text for p in paragraphs(plan))


def header_text(plan: IssuePlan) -> str:
    return f"{plan.title} – {plan.printed_number}"


# --- the Word file ---------------------------------------------------------------------------

def _encoding_of(source: str, role: str) -> str:
    if source == "word-unicode":
        return "unicode"
    if source == "word-mixed":
        return {"title": "vni", "head": "vni", "banner": "vni", "cell": "unicode",
                "mast": "unicode"}.get(role, "tcvn3")
    return source.removeprefix("word-")


_FONTS = {"tcvn3": (".VnTime", ".VnTimeH"), "vni": ("VNI-Times", "VNI-Times"),
          "unicode": ("Times New Roman", "Times New Roman")}
_HEAD_FONTS = {"tcvn3": (".VnArial", ".VnArialH"), "vni": ("VNI-Helve", "VNI-Helve"),
               "unicode": ("Arial", "Arial")}


def _set_font(run_or_style_font: object, element: object, name: str) -> None:
    run_or_style_font.name = name  # type: ignore[attr-defined]
    element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:cs"), name)  # type: ignore[attr-defined]


def _write_text(paragraph: object, text: str, encoding: str, fonts: tuple[str, str], *,
                style_font: str = "", bold: bool = False, italic: bool = False,
                size: float = 0.0) -> None:
    """Runs of ``text`` in ``encoding``; a run whose font equals ``style_font`` carries no
    font of its own (the paragraph style gives it)."""
    if encoding == "unicode":
        runs = [(text, False)]
    elif encoding == "vni":
        runs = [(encode(text, "vni", strict=False), False)]
    else:
        runs = encode_runs(text, "tcvn3", strict=False)
    for raw, caps in runs:
        run = paragraph.add_run(raw)  # type: ignore[attr-defined]
        font = fonts[1] if caps else fonts[0]
        if font != style_font:
            _set_font(run.font, run._element, font)
        run.bold = bold or None
        run.italic = italic or None
        if size:
            run.font.size = Pt(size)


def _bullet(paragraph: object) -> None:
    """A Wingdings bullet as Word writes it: ``<w:sym w:font="Wingdings" w:char="F0A7"/>``."""
    run = paragraph.add_run()  # type: ignore[attr-defined]
    sym = OxmlElement("w:sym")
    sym.set(qn("w:font"), "Wingdings")
    sym.set(qn("w:char"), "F0A7")
    run._element.append(sym)
    paragraph.add_run(" ")  # type: ignore[attr-defined]


def word_docx(plan: IssuePlan) -> bytes:
    """The issue as the office typed it (``.docx`` bytes, deterministic)."""
    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.size = Pt(12)
    body_enc = _encoding_of(plan.source, "body")
    _set_font(normal.font, normal.element, _FONTS[body_enc][0])
    banner_enc = _encoding_of(plan.source, "banner")
    banner_style = d.styles.add_style("ChuyenMuc", WD_STYLE_TYPE.PARAGRAPH)
    _set_font(banner_style.font, banner_style.element, _HEAD_FONTS[banner_enc][1])
    banner_style.font.bold = True
    section = d.sections[0]
    _write_text(section.header.paragraphs[0], header_text(plan), body_enc, _FONTS[body_enc],
                italic=True, size=10)
    _write_text(section.footer.paragraphs[0], FOOTER_TEXT, body_enc, _FONTS[body_enc], size=9)
    rng = random.Random(f"{plan.seed}:{plan.issue_id}:word")
    table = None
    texts = paragraphs(plan)
    rows = max((p.row for p in texts if p.role == "cell"), default=0)
    for p in texts:
        enc = _encoding_of(plan.source, p.role)
        if p.role == "cell":
            if table is None:
                table = d.add_table(rows=rows, cols=2)
                table.style = "Table Grid"
            _write_text(table.cell(p.row - 1, p.col - 1).paragraphs[0], p.text, enc, _FONTS[enc],
                        bold=p.col == 1)
            continue
        if p.role == "banner":
            para = d.add_paragraph(style="ChuyenMuc")
            if plan.source in ("word-mixed", "word-tcvn3") or rng.random() < 0.3:
                _bullet(para)
            _write_text(para, p.text, enc, _HEAD_FONTS[enc], style_font=_HEAD_FONTS[enc][1])
            continue
        para = d.add_paragraph()
        if p.role in ("mast", "title"):
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _write_text(para, p.text, enc, _HEAD_FONTS[enc], bold=True,
                        size=20 if p.role == "title" else 12)
        elif p.role == "head":
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _write_text(para, p.text, enc, _HEAD_FONTS[enc], bold=True, size=14)
        elif p.role == "byline":
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _write_text(para, p.text, enc, _FONTS[enc], bold=True, italic=True)
        else:
            para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _write_text(para, p.text, enc, _FONTS[enc])
    d.core_properties.author = "Ban biên tập"
    buf = io.BytesIO()
    d.save(buf)
    return as_word_writes_it(buf.getvalue())


_SOFT = re.compile(r"(<w:t(?: [^>]*)?>)([^<]*\xad[^<]*)</w:t>")


def as_word_writes_it(data: bytes) -> bytes:
    """TCVN3 ``ư`` (0xAD) as ``<w:softHyphen/>``, and every zip entry dated 1980-01-01."""
    def fix(m: re.Match[str]) -> str:
        keep = '<w:t xml:space="preserve">'
        return keep + f"</w:t><w:softHyphen/>{keep}".join(m.group(2).split("\xad")) + "</w:t>"

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.startswith("word/") and info.filename.endswith(".xml"):
                body = _SOFT.sub(fix, body.decode("utf-8")).encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, _FIXED_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            z.writestr(entry, body)
    return out.getvalue()


# --- truth pages -------------------------------------------------------------------------------

def truth_document(plan: IssuePlan) -> WordDocument:
    """The issue as the reader should decode it, for the same Unicode rewrite the archive uses."""
    blocks = []
    for p in paragraphs(plan):
        bold = p.role in ("mast", "title", "head", "byline", "banner") or (p.role == "cell"
                                                                          and p.col == 1)
        size = {"title": 20.0, "head": 14.0}.get(p.role, 12.0)
        align = {"mast": "center", "title": "center", "head": "center", "byline": "right",
                 "body": "both"}.get(p.role, "")
        blocks.append(Block((Span(p.text, bold, p.role == "byline", size),), "", align,
                            1 if p.role == "cell" else 0, p.row, p.col))
    return WordDocument(tuple(blocks), (header_text(plan),), (FOOTER_TEXT,))


def write_word(plan: IssuePlan, folder: Path, container: str
               ) -> tuple[str, list[str], list[tuple[str, int, int]]]:
    """Write the issue's Word file; (file name, page texts, article spans)."""
    name = f"{plan.issue_id}.{container}"
    data = word_docx(plan)
    work = Path(tempfile.mkdtemp(prefix="word-"))
    try:
        source = work / f"{plan.issue_id}.docx"
        source.write_bytes(data)
        if container == "docx":
            _write_atomic(folder / name, data)
        else:
            converted = office.convert(source, container, work / "out", profile_root=work / "lo")
            _write_atomic(folder / name, converted.read_bytes())
        truth_docx = work / "truth.docx"
        unicode_docx(truth_document(plan), truth_docx)
        pdf = office.convert(truth_docx, "pdf", work / "pdf", profile_root=work / "lo")
        texts = _page_texts(pdf)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return name, texts, _spans(plan, texts)


def _page_texts(pdf: Path) -> list[str]:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            text = page.get_textpage().get_text_range()
            lines = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
            out.append(nfc("\n".join(ln for ln in lines if ln)))
            page.close()
        return out
    finally:
        doc.close()


def _flat(text: str) -> str:
    return " ".join(text.split())


def _spans(plan: IssuePlan, texts: list[str]) -> list[tuple[str, int, int]]:
    flat = [_flat(t) for t in texts]
    spans = []
    page = 1
    for a in plan.articles:
        head = " ".join(a.title.split()[:3])
        first = next((n for n in range(page, len(flat) + 1) if head in flat[n - 1]), page)
        tail = " ".join(" ".join(a.paragraphs).split()[-3:])
        last = next((n for n in range(first, len(flat) + 1) if tail in flat[n - 1]), first)
        spans.append((a.key, first, last))
        page = first
    return spans


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
