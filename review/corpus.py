"""The archive as the review counts it: one in-memory snapshot of the catalog, cached.

Why a snapshot: the coverage pages, ``bantin stats`` and the report all count the same rows
(issues, pages and their OCR confidence, articles with their topic labels and cited
documents), many times over with different filters. Reading them once per change of the
catalog and computing from memory keeps a coverage page within a few milliseconds, and makes
every view count exactly the same rows.

Articles are read through :func:`indexer.search.indexdocs.effective_articles`, the reader the search
index uses, so editors' corrections (title, section, kind, topic labels) count here exactly as
they do in the search that each number links to.

The snapshot is cached per catalog file and :func:`stamp`: cheap aggregates that change when
any counted table changes (row counts and highest rowids; SQLite gives a replaced row a new
rowid), the search index version, the register and topic list files, and the
``low_confidence`` setting.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from archive.catalog import Catalog
from archive.config import Config
from archive.editorial import effective_page
from archive.models import Series
from archive.vntext import syllables
from indexer.analyze.register import SHIPPED as REGISTER_SHIPPED
from indexer.analyze.topicfile import SHIPPED as TOPICS_SHIPPED
from indexer.analyze.topicfile import load_topics, topics_path
from indexer.search.engine import open_index
from indexer.search.indexdocs import effective_articles
from review.shares import Calibration, calibrations

log = logging.getLogger(__name__)

T = TypeVar("T")
CACHE_SIZE = 4  # snapshots kept per process (a few homes in tests; one in production)

# (table, what to aggregate): each changes when a row is added, replaced or deleted.
_STAMP_QUERIES = (
    ("issue", "count(*), max(updated_at), sum(missing)"),
    ("page", "count(*), max(rowid)"),
    ("page_text", "count(*), max(rowid)"),
    ("page_version", "count(*), max(rowid)"),
    ("article", "count(*), max(rowid)"),
    ("article_version", "count(*), max(rowid)"),
    ("article_topic", "count(*), max(rowid)"),
    ("article_ref", "count(*), max(rowid)"),
    ("topic_prob", "count(*), max(rowid)"),
    ("topic_label", "count(*), max(rowid)"),
    ("topic_model", "max(version)"),
    ("colophon", "count(*), max(at), max(rowid)"),
    ("colophon_version", "count(*), max(rowid)"),
    ("party_cells", "count(*), max(at), sum(cells)"),
    # a doubtful cited document counts once confirmed: a decision changes no rowid
    ("ref_review", "count(*), max(decided_at), sum(status = 'confirmed'), sum(status = 'pending')"),
)


@dataclass(frozen=True)
class ArticleRow:
    """An article in force (corrections applied). ``month`` is 0 when the issue date has
    none; ``topics`` are its labels, ``refs`` the normalised identifiers it cites."""

    id: str
    series: str
    issue_id: str
    year: int
    month: int
    number: str
    section: str
    kind: str
    title: str
    byline: str
    first_page: int
    last_page: int
    words: int  # syllables of its text
    confidence: float  # mean OCR confidence of its words, 0..100
    topics: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()

    @property
    def date(self) -> str:
        """``YYYY-MM`` (``YYYY`` when the month is unknown)."""
        return f"{self.year:04d}-{self.month:02d}" if self.month else f"{self.year:04d}"


@dataclass(frozen=True)
class IssueRow:
    """An issue held, with its pages' reading quality. A page is *low* when the machine
    reading's mean word confidence is below the ``low_confidence`` setting; *orphan* pages
    have text but no article covers them (the search lists them among articles)."""

    id: str
    series: str
    year: int
    month: int
    number: str
    suffix: str
    date: str
    pages: int  # pages in the catalog
    pages_read: int  # pages with text (machine or corrected)
    low_pages: int
    corrected_pages: int  # pages with an editor's correction in force
    orphan_pages: int = 0
    orphan_words: int = 0


@dataclass(frozen=True)
class Corpus:
    stamp: str
    index_version: str  # of the search index the links run on ('' when there is none)
    low_confidence: float
    series: tuple[Series, ...]
    issues: tuple[IssueRow, ...]
    articles: tuple[ArticleRow, ...]
    home: str = ""
    # the topic model's probabilities per article and topic, the articles whose labels an
    # editor set (their 0/1 is known), and the model's measured calibration per topic
    topic_probs: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    labelled: frozenset[str] = frozenset()
    calibration: Mapping[str, Calibration] = field(default_factory=dict)
    _memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    _lock: Any = field(default_factory=threading.Lock, compare=False, repr=False)

    def memo(self, key: Any, compute: Callable[[], T]) -> T:
        """A result derived from this snapshot, computed once per key (thread-safe enough:
        two threads may both compute it; both get a correct value)."""
        with self._lock:
            if key in self._memo:
                return self._memo[key]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            self._memo[key] = value
            while len(self._memo) > 256:
                self._memo.pop(next(iter(self._memo)))
        return value

    def series_codes(self) -> list[str]:
        return [s.code for s in self.series]

    def get_series(self, code: str) -> Series | None:
        return next((s for s in self.series if s.code == code), None)

    def articles_in(self, series: str, lo: int, hi: int | None) -> list[ArticleRow]:
        """Articles of ``series`` in years ``lo``..``hi`` (None: no end), by year in order."""
        by_year = self.memo("articles-by-year", lambda: _group(self.articles))
        years = sorted(y for s, y in by_year if s == series and y >= lo and (hi is None or y <= hi))
        return [a for y in years for a in by_year[(series, y)]]

    def issues_in(self, series: str, lo: int, hi: int | None) -> list[IssueRow]:
        by_year = self.memo("issues-by-year", lambda: _group(self.issues))
        years = sorted(y for s, y in by_year if s == series and y >= lo and (hi is None or y <= hi))
        return [i for y in years for i in by_year[(series, y)]]

    def series_title(self, code: str) -> str:
        s = self.get_series(code)
        return s.title if s else code

    def topics(self) -> list[tuple[str, str]]:
        """(slug, Vietnamese name) of the topic list in force, in its order, then any topic
        labels found on articles that the list no longer has."""
        def load() -> list[tuple[str, str]]:
            try:
                listed = [(t.slug, t.name) for t in load_topics(topics_path(self.home or None)).topics]
            except Exception as e:  # noqa: BLE001  (a broken topic list: the labels still count)
                log.warning("topic list unreadable (%s); topics shown by their slug", e)
                listed = []
            known = {slug for slug, _ in listed}
            extra = sorted({t for a in self.articles for t in a.topics} - known)
            return listed + [(t, t) for t in extra]

        return self.memo("topics", load)

    def topic_name(self, slug: str) -> str:
        return dict(self.topics()).get(slug, slug)

    def years(self, series: str | None = None) -> tuple[int, int] | None:
        """First and last year held (of one series), None when nothing is held."""
        ys = [i.year for i in self.issues if series is None or i.series == series]
        return (min(ys), max(ys)) if ys else None


def _group(rows: tuple[Any, ...]) -> dict[tuple[str, int], list[Any]]:
    out: dict[tuple[str, int], list[Any]] = {}
    for r in rows:
        out.setdefault((r.series, r.year), []).append(r)
    return out


def tables(catalog: Catalog) -> set[str]:
    return {r["name"] for r in catalog.query("SELECT name FROM sqlite_master WHERE type = 'table'")}


def index_version(config: Config) -> str:
    """The search index's version, '' when there is no index (or no search engine)."""
    if not (config.search_dir / "CURRENT").exists():
        return ""
    try:

        return open_index(config).index_version
    except Exception as e:  # noqa: BLE001  (no index, or a broken one: numbers still come from the catalog)
        log.debug("no search index version: %s", e)
        return ""


def stamp(catalog: Catalog, config: Config) -> str:
    """A short key that changes whenever anything the review counts changes."""
    have = tables(catalog)
    parts: list[Any] = [config.low_confidence, index_version(config)]
    for table, agg in _STAMP_QUERIES:
        if table in have:
            row = catalog.one(f"SELECT {agg} FROM {table}")
            parts.append(list(row) if row else None)
        else:
            parts.append(None)
    parts.append([list(r) for r in catalog.query("SELECT * FROM series ORDER BY code")])
    for name, shipped in (("documents.toml", REGISTER_SHIPPED), ("topics.toml", TOPICS_SHIPPED)):
        for path in (Path(config.home) / name, shipped):
            try:
                st = path.stat()
                parts.append([str(path), st.st_mtime_ns, st.st_size])
            except OSError:
                parts.append(None)
    payload = json.dumps(parts, default=str, ensure_ascii=False)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16]


_CACHE: OrderedDict[tuple[str, str], Corpus] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def load_corpus(catalog: Catalog, config: Config) -> Corpus:
    """The snapshot for the catalog as it is now (from the cache when nothing changed)."""
    key = (str(Path(catalog.path).resolve()), stamp(catalog, config))
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    corpus = read_corpus(catalog, config, key[1])
    with _CACHE_LOCK:
        _CACHE[key] = corpus
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return corpus


def read_corpus(catalog: Catalog, config: Config, key: str = "") -> Corpus:
    """Read the snapshot from the catalog (uncached)."""

    have = tables(catalog)
    low = float(config.low_confidence)
    articles: list[ArticleRow] = []
    if "article" in have:
        words = {r["id"]: int(r["words"]) for r in catalog.query("SELECT id, words FROM article")}
        for d in effective_articles(catalog, text=False):
            articles.append(ArticleRow(
                id=d.id, series=d.series, issue_id=d.issue_id, year=d.year, month=d.month,
                number=d.number, section=d.section, kind=d.kind, title=d.title, byline=d.byline,
                first_page=d.first_page, last_page=d.last_page, words=words.get(d.id, 0),
                confidence=round(d.conf, 2), topics=d.topics, refs=d.refs))
    covered: dict[str, set[int]] = {}
    for a in articles:
        covered.setdefault(a.issue_id, set()).update(range(a.first_page, a.last_page + 1))
    corrected = set()
    if "page_version" in have:
        corrected = {r["page_id"] for r in catalog.query("SELECT DISTINCT page_id FROM page_version")}
    pages: dict[str, list[Any]] = {}
    for r in catalog.query(
            "SELECT p.id, p.issue_id, p.seq, t.confidence, t.page_id IS NOT NULL AS has_text"
            " FROM page p LEFT JOIN page_text t ON t.page_id = p.id AND t.sha256 = p.sha256"):
        pages.setdefault(r["issue_id"], []).append(r)
    issues = []
    for i in catalog.issues(include_missing=False):
        rows = pages.get(i.id, [])
        read = [r for r in rows if r["has_text"] or r["id"] in corrected]
        low_pages = sum(1 for r in rows if r["has_text"] and r["confidence"] < low)
        spans = covered.get(i.id, set())
        orphans = [r for r in read if r["seq"] not in spans]
        orphan_words = sum(_page_words(catalog, r["id"]) for r in orphans)
        month = int(i.date[5:7]) if len(i.date) >= 7 and i.date[5:7].isdigit() else 0
        issues.append(IssueRow(
            id=i.id, series=i.series, year=i.year, month=month, number=i.number, suffix=i.suffix,
            date=i.date, pages=len(rows), pages_read=len(read), low_pages=low_pages,
            corrected_pages=sum(1 for r in rows if r["id"] in corrected),
            orphan_pages=len(orphans), orphan_words=orphan_words))
    probs: dict[str, dict[str, float]] = {}
    calibration: dict[str, Calibration] = {}
    labelled: set[str] = set()
    if "topic_model" in have and (model := catalog.one("SELECT cv FROM topic_model WHERE id = 1")):
        calibration = calibrations(json.loads(model["cv"]))
        for r in catalog.query("SELECT article_id, topic, prob FROM topic_prob"):
            probs.setdefault(r["article_id"], {})[r["topic"]] = r["prob"]
    if "topic_label" in have:
        labelled = {r["article_id"] for r in catalog.query("SELECT DISTINCT article_id FROM topic_label")}
    if "article_version" in have:
        labelled |= {r["article_id"] for r in catalog.query(
            "SELECT DISTINCT article_id FROM article_version WHERE fields LIKE '%\"topics\"%'")}
    version = index_version(config)
    log.debug("review snapshot %s: %d issues, %d articles", key, len(issues), len(articles))
    return Corpus(stamp=key, index_version=version, low_confidence=low,
                  series=tuple(catalog.series()), issues=tuple(issues), articles=tuple(articles),
                  home=str(config.home), topic_probs=probs, labelled=frozenset(labelled),
                  calibration=calibration)


def _page_words(catalog: Catalog, page_id: str) -> int:
    """Syllables of a page's text in force (for the pages no article covers)."""

    version = effective_page(catalog, page_id)
    return len(syllables(version.text)) if version is not None else 0
