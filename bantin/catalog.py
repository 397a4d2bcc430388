"""Verbs over the catalog itself: ``ingest``, ``extract``, ``build``, ``status``, ``export``,
``backup`` and ``restore``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from archive.backup import restore_backup, write_backup
from archive.errors import BantinError
from archive.export import PAGE_FIELDS, page_records
from archive.status import archive_status, format_status
from bantin.common import (
    State,
    echo_err,
    export_options,
    fail_partial,
    finish,
    jobs_option,
    pass_state,
    queue_option,
    write_export,
)
from bantin.stages import BUILD_STAGES, stage_extract, stage_ingest


@click.command()
@click.option("--forget-missing", is_flag=True,
              help="Drop issues whose source file disappeared from scans/ (kept by default).")
@pass_state
def ingest(state: State, forget_missing: bool) -> None:
    """Register the series, issues and pages found under scans/ in the catalog."""
    config = state.config()
    with state.catalog(config) as catalog:
        finish([stage_ingest(catalog, config, forget_missing=forget_missing)])


@click.command()
@jobs_option
@queue_option
@click.option("--force", is_flag=True, help="Redo every page, even those that are current.")
@click.option("--issue", "issue_ids", multiple=True, help="Only this issue id (repeatable).")
@pass_state
def extract(state: State, jobs: int | None, queue: str | None, force: bool,
            issue_ids: tuple[str, ...]) -> None:
    """Give every page its text: PDF text layer, legacy-font repair or Tesseract OCR."""
    config = state.config(jobs=jobs, queue=queue)
    with state.catalog(config) as catalog:
        finish([stage_extract(catalog, config, force=force, issue_ids=list(issue_ids) or None)])


@click.command()
@jobs_option
@queue_option
@click.option("--force", is_flag=True, help="Redo every stage's output, even where current.")
@pass_state
def build(state: State, jobs: int | None, queue: str | None, force: bool) -> None:
    """Run every stage in order (ingest, extract, ...), each doing only what is out of date."""
    config = state.config(jobs=jobs, queue=queue)
    outcomes = []
    with state.catalog(config) as catalog:
        for _name, stage in BUILD_STAGES:
            outcome = stage(catalog, config, force=force)
            click.echo(outcome.summary)
            outcomes.append(outcome)
    if any(o.failed for o in outcomes):
        fail_partial()


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@queue_option
@pass_state
def status(state: State, as_json: bool, queue: str | None) -> None:
    """Issues, pages, methods, OCR confidence and failures per series and year (and, with a
    queue, its depth, the workers answering and the run's pages per minute)."""
    config = state.config(queue=queue)
    if not config.catalog_path.exists():
        report: dict[str, Any] = {"years": [], "totals": {"issues": 0, "pages": 0, "extracted": 0,
                                                          "failures": 0},
                                  "problems": [], "missing_sources": []}
    else:
        with state.catalog(config) as catalog:
            report = archive_status(catalog)
    if config.queue:
        report["queue"] = _queue_status(config.queue)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(format_status(report))
        if "queue" in report:
            click.echo(format_queue(report["queue"]))


def _queue_status(url: str) -> dict[str, Any]:
    from indexer.extract.queue import queue_status  # deferred: celery and redis, only with a queue

    try:
        return queue_status(url)
    except BantinError as e:
        echo_err(f"cảnh báo: {e}")
        return {"url": url, "error": str(e)}


def format_queue(q: dict[str, Any]) -> str:
    """The queue's lines of `bantin status`."""
    if "error" in q:
        return f"Hàng đợi {q['url']}: không trả lời"
    state = "đang chạy" if q["running"] else "không chạy"
    workers = ", ".join(q["workers"]) or "không có"
    return "\n".join([
        f"Hàng đợi {q['url']}: {q['depth']} trang chờ, {q['in_flight']} đã gửi chưa xong",
        f"  máy đọc ({len(q['workers'])}): {workers}",
        f"  lượt chạy ({state}): {q['done']}/{q['total']} trang, {q['failed']} lỗi, "
        f"{q['pages_per_minute']:.1f} trang/phút",
    ])


@click.command("pages")
@export_options
@pass_state
def export_pages(state: State, fmt: str, out: str | None) -> None:
    """One record per page: series, year, number, page, method, confidence, text, ..."""
    with state.catalog() as catalog:
        write_export(page_records(catalog), PAGE_FIELDS, fmt, out)


@click.command()
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="The backup file (ZIP).")
@pass_state
def backup(state: State, out: str) -> None:
    """Write a consistent copy of everything not derived (catalog, corrections, users...)."""
    manifest = write_backup(state.config(), Path(out))
    tables = manifest["tables"]
    click.echo(f"backup written to {out}: " + ", ".join(
        f"{t} {n}" for t, n in tables.items() if t in {"issue", "page", "article", "account",
                                                        "page_version", "collection"}))


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace the catalog of a home that holds data.")
@pass_state
def restore(state: State, file: str, force: bool) -> None:
    """Read a backup into the home (refuses to overwrite one holding data without --force)."""
    manifest = restore_backup(state.config(), Path(file), force=force)
    click.echo(f"restored backup of {manifest['created']}; run `bantin build` to rebuild the "
               "search index")
