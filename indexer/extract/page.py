"""Extract: one page in, its text, words and confidence out, by the best method the page offers.

Order of preference, decided per page:

1. ``text``   the PDF's own Unicode text layer (``indexer.extract.textlayer``);
2. ``legacy`` a text layer typed in TCVN3 (ABC) or VNI fonts, repaired to Unicode
              (``indexer.extract.legacy``); when the repair is not confident the page is OCR'd
              and the result's ``note`` says why;
3. ``ocr``    Tesseract on the rendered page or the image (``indexer.extract.ocr``).

:func:`extract_page` is the seam between the stage and its workers: a picklable
:class:`~archive.models.PageTask` in, a :class:`~archive.models.PageResult` out, no catalog,
no shared state, so a process pool here (or a queue on other machines later) can run it.
It never raises: a failure comes back as a result with ``error`` set, naming the file.
"""

from __future__ import annotations

import logging
import time
import traceback

from archive.errors import BantinError
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


def _extract(task: PageTask) -> PageResult:
    note = ""
    if task.source_kind == "pdf" and not task.force_ocr:
        result, note = textlayer.extract_text_page(task)
        if result is not None:
            return result

    return ocr.ocr_page(task, note=note)


def _with_seconds(result: PageResult, seconds: float) -> PageResult:
    from dataclasses import replace

    return replace(result, seconds=round(seconds, 3))


def method_keys(settings: object) -> dict[str, str]:
    """The current settings key of each method: a page whose stored key differs is redone.
    Raises MissingDependency when Tesseract (or its language) is not installed."""

    return {**text_method_keys(), "ocr": ocr.settings_key(settings)}  # type: ignore[arg-type]


def text_method_keys() -> dict[str, str]:
    """The keys of the methods that need no Tesseract (text layers, legacy repair)."""

    return {"text": textlayer.settings_key("text"), "legacy": textlayer.settings_key("legacy")}
