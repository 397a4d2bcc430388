"""The segment stage: issues in the catalog → articles in the catalog, incrementally.

An issue is re-segmented only when what it is made from changed: its source key hashes, per
page, the page's source and extraction (sha256, method, settings), its text and words, any
editor's correction of it, plus the segmenter version and the sections list. Each issue is
written in one transaction (its articles, its state, its problems), so a crash loses only
the issue in flight. Article ids follow the id rule (:func:`indexer.segment.segmenter.make_article_id`),
so an article that did not change keeps its id, and its ``updated_at``, across reruns.

Page text is read through one function, :func:`effective_pages`, which takes editors'
corrections over machine text (``archive.editorial.effective_page``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from archive import issued, problemtext
from archive.catalog import Catalog, now
from archive.config import Config
from archive.editorial import effective_page, page_history
from archive.models import Article, Issue, Page
from archive.progress import Progress
from indexer.segment import colophons
from indexer.segment.edits import apply_edits
from indexer.segment.lines import PageWords
from indexer.segment.sections import SectionList, load_sections
from indexer.segment.segmenter import SEGMENTER_VERSION, Segmentation, segment_issue_report

log = logging.getLogger(__name__)


@dataclass
class SegmentReport:
    done: int = 0  # issues segmented
    skipped: int = 0  # issues whose articles are current
    waiting: int = 0  # issues with no page text yet (not extracted)
    articles: int = 0  # articles written by this run
    failed: list[str] = field(default_factory=list)  # "issue id: message"
    colophons: int = 0  # issues whose colophon was (re)read
    seconds: float = 0.0


def effective_pages(catalog: Catalog, issue_id: str) -> list[PageWords]:
    """The pages of an issue as segmentation reads them: the text in force (an editor's
    correction, else the current machine text), its words, method and page size. Pages
    without current text are left out."""

    out = []
    for page in catalog.pages(issue_id):
        version = effective_page(catalog, page.id)
        if version is None:
            continue
        width, height = _page_points(page)
        out.append(PageWords(page.seq, tuple(version.words), version.method or "text",
                             width, height, page.id))
    return out


def machine_pages(catalog: Catalog, issue_id: str) -> list[PageWords] | None:
    """The issue's pages as the machine read them (before editors' corrections), or None
    when no page of the issue is corrected: segmentation takes the roles of corrected lines
    from them (a spelling correction must not turn a title into body text)."""
    corrected = False
    out = []
    for page in catalog.pages(issue_id):
        history = page_history(catalog, page.id)
        if not history:
            continue
        corrected = corrected or len(history) > 1
        first = history[0]
        width, height = _page_points(page)
        out.append(PageWords(page.seq, tuple(first.words), first.method or "text", width, height, page.id))
    return out if corrected else None


def _page_points(page: Page) -> tuple[float, float]:
    if page.width_pt > 0 and page.height_pt > 0:
        return page.width_pt, page.height_pt
    if page.dpi > 0 and page.width_px > 0 and page.height_px > 0:
        return page.width_px * 72 / page.dpi, page.height_px * 72 / page.dpi
    return 0.0, 0.0


def _has_table(catalog: Catalog, name: str) -> bool:
    return catalog.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                       (name,)) is not None


def source_key(catalog: Catalog, issue_id: str, sections: SectionList) -> tuple[str, int, list[int]]:
    """(key, pages with text, page seqs without current text) of an issue."""
    digest = hashlib.sha1(f"{SEGMENTER_VERSION}|{sections.key}".encode())
    rows = catalog.query(
        "SELECT p.id, p.seq, p.sha256, p.width_pt, p.height_pt, p.width_px, p.height_px, p.dpi,"
        " t.sha256 AS text_sha, t.method, t.settings_key, t.text, length(t.words) AS nwords"
        " FROM page p LEFT JOIN page_text t ON t.page_id = p.id AND t.sha256 = p.sha256"
        " WHERE p.issue_id = ? ORDER BY p.seq", (issue_id,))
    versions: dict[str, tuple[int, str]] = {}
    if _has_table(catalog, "page_version"):
        for r in catalog.query(
                "SELECT v.page_id, v.version, v.text, length(v.words) AS nwords FROM page_version v"
                " JOIN page p ON p.id = v.page_id WHERE p.issue_id = ? ORDER BY v.version",
                (issue_id,)):
            versions[r["page_id"]] = (r["version"], f"{r['text']}|{r['nwords']}")
    present, missing = 0, []
    for r in rows:
        corrected = versions.get(r["id"])
        if r["text_sha"] is None and corrected is None:
            missing.append(r["seq"])
            continue
        present += 1
        digest.update(f"|{r['seq']}|{r['sha256']}|{r['method']}|{r['settings_key']}|"
                      f"{r['width_pt']}x{r['height_pt']}|{r['width_px']}x{r['height_px']}@{r['dpi']}|"
                      f"{r['nwords']}|".encode())
        digest.update((r["text"] or "").encode("utf-8"))
        if corrected is not None:
            digest.update(f"|v{corrected[0]}|{corrected[1]}".encode())
    return digest.hexdigest(), present, missing


def run_segment(catalog: Catalog, config: Config, *, force: bool = False,
                issue_ids: list[str] | None = None) -> SegmentReport:
    """Segment every issue whose pages changed since it was last segmented (all with
    ``force``), committing issue by issue."""
    started = time.monotonic()
    report = SegmentReport()
    sections = load_sections(config.home)
    wanted = set(issue_ids) if issue_ids else None
    issues = [i for i in catalog.issues(include_missing=False)
              if wanted is None or i.id in wanted]
    todo: list[tuple[Issue, str, list[int]]] = []
    keys: dict[str, str] = {}
    for issue in issues:
        key, present, missing = source_key(catalog, issue.id, sections)
        if not present:
            report.waiting += 1
            continue
        keys[issue.id] = key
        state = catalog.one("SELECT source_key FROM segment_state WHERE issue_id = ?", (issue.id,))
        if state is not None and state["source_key"] == key and not force:
            report.skipped += 1
            continue
        todo.append((issue, key, missing))
    titles = _series_titles(catalog)
    with Progress(len(todo), "segment") as bar:
        for issue, key, missing in todo:
            try:
                pages = effective_pages(catalog, issue.id)
                seg = segment_issue_report(issue, pages, sections=sections,
                                           series_titles=titles.get(issue.series, ()),
                                           machine_pages=machine_pages(catalog, issue.id))
                problems = list(seg.problems)
                if missing:
                    problems.insert(0, problemtext.no_text_yet(missing))
                store_segmentation(catalog, issue, seg, key, problems)
                report.done += 1
                report.articles += len(seg.articles)
            except sqlite3.OperationalError:
                raise  # a locked or broken catalog ends the stage (IndexLocked upstream)
            except Exception as e:  # one bad issue is recorded and skipped
                log.exception("segmenting %s failed", issue.id)
                message = problemtext.segment_failed(f"{type(e).__name__}: {e}")
                catalog.add_problem("segment", message, issue_id=issue.id)
                report.failed.append(f"{issue.id}: {message}")
            bar.advance(failed=False)
    _fill_dates(catalog)
    report.colophons = read_colophons(catalog, keys, force=force, scans=config.scans)
    report.seconds = time.monotonic() - started
    return report


def read_colophons(catalog: Catalog, keys: dict[str, str], *, force: bool = False,
                   scans: Path | None = None) -> int:
    """Read the colophon of every issue whose pages changed since it was last read (its
    segment key), issue by issue; a failure is a problem of that issue, not of the stage."""
    done = 0
    for issue_id, key in keys.items():
        if not force and not colophons.stale(catalog, issue_id, key):
            continue
        try:
            colophons.update(catalog, issue_id, effective_pages(catalog, issue_id), key, scans)
            done += 1
        except sqlite3.OperationalError:
            raise
        except Exception as e:  # a colophon that cannot be read is one issue's problem
            log.exception("reading the colophon of %s failed", issue_id)
            catalog.add_problem("segment", f"colophon not read: {type(e).__name__}: {e}", issue_id=issue_id)
    return done


def _series_titles(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for s in catalog.series():
        out[s.code] = tuple(dict.fromkeys([s.title, *(t.title for t in s.titles)]))
    return out


def store_segmentation(catalog: Catalog, issue: Issue, seg: Segmentation, key: str,
                       problems: list[str]) -> None:
    """Replace the issue's articles, state and problems in one transaction. Articles whose
    content did not change keep their ``updated_at``. The machine's articles go to
    ``article_machine``; ``article`` gets the articles in force (editors' splits, merges and
    field corrections replayed by :func:`indexer.segment.edits.apply_edits`)."""

    stamp = now()
    with catalog.transaction() as db:
        issued.remember(db, issue.id)  # ids in force before: never lost, never reused
        machine = issued.guard(db, issue.id, seg.articles)
        old = {r["id"]: r for r in db.execute("SELECT * FROM article WHERE issue_id = ?",
                                              (issue.id,))}
        db.execute("DELETE FROM article WHERE issue_id = ?", (issue.id,))
        effective = apply_edits(catalog, issue.id, machine)  # editors' edits replayed
        for a in effective:
            row = _row(a)
            previous = old.get(a.id)
            same = previous is not None and all(previous[k] == v for k, v in row.items())
            db.execute(
                "INSERT INTO article(id, issue_id, seq, section, title, byline, first_page,"
                " last_page, kind, text, words, confidence, boxes, source_key, segmenter,"
                " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (a.id, a.issue_id, a.seq, a.section, a.title, a.byline, a.first_page,
                 a.last_page, a.kind, a.text, a.words, a.confidence, row["boxes"], key,
                 SEGMENTER_VERSION, previous["updated_at"] if previous is not None and same else stamp))
        db.execute("INSERT INTO segment_state(issue_id, source_key, segmenter, at, issue_date)"
                   " VALUES (?,?,?,?,?) ON CONFLICT(issue_id) DO UPDATE SET"
                   " source_key=excluded.source_key, segmenter=excluded.segmenter,"
                   " at=excluded.at, issue_date=excluded.issue_date",
                   (issue.id, key, SEGMENTER_VERSION, stamp, seg.issue_date))
        db.execute("DELETE FROM problem WHERE stage = 'segment' AND issue_id = ?", (issue.id,))
        if problems:
            Catalog._problem(db, "segment", issue_id=issue.id, message="; ".join(problems))
        if seg.issue_date:
            db.execute("UPDATE issue SET date = ? WHERE id = ? AND date = ''",
                       (seg.issue_date, issue.id))
        if _has_table(catalog, "article_machine"):
            db.execute("INSERT INTO article_machine(issue_id, articles, at) VALUES (?,?,?)"
                       " ON CONFLICT(issue_id) DO UPDATE SET articles=excluded.articles,"
                       " at=excluded.at",
                       (issue.id, json.dumps([asdict(a) for a in machine], ensure_ascii=False), stamp))
        issued.record(db, issue.id, effective)


def _row(a: Article) -> dict[str, Any]:
    boxes = json.dumps({str(k): [list(b) for b in v] for k, v in sorted(a.boxes.items())},
                       separators=(",", ":"))
    return {"seq": a.seq, "section": a.section, "title": a.title, "byline": a.byline,
            "first_page": a.first_page, "last_page": a.last_page, "kind": a.kind,
            "text": a.text, "words": a.words, "confidence": a.confidence, "boxes": boxes}


def _fill_dates(catalog: Catalog) -> None:
    """Issues the catalog has no date for take the masthead's (ingest may have reset it)."""
    with catalog.transaction() as db:
        db.execute("UPDATE issue SET date = (SELECT s.issue_date FROM segment_state s"
                   " WHERE s.issue_id = issue.id) WHERE date = '' AND EXISTS (SELECT 1 FROM"
                   " segment_state s WHERE s.issue_id = issue.id AND s.issue_date != '')")
