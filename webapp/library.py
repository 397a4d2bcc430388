"""Read-only queries the web pages share: issues with their series, pages with text and words,
articles with topics and cited documents.

Why a module: views stay free of SQL, and the article tables (``020_articles.sql``, written by
segmentation and analysis) may be absent in a home that was never segmented: every article
query answers "none" then instead of failing.
"""

from __future__ import annotations

import json
import sqlite3
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from archive import vnformat
from archive.catalog import Catalog
from archive.editorial import effective_page
from archive.models import Issue, Page, Series, Word
from archive.worklist import counted_ref
from indexer.analyze.topicfile import SHIPPED as TOPICS_SHIPPED

TOPICS_FILE = TOPICS_SHIPPED


def has_table(catalog: Catalog, name: str) -> bool:
    row = catalog.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    return row is not None


@dataclass(frozen=True)
class IssueView:
    """An issue with what a page about it shows: the series and the title in force then."""

    issue: Issue
    series: Series
    title: str  # series title in force at the issue date
    publisher: str

    @property
    def label(self) -> str:
        """``Thông tin sinh hoạt chi bộ, số 7/2012`` — how a person names the issue."""
        return f"{self.title}, {self.number_label}"

    @property
    def number_label(self) -> str:
        i = self.issue
        return vnformat.issue_number(i.number, i.year, i.printed_number, i.suffix)

    @property
    def date(self) -> str:
        return self.issue.date or str(self.issue.year)


def issue_view(catalog: Catalog, issue: Issue) -> IssueView:
    series = catalog.get_series(issue.series) or Series(issue.series, issue.series, "", 0, 0)
    month = int(issue.date[5:7]) if len(issue.date) >= 7 and issue.date[5:7].isdigit() else 6
    row = series.title_in(issue.year, month)
    if row is not None:
        return IssueView(issue, series, row.title, row.publisher or series.publisher)
    return IssueView(issue, series, series.title, series.publisher)


def title_history(series: Series) -> list[dict[str, str]]:
    """Rows for display, oldest first, ending with the current title."""
    rows = [{"title": t.title, "publisher": t.publisher, "start": t.start, "end": t.end or ""}
            for t in sorted(series.titles, key=lambda t: t.start)]
    if not rows or rows[-1]["title"] != series.title:
        start = rows[-1]["end"] if rows and rows[-1]["end"] else ""
        rows.append({"title": series.title, "publisher": series.publisher, "start": start,
                     "end": ""})
    return rows


# --- pages ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PageText:
    text: str
    words: list[Word]
    confidence: float
    method: str
    version: int = 0  # 0 = the machine's text; 1, 2, ... editors' corrections


def page_text(catalog: Catalog, page: Page) -> PageText | None:
    """The page text in force (the latest correction, else the machine's current output),
    through ``archive.editorial.effective_page`` like every other reader of page text."""

    v = effective_page(catalog, page.id)
    if v is None:
        return None
    return PageText(v.text, list(v.words), float(v.confidence), v.method, v.version)


def page_confidences(catalog: Catalog, issue_id: str) -> dict[int, float]:
    rows = catalog.query("SELECT p.seq, t.confidence FROM page p JOIN page_text t ON"
                         " t.page_id = p.id WHERE p.issue_id = ?", (issue_id,))
    return {r["seq"]: float(r["confidence"]) for r in rows}


# --- articles ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ArticleRow:
    id: str
    issue_id: str
    seq: int
    section: str
    title: str
    byline: str
    first_page: int
    last_page: int
    kind: str
    words: int
    confidence: float
    text: str = ""
    boxes: dict[int, list[list[float]]] = field(default_factory=dict)


_ARTICLE_COLUMNS = ("id, issue_id, seq, section, title, byline, first_page, last_page, kind,"
                    " words, confidence")


def _article(r: sqlite3.Row, *, full: bool = False) -> ArticleRow:
    boxes: dict[int, list[list[float]]] = {}
    if full and r["boxes"]:
        boxes = {int(k): v for k, v in json.loads(r["boxes"]).items()}
    return ArticleRow(r["id"], r["issue_id"], r["seq"], r["section"] or "", r["title"] or "",
                      r["byline"] or "", int(r["first_page"] or 0), int(r["last_page"] or 0),
                      r["kind"] or "", int(r["words"] or 0), float(r["confidence"] or 0),
                      r["text"] if full else "", boxes)


def issue_articles(catalog: Catalog, issue_id: str) -> list[ArticleRow]:
    if not has_table(catalog, "article"):
        return []
    rows = catalog.query(f"SELECT {_ARTICLE_COLUMNS} FROM article WHERE issue_id = ?"
                         " ORDER BY seq", (issue_id,))
    return [_article(r) for r in rows]


def page_articles(catalog: Catalog, issue_id: str, seq: int) -> list[ArticleRow]:
    """Articles with a part on page ``seq``, with their boxes (for outlines)."""
    if not has_table(catalog, "article"):
        return []
    rows = catalog.query(f"SELECT {_ARTICLE_COLUMNS}, text, boxes FROM article WHERE issue_id = ?"
                         " AND first_page <= ? AND last_page >= ? ORDER BY seq",
                         (issue_id, seq, seq))
    return [_article(r, full=True) for r in rows]


def get_article(catalog: Catalog, article_id: str) -> ArticleRow | None:
    if not has_table(catalog, "article"):
        return None
    row = catalog.one(f"SELECT {_ARTICLE_COLUMNS}, text, boxes FROM article WHERE id = ?",
                      (article_id,))
    return _article(row, full=True) if row else None


@dataclass(frozen=True)
class TopicRow:
    slug: str
    name: str
    score: float
    label: bool
    evidence: list[tuple[str, int]]  # (term, count), most frequent first


def article_topics(catalog: Catalog, article_id: str) -> list[TopicRow]:
    if not has_table(catalog, "article_topic"):
        return []
    names = topic_names()
    out = []
    for r in catalog.query("SELECT topic, score, label, evidence FROM article_topic WHERE"
                           " article_id = ? ORDER BY label DESC, score DESC", (article_id,)):
        try:
            evidence = json.loads(r["evidence"] or "{}")
        except ValueError:
            evidence = {}
        terms = sorted(((str(k), int(v)) for k, v in evidence.items()), key=lambda t: -t[1])
        out.append(TopicRow(r["topic"], names.get(r["topic"], r["topic"]), float(r["score"] or 0),
                            bool(r["label"]), terms))
    return out


def article_refs(catalog: Catalog, article_id: str) -> list[dict[str, Any]]:
    if not has_table(catalog, "article_ref"):
        return []
    rows = catalog.query("SELECT * FROM article_ref WHERE article_id = ? ORDER BY count DESC,"
                         " doc_id", (article_id,))
    doubtful = {r["doc_id"]: r["status"] for r in catalog.query(
        "SELECT doc_id, status FROM ref_review WHERE article_id = ?", (article_id,))} \
        if has_table(catalog, "ref_review") else {}
    # 'review': pending or rejected (not counted), shown marked; '' counts
    return [{**dict(r), "review": doubtful.get(r["doc_id"], "")
             if doubtful.get(r["doc_id"], "") != "confirmed" else ""} for r in rows]


def label_topics(catalog: Catalog, article_ids: list[str]) -> dict[str, list[str]]:
    """Labelled topic slugs per article (for exports and the API)."""
    if not article_ids or not has_table(catalog, "article_topic"):
        return {}
    out: dict[str, list[str]] = {}
    for chunk in _chunks(article_ids, 500):
        marks = ",".join("?" * len(chunk))
        for r in catalog.query(f"SELECT article_id, topic FROM article_topic WHERE label = 1 AND"
                               f" article_id IN ({marks}) ORDER BY score DESC", chunk):
            out.setdefault(r["article_id"], []).append(r["topic"])
    return out


def ref_ids(catalog: Catalog, article_ids: list[str]) -> dict[str, list[str]]:
    if not article_ids or not has_table(catalog, "article_ref"):
        return {}
    out: dict[str, list[str]] = {}
    for chunk in _chunks(article_ids, 500):
        marks = ",".join("?" * len(chunk))
        for r in catalog.query(f"SELECT article_id, doc_id FROM article_ref WHERE"
                               f" {counted_ref(catalog)} AND"
                               f" article_id IN ({marks}) ORDER BY doc_id", chunk):
            out.setdefault(r["article_id"], []).append(r["doc_id"])
    return out


def _chunks(items: list[str], n: int) -> list[list[str]]:
    return [items[i:i + n] for i in range(0, len(items), n)]


@lru_cache(maxsize=1)
def topic_names() -> dict[str, str]:
    """Slug → Vietnamese name from the topic list (``indexer/analyze/topics.toml``), when present."""
    try:
        data = tomllib.loads(TOPICS_FILE.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    names: dict[str, str] = {}
    topics = data.get("topics", data.get("topic", []))
    if isinstance(topics, dict):
        topics = [{"slug": k, **v} for k, v in topics.items() if isinstance(v, dict)]
    for t in topics if isinstance(topics, list) else []:
        if isinstance(t, dict) and t.get("slug"):
            names[str(t["slug"])] = str(t.get("name") or t["slug"])
    return names


def merge_boxes(boxes: list[list[float]], gap: float = 1.6) -> list[list[float]]:
    """Line boxes (page fractions) merged into one rectangle per run of lines in a column.

    Segmentation stores one box per line; outlining each line draws a ladder. Lines are
    merged when they overlap horizontally by half the narrower one and the vertical gap is
    under ``gap`` times the line height, so two columns or a jump across the page stay apart.
    """
    merged: list[list[float]] = []
    for x0, y0, x1, y1 in sorted((list(b) for b in boxes if len(b) == 4), key=lambda b: (b[1], b[0])):
        for m in merged:
            overlap = min(x1, m[2]) - max(x0, m[0])
            narrower = min(x1 - x0, m[2] - m[0])
            height = max(1e-6, y1 - y0)
            if narrower > 0 and overlap >= 0.5 * narrower and y0 - m[3] <= gap * height:
                m[0], m[1], m[2], m[3] = min(m[0], x0), min(m[1], y0), max(m[2], x1), max(m[3], y1)
                break
        else:
            merged.append([x0, y0, x1, y1])
    return [[round(v, 5) for v in m] for m in merged]
