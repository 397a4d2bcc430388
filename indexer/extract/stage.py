"""Runs the extract stage over a process pool and commits each page as it arrives.

Why this shape: OCR is CPU-bound and a page is the natural unit of parallel work
(as in OCRmyPDF). Workers only compute (:func:`indexer.extract.page.extract_page`); this process
alone writes the catalog, one transaction per page, so ``kill -9`` loses only the pages in
flight and a rerun redoes exactly those. A page that hangs is failed after its timeout and
the pool is restarted; a worker that crashes fails the pages that were in flight with it only
after they crash a second time, so one bad page cannot take its neighbours down.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import logging
import multiprocessing
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archive.catalog import Catalog
from archive.config import Config
from archive.documents import DOCUMENT_KIND, derived_pdf_path
from archive.errors import BadInput, MissingDependency
from archive.models import OcrSettings, PageResult, PageTask, Word, words_json
from archive.progress import Progress
from indexer.extract import ocr
from indexer.extract.documentpdf import ensure_pdf
from indexer.extract.ocrcorrect import CorrectReport, raw_words_json, run_corrections
from indexer.extract.page import extract_page, failure, method_keys, text_method_keys

log = logging.getLogger(__name__)


@dataclass
class ExtractReport:
    done: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)  # "page id: message"
    by_method: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    corrections: CorrectReport = field(default_factory=CorrectReport)
    reordered: int = 0  # OCR pages put in reading order from their stored words, not read again


def ocr_settings(config: Config) -> OcrSettings:
    return OcrSettings(lang=str(config.ocr_lang), dpi=int(config.ocr_dpi),
                       timeout=float(config.ocr_timeout))


def pending_tasks(catalog: Catalog, config: Config, *, force: bool = False,
                  issue_ids: Iterable[str] | None = None) -> tuple[list[PageTask], int]:
    """Pages whose text is missing, stale (source or settings changed) or failed; and the
    count of pages that are current and will be skipped."""
    settings = ocr_settings(config)
    no_ocr: MissingDependency | None = None
    try:
        keys = method_keys(settings)
    except MissingDependency as e:  # no Tesseract: PDFs with a text layer can still be read
        keys, no_ocr = text_method_keys(), e
    wanted = set(issue_ids) if issue_ids is not None else None
    rows = catalog.query(
        "SELECT p.id, p.file, p.file_page, p.sha256, i.source_kind, i.id AS issue_id,"
        " i.sha256 AS issue_sha,"
        " t.sha256 AS text_sha, t.method, t.settings_key"
        " FROM page p JOIN issue i ON i.id = p.issue_id LEFT JOIN page_text t ON t.page_id = p.id"
        " WHERE i.missing = 0 ORDER BY i.series, i.year, CAST(i.number AS INTEGER), i.number, i.suffix, p.seq")
    tasks, skipped = [], 0
    printed: dict[str, Path] = {}
    for r in rows:
        if wanted is not None and r["issue_id"] not in wanted:
            continue
        current = r["text_sha"] == r["sha256"] and (
            r["method"] in keys and r["settings_key"] == keys[r["method"]] or
            (no_ocr is not None and r["method"] == "ocr"))  # kept: it cannot be read again
        if current and not force:
            skipped += 1
            continue
        path = config.scans / r["file"]
        if r["source_kind"] == DOCUMENT_KIND:
            path = _document_pdf(config, path, r["issue_sha"], printed)
        tasks.append(PageTask(page_id=r["id"], path=str(path),
                              source_kind=r["source_kind"], file_page=r["file_page"],
                              sha256=r["sha256"], settings=settings))
    if no_ocr is not None and any(t.source_kind not in ("pdf", DOCUMENT_KIND) for t in tasks):
        raise no_ocr  # scans to read and nothing to read them with: say so before starting
    return tasks, skipped


def _document_pdf(config: Config, source: Path, issue_sha: str, printed: dict[str, Path]) -> Path:
    """The derived PDF of a Word issue, printed again when the cache lost it (a failure is
    logged here and reported by the page's worker, which finds no PDF)."""
    if issue_sha in printed:
        return printed[issue_sha]
    path = derived_pdf_path(config.cache_dir, issue_sha)
    if not path.is_file():
        try:
            path = ensure_pdf(source, config.cache_dir, issue_sha,
                              timeout=float(config.office_timeout),
                              name=source.relative_to(config.scans).as_posix()).pdf
        except BadInput as e:
            log.warning("%s", e)
    printed[issue_sha] = path
    return path


def _init_worker(temp_root: str | None = None, engine_mode: str = "library") -> None:
    # Tesseract's own threads make parallel pages 5-25x slower: one thread per process.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    ocr.set_temp_root(temp_root)
    ocr.set_engine_mode(engine_mode)


def temp_root(config: Config) -> Path:
    """The OCR workers' temporary folders: inside the home's cache, cleaned at each run."""
    return config.cache_dir / "tmp"


def page_time_limit(config: Config) -> float:
    """Seconds after which a page that has not answered fails alone (its own OCR timeout, plus
    one page it may queue behind in the pool); the queue's workers use the same limit."""
    return 2 * float(config.ocr_timeout) + 60.0


class _Pool:
    """A process pool that can be torn down and rebuilt when a worker hangs or dies."""

    def __init__(self, jobs: int, temp: Path | None = None, engine_mode: str = "library") -> None:
        self.jobs = jobs
        self.temp = str(temp) if temp is not None else None
        self.engine_mode = engine_mode
        self.executor = self._new()

    def _new(self) -> cf.ProcessPoolExecutor:
        ctx = multiprocessing.get_context("forkserver")
        return cf.ProcessPoolExecutor(max_workers=self.jobs, mp_context=ctx,
                                      initializer=_init_worker,
                                      initargs=(self.temp, self.engine_mode))

    def restart(self) -> None:
        for proc in list(getattr(self.executor, "_processes", {}).values()):
            try:
                proc.kill()
            except (OSError, AttributeError):
                pass
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def reorder_read_pages(catalog: Catalog, settings: OcrSettings, *,
                       issue_ids: Iterable[str] | None = None) -> int:
    """OCR pages read in Tesseract's own order, their key otherwise today's, put in reading
    order (:func:`indexer.extract.ocr.reorder_stored`) without a new Tesseract read: their raw
    words (before the corrector) are reordered and stored with today's key, and the corrector
    then corrects them again as a fresh read (an editor's undo is kept: it is kept by words).
    One transaction per page; returns the number of pages."""
    try:
        key = ocr.settings_key(settings)
        unordered = ocr.settings_key(settings, unordered=True)
    except MissingDependency:
        return 0
    if ocr.options(settings)["order"] == "0":
        return 0
    rows = catalog.query(
        "SELECT t.page_id, t.sha256, t.settings_key, t.text, t.words, t.note, p.width_px,"
        " p.height_px, p.issue_id"
        " FROM page_text t JOIN page p ON p.id = t.page_id"
        " WHERE t.method = 'ocr' AND t.settings_key = ? AND t.sha256 = p.sha256", (unordered,))
    wanted = set(issue_ids) if issue_ids is not None else None
    done = 0
    for r in rows:
        if wanted is not None and r["issue_id"] not in wanted:
            continue
        raw = catalog.one("SELECT sha256, settings_key, words, applied_sha FROM ocr_raw"
                          " WHERE page_id = ?", (r["page_id"],))
        words = [Word.from_row(w) for w in json.loads(raw_words_json(r, raw))]
        ordered = ocr.reorder_stored(words, r["width_px"] or 0, r["height_px"] or 0,
                                     one_column=ocr.one_column(ocr.note_psm(r["note"])))
        confidence = round(sum(w.conf for w in ordered) / len(ordered), 2) if ordered else 0.0
        with catalog.transaction() as db:
            db.execute("UPDATE page_text SET text = ?, words = ?, confidence = ?, settings_key = ?"
                       " WHERE page_id = ? AND sha256 = ? AND settings_key = ?",
                       (ocr.page_text(ordered), words_json(ordered), confidence, key,
                        r["page_id"], r["sha256"], unordered))
        done += 1
    if done:
        log.info("put %d OCR pages read in Tesseract's order in reading order (no new read)", done)
    return done


def run_extract(catalog: Catalog, config: Config, *, force: bool = False,
                issue_ids: Iterable[str] | None = None, jobs: int | None = None) -> ExtractReport:
    """Extract every pending page (see :func:`pending_tasks`), committing page by page; OCR
    pages that only need their reading order put right are reordered first, not read again."""
    started = time.monotonic()
    reordered = 0 if force else reorder_read_pages(catalog, ocr_settings(config),
                                                   issue_ids=issue_ids)
    tasks, skipped = pending_tasks(catalog, config, force=force, issue_ids=issue_ids)
    report = ExtractReport(skipped=skipped, reordered=reordered)
    jobs = jobs or config.job_count
    temp = temp_root(config)
    left = ocr.clean_temp(temp)
    if left:
        log.info("removed %d temporary folders left by OCR workers that were stopped: %s",
                 len(left), ", ".join(left[:5]))
    if not tasks:
        report.corrections = run_corrections(catalog)
        report.seconds = time.monotonic() - started
        return report
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    ocr.set_temp_root(temp)  # pages read in this process (one job)
    ocr.set_engine_mode(config.ocr_engine)

    def commit(result: PageResult) -> None:
        catalog.put_page_result(result)
        if result.failed:
            report.failed.append(f"{result.page_id}: {result.error}")
            log.debug("extract failed: %s: %s", result.page_id, result.error)
        else:
            report.done += 1
            report.by_method[result.method] = report.by_method.get(result.method, 0) + 1

    with Progress(len(tasks), "extract") as bar:
        if config.queue:
            from indexer.extract.queue import run_queue  # deferred: celery and redis, only with a queue

            run_queue(tasks, catalog, config, commit, bar, limit=page_time_limit(config), force=force)
        elif jobs <= 1:
            for task in tasks:
                result = extract_page(task)
                commit(result)
                bar.advance(failed=result.failed)
        else:
            _run_pool(tasks, jobs, config, commit, bar)
    # post-OCR correction needs every page read first: its language model is the archive's
    # own born-digital and legacy-font pages (indexer.extract.ocrcorrect)
    report.corrections = run_corrections(catalog)
    report.seconds = time.monotonic() - started
    return report


def _run_pool(tasks: list[PageTask], jobs: int, config: Config, commit, bar: Progress) -> None:  # type: ignore[no-untyped-def]
    limit = page_time_limit(config)
    queue = list(reversed(tasks))
    crashes: dict[str, int] = {}
    pool = _Pool(jobs, temp_root(config), config.ocr_engine)
    inflight: dict[cf.Future[PageResult], tuple[PageTask, float]] = {}
    try:
        while queue or inflight:
            while queue and len(inflight) < jobs * 2:
                task = queue.pop()
                inflight[pool.executor.submit(extract_page, task)] = (task, time.monotonic())
            done, _ = cf.wait(inflight, timeout=5.0, return_when=cf.FIRST_COMPLETED)
            broken = False
            for fut in done:
                task, _t0 = inflight.pop(fut)
                try:
                    result = fut.result()
                except cf.process.BrokenProcessPool:
                    broken = True
                    crashes[task.page_id] = crashes.get(task.page_id, 0) + 1
                    if crashes[task.page_id] >= 2:
                        result = failure(task, "the worker crashed twice on this page")
                    else:
                        queue.append(task)
                        continue
                except Exception as e:  # pickling or pool errors: fail the page, go on
                    result = failure(task, f"{type(e).__name__}: {e}")
                commit(result)
                bar.advance(failed=result.failed)
            now = time.monotonic()
            hung = [f for f, (_t, t0) in inflight.items() if now - t0 > limit and f.running()]
            if hung or broken:
                for fut in hung:
                    task, _ = inflight.pop(fut)
                    result = failure(task, f"timed out after {limit:.0f} s")
                    commit(result)
                    bar.advance(failed=True)
                for task, _t0 in list(inflight.values()):
                    if broken:
                        crashes[task.page_id] = crashes.get(task.page_id, 0) + 1
                    queue.append(task)
                inflight.clear()
                pool.restart()
    finally:
        pool.close()
