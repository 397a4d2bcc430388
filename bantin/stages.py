"""The stages of ``bantin build``, in order, written once: :data:`BUILD_STAGES`.

Each stage function takes the open catalog and the settings, does only what is out of date
(everything with ``force``) and returns a :class:`~bantin.common.StageOutcome`. The stage
packages are imported inside the functions: each pulls in heavy libraries (pypdfium2,
Tesseract bindings, Whoosh, scikit-learn), and ``bantin --help`` should not pay for them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from archive.catalog import Catalog
from archive.config import Config
from archive.progress import Progress
from bantin.common import StageOutcome, echo_err


def stage_ingest(catalog: Catalog, config: Config, *, forget_missing: bool = False,
                 **_: Any) -> StageOutcome:
    from archive.ingest import ingest_scans  # deferred: pypdfium2 and PIL
    from indexer.extract.documentpdf import DocumentPrinter  # deferred: Word files, python-docx

    printer = DocumentPrinter(config.cache_dir, timeout=config.office_timeout)
    r = ingest_scans(catalog, config.scans, forget_missing=forget_missing, documents=printer)
    for line in r.problems:
        echo_err(f"lỗi: {line}")
    for line in r.warnings:
        echo_err(f"cảnh báo: {line}")
    for issue_id in r.missing:
        echo_err(f"cảnh báo: {issue_id}: source file no longer in scans/; rows kept "
                 "(run `bantin ingest --forget-missing` to drop them)")
    parts = [f"{len(r.added)} new", f"{len(r.changed)} changed", f"{len(r.unchanged)} unchanged"]
    if r.updated_metadata:
        parts.append(f"{len(r.updated_metadata)} metadata updated")
    if r.missing:
        parts.append(f"{len(r.missing)} missing")
    if r.forgotten:
        parts.append(f"{len(r.forgotten)} forgotten")
    if r.problems:
        parts.append(f"{len(r.problems)} failed")
    return StageOutcome("ingest: issues " + ", ".join(parts), r.failed)


def stage_extract(catalog: Catalog, config: Config, *, force: bool = False,
                  issue_ids: list[str] | None = None, **_: Any) -> StageOutcome:
    from indexer import extract  # deferred: pdfplumber, pypdfium2, numpy

    r = extract.run(catalog, config, force=force, issue_ids=issue_ids)
    for line in r.failed:
        echo_err(f"lỗi: {line}")
    methods = ", ".join(f"{k} {v}" for k, v in sorted(r.by_method.items())) or "none"
    fixed = (f", {r.corrections.corrections} OCR words corrected on {r.corrections.pages} pages"
             if r.corrections.pages else "")
    if r.reordered:
        fixed += f", {r.reordered} OCR pages put in reading order without a new read"
    return StageOutcome(f"extract: {r.done} pages done ({methods}), {r.skipped} current, "
                        f"{len(r.failed)} failed{fixed}, {r.seconds:.1f} s", bool(r.failed))


def stage_segment(catalog: Catalog, config: Config, *, force: bool = False,
                  issue_ids: list[str] | None = None, **_: Any) -> StageOutcome:
    from indexer import segment  # deferred: numpy

    r = segment.run(catalog, config, force=force, issue_ids=issue_ids)
    for line in r.failed:
        echo_err(f"lỗi: {line}")
    waiting = f", {r.waiting} waiting for page text" if r.waiting else ""
    return StageOutcome(f"segment: {r.done} issues segmented ({r.articles} articles), "
                        f"{r.skipped} current{waiting}, {len(r.failed)} failed, "
                        f"{r.seconds:.1f} s", bool(r.failed))


def stage_analyze(catalog: Catalog, config: Config, *, force: bool = False,
                  **_: Any) -> StageOutcome:
    from indexer import analyze  # deferred: scikit-learn

    r = analyze.run(catalog, config, force=force)
    for line in r.failed:
        echo_err(f"lỗi: {line}")
    return StageOutcome(r.summary(), bool(r.failed))


def stage_index(catalog: Catalog, config: Config, *, force: bool = False,
                **_: Any) -> StageOutcome:
    from indexer import search  # deferred: Whoosh

    report = search.run(catalog, config, rebuild=force)
    return StageOutcome(report.summary())


def stage_images(catalog: Catalog, config: Config, **_: Any) -> StageOutcome:
    """Every page's thumbnail drawn ahead, so an issue page never waits for one (the viewer
    sizes are rendered in the background when a reader first opens an issue). Pages whose
    thumbnail is cached are skipped; ``--force`` does not redraw them (a replaced scan has a
    new cache name anyway)."""
    from webapp import pageimage  # deferred: pypdfium2 and PIL

    started = time.monotonic()
    issues = {i.id: i for i in catalog.issues(include_missing=False)}
    # a page extract could not read has been named by it already; the web app draws it on request
    todo = [p for issue_id in issues for p in catalog.pages(issue_id)
            if not pageimage.cache_path(config.cache_dir, p, "thumb").exists()
            and catalog.page_text(p.id) is not None]
    failed = []
    with Progress(len(todo), "images") as bar:
        for page in todo:
            issue = issues[page.issue_id]
            try:
                pageimage.thumbnail_file(config.scans, config.cache_dir, page, issue.source_kind,
                                         issue_sha=issue.sha256)
            except Exception as e:  # noqa: BLE001  (one unreadable page: named, counted, skipped)
                failed.append(page.id)
                echo_err(f"lỗi: {page.id}: thumbnail not drawn: {e}")
            bar.advance(failed=page.id in failed)
    total = sum(len(catalog.pages(i)) for i in issues)
    return StageOutcome(f"images: {len(todo) - len(failed)} thumbnails drawn, "
                        f"{total - len(todo)} current, {len(failed)} failed, "
                        f"{time.monotonic() - started:.1f} s", bool(failed))


def stage_reports(catalog: Catalog, config: Config, *, force: bool = False,
                  **_: Any) -> StageOutcome:
    """The districts' reports under ``scans/reports/`` read like the issues (issue 21)."""
    from indexer.reports import intake  # deferred: the extractors' libraries

    result = intake(catalog, config, force=force)
    for line in result.failed:
        echo_err(f"report not read: {line}")
    return StageOutcome(f"reports: {result.read} read, {result.current} current, {len(result.failed)} failed",
                        failed=bool(result.failed))


# `bantin build` runs these in this order: each reads what the stages before it wrote
# (analyze the articles segment wrote; images only the pages; index, last, everything).
BUILD_STAGES: list[tuple[str, Callable[..., StageOutcome]]] = [
    ("ingest", stage_ingest),
    ("extract", stage_extract),
    ("segment", stage_segment),
    ("analyze", stage_analyze),
    ("images", stage_images),
    ("reports", stage_reports),  # the districts' reports (scans/reports/), read like the issues
    ("index", stage_index),
]
