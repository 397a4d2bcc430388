"""Downloads of an issue and its pages: the page image at full resolution, and the issue as one
PDF (the original when the issue was scanned to a PDF, else assembled from the page images with
an invisible text layer made from the stored word boxes, so the PDF can be searched and copied).

Why assembled with reportlab: it is already pinned (the sample archive's PDFs), writes JPEGs
into a PDF without re-encoding them, and draws text in render mode 3 (invisible), the way
OCRmyPDF's text layer works. Words come from the text in force (an editor's correction
included), placed at their boxes (page fractions) and stretched to the box width.

Files are made once and cached under ``index/cache/downloads/`` with names of hex digits only:
the page's source identity, and for a PDF the issue's identity plus the correction versions in
force, so a correction makes a new PDF and a stale one is never served. No request path reaches
the file system: callers pass catalog rows; sources are ``scans/`` + the catalog's path, checked
to stay inside ``scans/``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from archive.documents import DOCUMENT_KIND, derived_pdf_path
from archive.errors import BadInput
from archive.models import Issue, Page, Word
from indexer.extract.documentpdf import ensure_pdf
from indexer.extract.render import load_page_image

FULL_QUALITY = 88  # JPEG quality of the full-resolution page image
DEFAULT_DPI = 300.0  # render resolution of a PDF page whose resolution the catalog does not know
TEXT_FONT = "BantinText"
FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
              "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
              "/usr/share/fonts/truetype/freefont/FreeSans.ttf")
_lock = threading.Lock()
_font_ready = False


def source_path(scans: Path, relative: str) -> Path:
    """``scans/<relative>``, refused when it leads outside ``scans/`` or is missing."""
    root = scans.resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise BadInput(relative, "source outside scans/", "check the catalog; re-run ingest")
    if not path.is_file():
        raise BadInput(path, "source file is missing", "restore it or run `bantin ingest`")
    return path


def _hexname(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _write_atomic(target: Path, data_writer: Callable[[str], object]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
    os.close(fd)
    try:
        data_writer(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _render_source(scans: Path, cache_dir: Path, page: Page, issue: Issue) -> Path:
    if issue.source_kind == DOCUMENT_KIND:
        pdf = derived_pdf_path(cache_dir, issue.sha256)
        if not pdf.is_file():
            pdf = ensure_pdf(source_path(scans, page.file), cache_dir, issue.sha256, name=page.file).pdf
        return pdf
    return source_path(scans, page.file)


def page_dpi(page: Page) -> float:
    """The resolution the page is shown at full size: the scan's own, else 300 dpi."""
    return float(page.dpi) if page.dpi and page.dpi > 0 else DEFAULT_DPI


def full_image(scans: Path, cache_dir: Path, page: Page, issue: Issue) -> Path:
    """The page as a JPEG at full resolution (a scan's own pixels; a PDF page at its dpi)."""
    identity = page.sha256.lower() or _hexname(page.id, page.file)
    if not all(c in "0123456789abcdef" for c in identity):
        raise BadInput(page.id, "page identity is not a SHA-256", "run `bantin ingest` again")
    target = cache_dir / "downloads" / identity[:2] / f"{identity}-{int(page.file_page)}-full.jpg"
    if target.exists():
        return target
    with _lock:
        if target.exists():
            return target
        image = load_page_image(str(_render_source(scans, cache_dir, page, issue)), issue.source_kind
                                if issue.source_kind != DOCUMENT_KIND else "pdf", page.file_page, page_dpi(page))
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        dpi = round(page_dpi(page))
        _write_atomic(target, lambda tmp: image.save(tmp, "JPEG", quality=FULL_QUALITY, optimize=True,
                                                      dpi=(dpi, dpi)))
    return target


def original_pdf(scans: Path, cache_dir: Path, issue: Issue, pages: list[Page]) -> Path | None:
    """The issue's own PDF when it has one (scanned or typeset to one PDF file; a Word issue's
    printed PDF), else None."""
    if issue.source_kind == DOCUMENT_KIND:
        return _render_source(scans, cache_dir, pages[0], issue) if pages else None
    files = {p.file for p in pages}
    if issue.source_kind == "pdf" and len(files) == 1:
        return source_path(scans, files.pop())
    return None


def _font() -> str:
    global _font_ready
    if not _font_ready:
        for path in FONT_FILES:
            if Path(path).is_file():
                pdfmetrics.registerFont(TTFont(TEXT_FONT, path))
                _font_ready = True
                break
        else:
            raise BadInput(FONT_FILES[0], "no font with Vietnamese letters for the PDF text layer",
                           "install fonts-dejavu-core")
    return TEXT_FONT


def _text_layer(pdf: canvas.Canvas, words: Iterable[Word], width: float, height: float) -> None:
    """Each word drawn invisibly over its box: baseline near the box bottom, size from the box
    height, stretched to the box width (so selecting text selects the word on the scan)."""
    font = _font()
    for w in words:
        text = w.text.strip()
        x0, y0, x1, y1 = w.box
        if not text or x1 <= x0 or y1 <= y0:
            continue
        size = max(1.0, (y1 - y0) * height * 0.85)
        natural = pdfmetrics.stringWidth(text, font, size)
        obj = pdf.beginText()
        obj.setTextRenderMode(3)
        obj.setFont(font, size)
        if natural > 0:
            obj.setHorizScale(100.0 * (x1 - x0) * width / natural)
        obj.setTextOrigin(x0 * width, height - y1 * height + (y1 - y0) * height * 0.2)
        obj.textOut(text)
        pdf.drawText(obj)


def assembled_pdf(scans: Path, cache_dir: Path, issue: Issue, pages: list[tuple[Page, list[Word], int]],
                  *, title: str) -> Path:
    """The issue as one PDF from its full-resolution page images with the text layer.
    ``pages``: (page, words in force, correction version) in order."""
    versions = ",".join(f"{p.seq}:{p.sha256}:{v}" for p, _, v in pages)
    key = _hexname(issue.id, issue.sha256, versions, "pdf-v1")
    target = cache_dir / "downloads" / key[:2] / f"{key}.pdf"
    if target.exists():
        return target
    images = [(page, words, full_image(scans, cache_dir, page, issue)) for page, words, _ in pages]

    def write(tmp: str) -> None:
        # JPEGs go in as they are (DCTDecode): reportlab's default ASCII85-encodes them in pure
        # Python, which took 90 % of the time and adds a quarter to the size. Set back at once,
        # so nothing else that draws PDFs in this process (the sample archive) changes.
        saved = rl_config.useA85
        rl_config.useA85 = 0
        try:
            _draw(tmp)
        finally:
            rl_config.useA85 = saved

    def _draw(tmp: str) -> None:
        pdf = canvas.Canvas(tmp, pageCompression=1)
        pdf.setTitle(title)
        pdf.setAuthor("Bản tin")
        pdf.setSubject(issue.id)
        for page, words, jpeg in images:
            dpi = page_dpi(page)
            width = page.width_pt or (page.width_px or 1) * 72.0 / dpi
            height = page.height_pt or (page.height_px or 1) * 72.0 / dpi
            pdf.setPageSize((width, height))
            pdf.drawImage(str(jpeg), 0, 0, width=width, height=height)
            _text_layer(pdf, words, width, height)
            pdf.showPage()
        pdf.save()

    with _lock:
        if not target.exists():
            _write_atomic(target, write)
    return target
