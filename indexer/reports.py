"""Districts' reports taken in (issue 21): ``scans/reports/<review>/<unit>.*`` → the catalog.

Each report is read with the pipeline the bulletins use: a PDF's text layer
(``indexer.extract.page.extract_page``, which falls back to Tesseract for a scanned PDF), a
scan by Tesseract, a Word file by ``indexer.extract.wordfile`` (``.doc`` through LibreOffice);
cited documents by ``indexer.analyze.citations.find_citations``. A report is re-read only when
its file changed (sha256). A file that cannot be read is recorded with its problem (shown
on the reports page, naming the file) and the others go on.

Figures are prefilled only where a sentence states them plainly (*đã tiếp nhận 1.870 bản*,
*có 48/59 chi bộ sử dụng bản tin*, *tổ chức 4 cuộc khảo sát*), with that sentence kept as the
evidence; an editor confirms or corrects them on the desk (``archive.reporters.confirm``).

Reads ``district_report``; writes ``district_report`` and ``report_figure`` (machine columns).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from archive import reporters
from archive.catalog import Catalog
from archive.config import Config
from archive.errors import BadInput
from archive.models import PageTask
from archive.pdfiumlock import PDFIUM
from archive.vntext import fold, nfc
from indexer.analyze.citations import find_citations
from indexer.extract.page import extract_page
from indexer.extract.wordfile import read_word_file

log = logging.getLogger(__name__)

REPORTS = "reports"


@dataclass
class IntakeReport:
    read: int = 0
    current: int = 0
    failed: list[str] = field(default_factory=list)  # "file: problem"


def report_files(scans: Path) -> list[tuple[str, str, Path]]:
    """(review, unit, file) of every report under ``scans/reports/``; sidecars and hidden
    files left out; symbolic links leading outside ``scans/`` refused."""
    root = scans / REPORTS
    out: list[tuple[str, str, Path]] = []
    if not root.is_dir():
        return out
    base = scans.resolve()
    for review in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for f in sorted(review.iterdir()):
            if f.name.startswith(".") or f.suffix.lower() not in reporters.REPORT_KINDS or not f.is_file():
                continue
            if base not in f.resolve().parents:
                continue
            out.append((review.name, f.stem, f))
    return out


def intake(catalog: Catalog, config: Config, *, force: bool = False) -> IntakeReport:
    """Read every new or changed report under ``scans/reports/``."""
    result = IntakeReport()
    scans = config.home / "scans"
    for review, unit, path in report_files(scans):
        report_id = f"{review}/{unit}"
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        old = reporters.report_row(catalog, report_id)
        if old is not None and old["sha256"] == sha and not force:
            result.current += 1
            continue
        try:
            text, pages, method, conf = read_document(path, config)
            problem = ""
        except BadInput as e:
            text, pages, method, conf, problem = "", 0, "", 0.0, str(e)
            result.failed.append(f"{path.relative_to(scans)}: {e}")
        received, source = _received(path)
        refs = sorted({c.doc_id for c in find_citations(text)}) if text else []
        row = {"id": report_id, "review": review, "unit": unit, "path": path.relative_to(scans).as_posix(),
               "sha256": sha, "kind": reporters.REPORT_KINDS[path.suffix.lower()], "received": received,
               "received_from": source, "pages": pages, "text": text, "method": method,
               "confidence": conf, "refs": json.dumps(refs), "problem": problem}
        reporters.store_report(catalog, row, prefill(text))
        result.read += 1
    return result


def _received(path: Path) -> tuple[str, str]:
    sidecar = path.with_suffix(".toml")
    if sidecar.exists():
        try:
            value = str(tomllib.loads(sidecar.read_text(encoding="utf-8")).get("received", ""))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            value = ""
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return value, "sidecar"
    return date.today().isoformat(), "seen"


def read_document(path: Path, config: Config) -> tuple[str, int, str, float]:
    """(text, pages, method, mean confidence) of a report file; BadInput naming it if unreadable."""
    kind = reporters.REPORT_KINDS[path.suffix.lower()]
    if kind in ("docx", "doc", "odt", "rtf"):
        work = config.home / "index" / "cache" / "reports"
        work.mkdir(parents=True, exist_ok=True)
        doc = read_word_file(path, work_dir=work)
        return nfc(doc.text()), 1, "document", 100.0
    if kind == "pdf":
        import pypdfium2 as pdfium  # deferred: only PDFs need it

        with PDFIUM:  # pdfium is not thread-safe (archive/pdfiumlock.py)
            try:
                doc = pdfium.PdfDocument(str(path))
            except pdfium.PdfiumError as e:
                raise BadInput(path, f"not a readable PDF ({e})", "send the report again") from e
            try:
                count = len(doc)
            finally:
                doc.close()
        tasks = [PageTask(f"report:{path.name}/{n + 1}", str(path), "pdf", n, "") for n in range(count)]
    else:
        tasks = [PageTask(f"report:{path.name}/1", str(path), "images", 0, "")]
    results = [extract_page(t) for t in tasks]
    bad = [r for r in results if not r.method]
    if bad:
        raise BadInput(path, f"page {tasks[results.index(bad[0])].file_page + 1} could not be read "
                       f"({bad[0].error or 'no text'})", "send a clearer copy")
    text = "\f".join(r.text for r in results)
    words = [w for r in results for w in r.words]
    conf = sum(w.conf for w in words) / len(words) if words else 0.0
    methods = {r.method for r in results}
    return nfc(text), len(results), "ocr" if "ocr" in methods else "text", round(conf, 1)


_NUM = r"(\d{1,3}(?:[.,]\d{3})+|\d+)"
_RULES = (
    ("copies_received", re.compile(r"(?:tiep nhan|nhan duoc|nhan|duoc cap)\D{0,60}?" + _NUM + r"\s*(?:ban|cuon)\b")),
    ("cells_using", re.compile(r"\b" + _NUM + r"\s*/\s*\d+\s*chi bo\s*(?:\w+\s){0,3}?(?:su dung|dung)")),
    ("cells", re.compile(r"\b\d+\s*/\s*" + _NUM + r"\s*chi bo\b")),
    ("surveys", re.compile(r"\b" + _NUM + r"\s*(?:cuoc|dot|lan)\s*khao sat")),
)


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.;!?])\s+|\n+|\f", text)
    return [" ".join(p.split()) for p in parts if p.strip()]


def prefill(text: str) -> dict[str, tuple[int | None, str]]:
    """The figures a sentence states plainly, each with that sentence; a figure stated twice
    with different values is left empty (the editor decides)."""
    found: dict[str, set[int]] = {}
    evidence: dict[str, str] = {}
    for sentence in sentences(text):
        key = fold(sentence)
        for name, rule in _RULES:
            for m in rule.finditer(key):
                value = int(re.sub(r"[.,]", "", m.group(1)))
                found.setdefault(name, set()).add(value)
                evidence.setdefault(name, sentence)
    return {name: (next(iter(values)), evidence[name]) if len(values) == 1 else (None, "")
            for name, values in found.items()}
