"""Extract: one page in, its text, words and confidence out, by the best method the page offers.

Order of preference, decided per page:

1. ``text``   the PDF's own Unicode text layer (``indexer.extract.textlayer``);
2. ``legacy`` a text layer typed in TCVN3 (ABC) or VNI fonts, repaired to Unicode
              (``indexer.extract.legacy``); when the repair is not confident the page is OCR'd
              and the result's ``note`` says why;
3. ``ocr``    Tesseract on the rendered page or the image (``indexer.extract.ocr``).

A Word issue's pages (``source_kind`` "document") are pages of the PDF printed from its
decoded text (``indexer.extract.documentpdf``; ``task.path`` is that PDF): read through the text
layer like a PDF, recorded as method ``document`` with the decoded encodings.

:func:`extract_page` is the seam between the stage and its workers: a picklable
:class:`~archive.models.PageTask` in, a :class:`~archive.models.PageResult` out, no catalog,
no shared state, so a process pool here (or a queue on other machines later) can run it.
It never raises: a failure comes back as a result with ``error`` set, naming the file.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from dataclasses import replace
from pathlib import Path

from archive.documents import DOCUMENT_KIND
from archive.errors import BadInput, BantinError
from archive.models import PageResult, PageTask
from indexer.extract import ocr, textlayer

log = logging.getLogger(__name__)


def extract_page(task: PageTask) -> PageResult:
    started = time.monotonic()
    try:
        result = _extract(task)
    except BantinError as e:
        result = PageResult(page_id=task.page_id, sha256=task.sha256, method="", error=str(e))
    except Exception as e:  # a worker must answer for its page whatever happens
        log.debug("page %s failed:\n%s", task.page_id, traceback.format_exc())
        result = PageResult(page_id=task.page_id, sha256=task.sha256, method="",
                            error=f"{task.path} page {task.file_page + 1}: {type(e).__name__}: {e}")
    return _with_seconds(result, time.monotonic() - started)


def failure(task: PageTask, message: str) -> PageResult:
    """A page's failed result, naming its file and page (a crash, a timeout, a lost worker)."""
    return PageResult(page_id=task.page_id, sha256=task.sha256, method="",
                      error=f"{task.path} page {task.file_page + 1}: {message}")


def _extract(task: PageTask) -> PageResult:
    note = ""
    if task.source_kind == DOCUMENT_KIND:
        return _document_page(task)
    if task.source_kind == "pdf" and not task.force_ocr:
        result, note = textlayer.extract_text_page(task)
        if result is not None:
            return result

    return ocr.ocr_page(task, note=note)


def _document_page(task: PageTask) -> PageResult:
    from indexer.extract import documentpdf, textlayer  # deferred like the other methods (python-docx)

    if not os.path.isfile(task.path):
        raise BadInput(task.path, "the PDF printed from this Word file is missing",
                       "run `bantin ingest` (it prints it again), then extract")
    result, note = textlayer.extract_text_page(task)
    if result is None:  # a PDF we printed in a Unicode font always has a text layer
        raise BadInput(task.path, f"the PDF printed from this Word file has no usable text ({note})",
                       "report this file")
    encoding = documentpdf.encodings_label(documentpdf.read_encodings(Path(task.path)))
    return replace(result, method=DOCUMENT_KIND, encoding=encoding,
                   settings_key=document_settings_key())


def document_settings_key() -> str:
    """The ``document`` method's key (the reader and LibreOffice are part of the page identity)."""
    return textlayer.settings_key("text") + ";document=1"


def _with_seconds(result: PageResult, seconds: float) -> PageResult:
    return replace(result, seconds=round(seconds, 3))


def method_keys(settings: object) -> dict[str, str]:
    """The current settings key of each method: a page whose stored key differs is redone.
    Raises MissingDependency when Tesseract (or its language) is not installed."""

    return {**text_method_keys(), "ocr": ocr.settings_key(settings)}  # type: ignore[arg-type]


def text_method_keys() -> dict[str, str]:
    """The keys of the methods that need no Tesseract (text layers, legacy repair)."""

    return {"text": textlayer.settings_key("text"), "legacy": textlayer.settings_key("legacy"),
            DOCUMENT_KIND: document_settings_key()}
