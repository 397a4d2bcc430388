"""After an editor's correction: re-segment, re-analyse and reindex just what it touched.

Why here and synchronous: an editor who fixes a misread word expects a search for the right
word to find the article at once, and every count in the review to move. A correction of a
page re-segments its issue (the page text is what articles are cut from; editors' article
edits are replayed by :func:`indexer.segment.edits.apply_edits`), analyses the articles
whose text or labels changed, and rewrites the changed documents of the search index
(:func:`indexer.search.build.update_documents`). On one issue that is well under a second of work
besides the index update; the web app runs it inside the request that saved.

Crash safety: the correction itself commits first, with its documents in
``reindex_queue``; before re-segmenting, the issue's current article ids are queued too (so
articles the new segmentation drops are deleted from the index even if the process dies in
between). The index update removes the ids it covered from the queue. Whatever a crash
leaves behind, :func:`drain_queue` (``bantin refresh``) or ``bantin build`` catches up: the
segment stage sees the corrected page in its source key, the analysis its changed text, and
the index stage compares every document.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from archive.catalog import Catalog, now, queue_stamp
from archive.config import Config
from archive.editorial import fault_point
from indexer.analyze.stage import run_analyze
from indexer.extract.stage import run_extract
from indexer.search.build import update_documents
from indexer.search.generations import IndexStore
from indexer.segment.stage import run_segment

log = logging.getLogger(__name__)


@dataclass
class RefreshReport:
    issues: list[str] = field(default_factory=list)  # issues re-segmented (when changed)
    segmented: int = 0
    analyzed: int = 0
    indexed: int = 0  # index documents added or rewritten
    removed: int = 0  # index documents deleted
    seconds: float = 0.0
    index_skipped: bool = False  # no search index yet: `bantin build` makes it

    def summary(self) -> str:
        index = "no search index yet" if self.index_skipped else \
            f"{self.indexed} index documents rewritten, {self.removed} removed"
        return (f"refresh: {self.segmented} issues re-segmented, {self.analyzed} articles analysed, "
                f"{index}, {self.seconds:.2f} s")


def _article_ids(catalog: Catalog, issue_ids: Iterable[str]) -> list[str]:
    out: list[str] = []
    for issue_id in issue_ids:
        out += [r["id"] for r in catalog.query("SELECT id FROM article WHERE issue_id = ? ORDER BY seq",
                                               (issue_id,))]
    return out


def refresh(catalog: Catalog, config: Config, *, pages: Iterable[str] = (),
            articles: Iterable[str] = ()) -> RefreshReport:
    """Bring articles, analysis and the search index in line with corrections of ``pages``
    (page ids) and ``articles`` (article ids, including ones an edit removed)."""

    fault_point("refresh")
    started = time.monotonic()
    report = RefreshReport()
    pages, articles = list(pages), list(articles)
    page_ids = [p for p in dict.fromkeys(pages) if catalog.get_page(p) is not None]
    wanted = list(dict.fromkeys(articles))
    issues = list(dict.fromkeys(p.rsplit("/", 1)[0] for p in page_ids))
    before = _article_ids(catalog, issues)
    if before:
        with catalog.transaction() as db:  # so articles the new segmentation drops leave the index
            db.executemany("INSERT OR IGNORE INTO reindex_queue(doc_id, kind, at) VALUES (?,?,?)",
                           [(i, "article", queue_stamp()) for i in before])
    # what is queued now is what this refresh covers; a save made while it runs stays queued
    seen = {r["doc_id"]: r["at"] for r in catalog.query("SELECT doc_id, at FROM reindex_queue")}
    if issues:
        seg = run_segment(catalog, config, issue_ids=issues)
        report.segmented = seg.done
        report.issues = issues
        if seg.failed:
            log.warning("refresh: segmentation failed: %s", "; ".join(seg.failed))
    after = _article_ids(catalog, issues)
    present = {r["id"] for r in _existing(catalog, wanted)}
    to_analyze = list(dict.fromkeys([*after, *(i for i in wanted if i in present)]))
    if to_analyze:
        report.analyzed = run_analyze(catalog, config.home, only=to_analyze).analyzed
    ids = list(dict.fromkeys([*page_ids, *before, *after, *wanted]))
    if IndexStore(config.search_dir).current() is None:
        report.index_skipped = True  # nothing to update; `bantin build` builds it whole
    elif ids:
        r = update_documents(catalog, config, ids, forget={i: seen[i] for i in [*ids, *pages, *articles] if i in seen})
        report.indexed = r.added + r.updated
        report.removed = r.deleted
    report.seconds = time.monotonic() - started
    log.info("%s", report.summary())
    return report


def _existing(catalog: Catalog, ids: list[str]) -> list:  # type: ignore[type-arg]
    out = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        out += catalog.query(f"SELECT id FROM article WHERE id IN ({','.join('?' * len(chunk))})", chunk)
    return out


def drain_queue(catalog: Catalog, config: Config) -> RefreshReport | None:
    """Catch up with every correction still queued (after a crash, or a save whose refresh
    failed); None when the queue is empty."""
    rows = catalog.query("SELECT doc_id, kind FROM reindex_queue ORDER BY at")
    if not rows:
        return None
    pages = [r["doc_id"] for r in rows if r["kind"] == "page"]
    articles = [r["doc_id"] for r in rows if r["kind"] != "page"]
    return refresh(catalog, config, pages=pages, articles=articles)


def run_refresher(config: Config, stop: Callable[[], bool] = lambda: False, *,
                  poll: float = 0.2) -> None:
    """Drain ``reindex_queue`` until ``stop()``: the refresh process of ``bantin serve``.

    Why a process of its own: a correction's refresh is about a second of Python. Run in the
    saving request's thread it shared one interpreter (one core at a time) with up to eight
    searching threads of that server process, and under load took 5 to 10 seconds. In its own
    process it gets its share of the cores from the operating system, searches are not slowed
    by it, and the saving request only waits for it (``refresh_wait``, see
    :mod:`webapp.refreshing`). One refresh process per server, so refreshes never race each
    other; what a kill interrupts stays queued and is done when it starts again.
    """
    catalog = Catalog(config.catalog_path)
    store = IndexStore(config.search_dir)
    failures = 0
    try:
        while not stop():
            if store.current() is None or not catalog.query("SELECT 1 FROM reindex_queue LIMIT 1"):
                time.sleep(poll)  # no index yet (`bantin build` makes it whole) or nothing queued
                continue
            try:
                drain_queue(catalog, config)
                failures = 0
            except Exception:
                failures += 1
                wait = min(60.0, 2.0 ** failures)
                log.exception("refresh of queued corrections failed; trying again in %.0f s "
                              "(`bantin refresh` shows the error too)", wait)
                time.sleep(wait)
    finally:
        catalog.close()


STAGES = ("extract", "segment", "analyze", "index")


def rerun_stage(catalog: Catalog, config: Config, issue_id: str, stage: str) -> str:
    """Redo ``stage`` for one issue (forced), then every stage after it for that issue;
    returns a one-line summary. For the admin page: a scan replaced or a segmenter fixed."""

    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}: use one of {', '.join(STAGES)}")
    if catalog.get_issue(issue_id) is None:
        raise ValueError(f"no issue {issue_id} in the catalog")
    started = time.monotonic()
    parts = []
    before = _article_ids(catalog, [issue_id])
    if before:
        with catalog.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO reindex_queue(doc_id, kind, at) VALUES (?,?,?)",
                           [(i, "article", now()) for i in before])
    first = STAGES.index(stage)
    if first <= 0:
        r = run_extract(catalog, config, force=True, issue_ids=[issue_id], jobs=1)
        parts.append(f"trích xuất {r.done} trang, {len(r.failed)} lỗi")
    if first <= 1:
        s = run_segment(catalog, config, force=True, issue_ids=[issue_id])
        parts.append(f"tách được {s.articles} tin, bài, {len(s.failed)} lỗi")
    after = _article_ids(catalog, [issue_id])
    if first <= 2 and after:
        a = run_analyze(catalog, config.home, force=True, only=after)
        parts.append(f"phân tích {a.analyzed} tin, bài")
    if IndexStore(config.search_dir).current() is not None:
        pages = [p.id for p in catalog.pages(issue_id)]
        u = update_documents(catalog, config, [*pages, *before, *after])
        parts.append(f"chỉ mục: ghi lại {u.added + u.updated}, xoá {u.deleted}")
    return f"{issue_id}: " + "; ".join(parts) + f" ({time.monotonic() - started:.1f} giây)"
