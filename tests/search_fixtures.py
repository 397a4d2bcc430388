"""A small archive in the catalog for the search tests: issues, pages with word boxes,
articles (rows as in ARCHITECTURE.md's contract), topic labels and cited documents."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from archive.catalog import Catalog, now
from archive.config import Config, load_config
from archive.models import Issue, Page, PageResult, Series, Word
from archive.vntext import fold

# The contract's tables (ARCHITECTURE.md), for trees where their owners' schema files are
# not there yet; IF NOT EXISTS leaves the real ones alone.
CONTRACT_DDL = """
CREATE TABLE IF NOT EXISTS article (
    id TEXT PRIMARY KEY, issue_id TEXT NOT NULL REFERENCES issue(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL, section TEXT NOT NULL DEFAULT '', title TEXT NOT NULL,
    byline TEXT NOT NULL DEFAULT '', first_page INTEGER NOT NULL, last_page INTEGER NOT NULL,
    kind TEXT NOT NULL, text TEXT NOT NULL, words INTEGER NOT NULL, confidence REAL NOT NULL,
    boxes TEXT NOT NULL DEFAULT '{}', source_key TEXT NOT NULL, segmenter TEXT NOT NULL,
    updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS article_topic (
    article_id TEXT NOT NULL REFERENCES article(id) ON DELETE CASCADE, topic TEXT NOT NULL,
    score REAL NOT NULL, label INTEGER NOT NULL, evidence TEXT NOT NULL DEFAULT '{}',
    topics_version TEXT NOT NULL, PRIMARY KEY (article_id, topic));
CREATE TABLE IF NOT EXISTS article_ref (
    article_id TEXT NOT NULL REFERENCES article(id) ON DELETE CASCADE, doc_id TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '', number TEXT NOT NULL DEFAULT '', doc_type TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '', year INTEGER, date TEXT NOT NULL DEFAULT '',
    raw TEXT NOT NULL DEFAULT '', count INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (article_id, doc_id));
"""

SERIES = {
    "ttshcb": Series("ttshcb", "Thông tin sinh hoạt chi bộ", "Ban Tuyên giáo Trung ương", 1989, 12),
    "tbnb": Series("tbnb", "Thông báo nội bộ", "Ban Tuyên giáo Tỉnh ủy", 2004, 12, level="tinh"),
}


@dataclass
class Art:
    """An article of a test issue: its pages are lines of text laid out on the page."""

    title: str
    paragraphs: list[str]
    page: int = 1
    last_page: int | None = None
    section: str = ""
    kind: str = "bai"
    byline: str = ""
    topics: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()
    conf: float = 95.0

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class Iss:
    series: str
    year: int
    number: str
    month: int
    articles: list[Art] = field(default_factory=list)
    pages: int = 2
    extra_page_text: dict[int, str] = field(default_factory=dict)  # text on pages no article covers

    @property
    def id(self) -> str:
        return f"{self.series}-{self.year}-{self.number}"


def article_id(issue_id: str, art: Art) -> str:
    digest = hashlib.sha1(fold(art.title).encode("utf-8")).hexdigest()[:4]
    return f"{issue_id}-p{art.page}-{digest}"


def layout(lines: list[str], top: float = 0.1) -> list[Word]:
    """Words of ``lines`` laid out left to right, one line per 0.03 of the page height."""
    words = []
    for n, line in enumerate(lines):
        x = 0.08
        y = top + 0.03 * n
        for w in line.split():
            width = 0.012 * len(w) + 0.005
            words.append(Word(w, (round(x, 4), round(y, 4), round(x + width, 4), round(y + 0.02, 4)),
                              95.0, 0, n, 10.0))
            x += width + 0.01
    return words


def fill(catalog: Catalog, issues: list[Iss], *, topics_version: str = "t1") -> None:
    """Write the issues, their pages (text and words) and articles into ``catalog``."""
    catalog.db.executescript(CONTRACT_DDL)
    for code in sorted({i.series for i in issues}):
        catalog.put_series(SERIES[code])
    for iss in issues:
        put_issue(catalog, iss, topics_version=topics_version)


def put_issue(catalog: Catalog, iss: Iss, *, topics_version: str = "t1") -> None:
    """(Re)write one issue: pages get the lines of the articles on them, in order."""
    date = f"{iss.year}-{iss.month:02d}"
    pages_lines: dict[int, list[str]] = {p: [] for p in range(1, iss.pages + 1)}
    boxes: dict[str, dict[int, list[list[float]]]] = {}
    for art in iss.articles:
        last = art.last_page or art.page
        lines = [art.title] + [line for p in art.paragraphs for line in p.split("\n")]
        span = list(range(art.page, last + 1))
        share = max(1, -(-len(lines) // len(span)))
        aid = article_id(iss.id, art)
        for k, seq in enumerate(span):
            chunk = lines[k * share:(k + 1) * share]
            top = 0.1 + 0.03 * len(pages_lines[seq])
            pages_lines[seq].extend(chunk)
            boxes.setdefault(aid, {})[seq] = [[0.05, top - 0.005, 0.95, top + 0.03 * len(chunk)]]
    for seq, text in iss.extra_page_text.items():
        pages_lines[seq].extend(text.split("\n"))
    issue = Issue(id=iss.id, series=iss.series, year=iss.year, number=iss.number, date=date,
                  source=f"{iss.series}/{iss.id}.pdf", source_kind="pdf", sha256=iss.id,
                  page_count=iss.pages)
    pages = [Page(id=f"{iss.id}/{s}", issue_id=iss.id, seq=s, file=issue.source, file_page=s - 1,
                  sha256=f"{iss.id}/{s}") for s in range(1, iss.pages + 1)]
    catalog.put_issue(issue, pages)
    for seq, lines in pages_lines.items():
        words = layout(lines)
        catalog.put_page_result(PageResult(
            page_id=f"{iss.id}/{seq}", sha256=f"{iss.id}/{seq}", method="text",
            text="\n".join(lines), words=tuple(words), confidence=95.0, engine="test"))
    with catalog.transaction() as db:
        db.execute("DELETE FROM article WHERE issue_id = ?", (iss.id,))
        for n, art in enumerate(iss.articles, 1):
            aid = article_id(iss.id, art)
            db.execute(
                "INSERT INTO article(id, issue_id, seq, section, title, byline, first_page, last_page,"
                " kind, text, words, confidence, boxes, source_key, segmenter, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (aid, iss.id, n, art.section, art.title, art.byline, art.page,
                 art.last_page or art.page, art.kind, art.text, len(art.text.split()), art.conf,
                 json.dumps(boxes.get(aid, {})), "test", "test", now()))
            for topic in art.topics:
                db.execute("INSERT INTO article_topic(article_id, topic, score, label, evidence,"
                           " topics_version) VALUES (?,?,?,?,?,?)",
                           (aid, topic, 5.0, 1, "{}", topics_version))
            for ref in art.refs:
                db.execute("INSERT INTO article_ref(article_id, doc_id) VALUES (?, ?)", (aid, ref))


def config_for(home: Path) -> Config:
    return load_config(home)
