"""``write_sample``: the whole sample archive, issues rendered in parallel, truth written last.

Issues are independent, so a process pool renders them (one issue per task, the costly
scans first); results come back as truth records and are written in plan order, so the
output does not depend on which worker finished first.

Never clobbers a user's originals: a ``scans/`` holding anything (but its README) is
refused unless ``force``; with ``force`` only the files a previous sample run listed in
``sample-truth/manifest.json`` are removed, and same-named files are overwritten.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from archive.errors import UsageError
from samplegen.colophon import issue_record
from samplegen.layout import FOOTER_TEXT
from samplegen.plan import ArchivePlan
from samplegen.render_word import WORD_SOURCES, header_text, truth_text
from samplegen.reports import write_reports
from samplegen.truth import TRUTH_DIR, article_records, write_json, write_jsonl, write_series
from samplegen.writer import IssueOutput, container_for, write_issue

log = logging.getLogger(__name__)
SCAN_COST = {"scan-photo": 4, "scan-300": 3, "scan-old": 2}


@dataclass(frozen=True)
class SampleReport:
    issues: int
    pages: int
    articles: int
    seconds: float
    by_source: dict[str, tuple[int, int]]  # kind → (issues, pages)


def scans_entries(scans: Path) -> list[Path]:
    """What a user has in scans/ (the README and hidden files do not count)."""
    if not scans.exists():
        return []
    return [p for p in scans.iterdir() if not p.name.startswith(".") and p.name.lower() != "readme.md"]


def holds_issues(scans: Path) -> bool:
    """True when scans/<series>/<year>/ holds at least one file or folder."""
    for series in scans_entries(scans):
        if series.is_dir():
            for year in series.iterdir():
                if year.is_dir() and any(not e.name.startswith(".") for e in year.iterdir()):
                    return True
    return False


def write_sample(home: Path, plan: ArchivePlan, *, force: bool = False, jobs: int = 0,
                 progress: Callable[[int, int], None] | None = None) -> SampleReport:
    """Render ``plan`` into ``home/scans`` and its truth into ``home/sample-truth``."""
    started = time.monotonic()
    scans = home / "scans"
    truth = home / TRUTH_DIR
    if scans_entries(scans) and not force:
        raise UsageError(f"{scans} is not empty: `bantin sample` never writes over originals "
                         "(use an empty --home, or --force to replace a previous sample)")
    if force:
        _remove_previous(scans, truth)
    scans.mkdir(parents=True, exist_ok=True)

    turns: dict[str, int] = {}
    tasks = []
    for issue in plan.issues:
        turn = turns.get(issue.source, 0)
        turns[issue.source] = turn + 1
        tasks.append((issue, container_for(issue, turn)))
    order = sorted(range(len(tasks)), key=lambda i: -SCAN_COST.get(tasks[i][0].source, 1))
    outputs: dict[str, IssueOutput] = {}
    workers = jobs or os.cpu_count() or 1
    if workers == 1 or len(tasks) <= 1:
        for k, i in enumerate(order, 1):
            issue, container = tasks[i]
            outputs[issue.issue_id] = write_issue(issue, scans, container)
            if progress:
                progress(k, len(tasks))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(write_issue, tasks[i][0], scans, tasks[i][1]) for i in order]
            for k, future in enumerate(futures, 1):
                out = future.result()
                outputs[out.issue_id] = out
                if progress:
                    progress(k, len(tasks))

    written = write_series(scans, plan)
    pages, articles, issues = [], [], []
    by_source: dict[str, tuple[int, int]] = {}
    for issue in plan.issues:
        out = outputs[issue.issue_id]
        written += list(out.paths)
        pages += list(out.pages)
        spans = {key: (first, last) for key, first, last in out.spans}
        articles += article_records(issue, spans)
        issues.append(issue_record(issue, len(out.pages)))
        n_issues, n_pages = by_source.get(issue.source, (0, 0))
        by_source[issue.source] = (n_issues + 1, n_pages + len(out.pages))
    write_jsonl(truth / "pages.jsonl", pages)
    write_jsonl(truth / "documents.jsonl", document_records(plan, outputs))
    write_jsonl(truth / "articles.jsonl", articles)
    write_jsonl(truth / "issues.jsonl", issues)
    report_files, report_truth = write_reports(home, plan.issues[0].seed if plan.issues else 1)
    written += report_files
    write_jsonl(truth / "reports.jsonl", report_truth)
    write_json(truth / "gaps.json", list(plan.gaps))
    write_json(truth / "manifest.json", {"files": sorted(written)})
    seconds = round(time.monotonic() - started, 2)
    log.debug("sample: %d issues, %d pages, %d articles in %.1f s", len(plan.issues), len(pages),
             len(articles), seconds)
    return SampleReport(len(plan.issues), len(pages), len(articles), seconds, by_source)


def document_records(plan: ArchivePlan, outputs: dict[str, IssueOutput]) -> list[dict[str, object]]:
    """``documents.jsonl``: per Word issue, the text the reader must return (reading order,
    one paragraph or table cell a line; running lines apart)."""
    out: list[dict[str, object]] = []
    for issue in plan.issues:
        if issue.source not in WORD_SOURCES:
            continue
        rel = outputs[issue.issue_id].paths[0]
        out.append({"issue": issue.issue_id, "file": rel, "scan": issue.source,
                    "container": rel.rsplit(".", 1)[-1], "text": truth_text(issue),
                    "header": header_text(issue), "footer": FOOTER_TEXT})
    return out


def _remove_previous(scans: Path, truth: Path) -> None:
    """Remove what the previous sample run wrote (listed in its manifest), nothing else."""
    import json

    manifest = truth / "manifest.json"
    if not manifest.exists():
        return
    try:
        files = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
    except (ValueError, OSError) as e:
        log.warning("%s unreadable (%s); previous sample files are left in place", manifest, e)
        return
    root = scans.resolve()
    for rel in files:
        path = (scans / rel).resolve()
        if root not in path.parents:  # a manifest naming anything outside scans/ is ignored
            continue
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
