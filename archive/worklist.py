"""The editors' review queue: where a correction is most likely needed, with counts.

Why a queue: an archive of tens of thousands of pages cannot be proof-read page by page;
editors' time goes furthest on the pages the machine read worst, the articles the analysis
could not place under any topic, and the issues whose segmentation looks wrong. A page
counts as reviewed once it has an editor's version (a correction, or a version saved
unchanged as "reviewed"); reviewed pages leave the queue.

Suspect segmentation, per issue (each reason is a short Vietnamese label for the page):
one article for an issue of two pages or more; pages with text that no article covers;
segmentation problems recorded by the segment stage; no article at all.

Readers' reports (*báo lỗi*, :mod:`archive.readerreports`) join the queue too, oldest first,
until an editor closes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archive import readerreports
from archive.catalog import Catalog, now, queue_stamp


@dataclass(frozen=True)
class PageItem:
    page_id: str
    issue_id: str
    seq: int
    confidence: float  # mean word confidence of the machine text, 0..100
    method: str


@dataclass(frozen=True)
class ArticleItem:
    id: str
    issue_id: str
    title: str
    first_page: int
    last_page: int
    kind: str
    words: int


@dataclass(frozen=True)
class IssueItem:
    issue_id: str
    pages: int
    articles: int
    reasons: tuple[str, ...]
    problem: str = ""


@dataclass(frozen=True)
class RefItem:
    """A cited document read by OCR that the register does not hold, awaiting an editor."""

    article_id: str
    doc_id: str
    raw: str
    reason: str


@dataclass(frozen=True)
class Worklist:
    pages: list[PageItem] = field(default_factory=list)
    articles: list[ArticleItem] = field(default_factory=list)
    issues: list[IssueItem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    refs: list[RefItem] = field(default_factory=list)
    reports: list[readerreports.Report] = field(default_factory=list)  # readers' open reports


# SQL condition on a row of ``article_ref``: the cited document counts (not awaiting an
# editor, not rejected). Every reader that counts or lists cited documents uses it.
COUNTED_REF = ("NOT EXISTS (SELECT 1 FROM ref_review rr WHERE rr.article_id = article_ref.article_id"
               " AND rr.doc_id = article_ref.doc_id AND rr.status != 'confirmed')")


def counted_ref(catalog: Catalog) -> str:
    """:data:`COUNTED_REF`, or a condition always true on a catalog without ``ref_review``."""
    return COUNTED_REF if _has(catalog, "ref_review") else "1 = 1"


def _has(catalog: Catalog, table: str) -> bool:
    return catalog.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)) is not None


def low_confidence_pages(catalog: Catalog, limit: int = 50) -> list[PageItem]:
    """Unreviewed pages with machine text, lowest mean confidence first."""
    rows = catalog.query(
        "SELECT p.id, p.issue_id, p.seq, t.confidence, t.method FROM page p"
        " JOIN page_text t ON t.page_id = p.id AND t.sha256 = p.sha256"
        " JOIN issue i ON i.id = p.issue_id WHERE i.missing = 0"
        " AND NOT EXISTS (SELECT 1 FROM page_version v WHERE v.page_id = p.id)"
        " ORDER BY t.confidence, p.issue_id, p.seq LIMIT ?", (limit,))
    return [PageItem(r["id"], r["issue_id"], r["seq"], float(r["confidence"]), r["method"]) for r in rows]


def articles_without_topic(catalog: Catalog, limit: int = 50) -> list[ArticleItem]:
    if not _has(catalog, "article") or not _has(catalog, "article_topic"):
        return []
    rows = catalog.query(
        "SELECT a.id, a.issue_id, a.title, a.first_page, a.last_page, a.kind, a.words FROM article a"
        " WHERE NOT EXISTS (SELECT 1 FROM article_topic t WHERE t.article_id = a.id AND t.label = 1)"
        " ORDER BY a.issue_id, a.seq LIMIT ?", (limit,))
    return [ArticleItem(r["id"], r["issue_id"], r["title"], r["first_page"], r["last_page"], r["kind"],
                        r["words"]) for r in rows]


def suspect_issues(catalog: Catalog, limit: int = 50) -> tuple[list[IssueItem], int]:
    """Issues whose segmentation looks wrong (first ``limit``), and how many there are."""
    if not _has(catalog, "article"):
        return [], 0
    articles = {r["issue_id"]: r["n"] for r in catalog.query(
        "SELECT issue_id, COUNT(*) AS n FROM article GROUP BY issue_id")}
    with_text = {r["issue_id"]: r["n"] for r in catalog.query(
        "SELECT p.issue_id, COUNT(*) AS n FROM page p LEFT JOIN page_text t ON t.page_id = p.id"
        " AND t.sha256 = p.sha256 WHERE t.page_id IS NOT NULL OR EXISTS (SELECT 1 FROM page_version v"
        " WHERE v.page_id = p.id) GROUP BY p.issue_id")}
    uncovered = {r["issue_id"]: r["n"] for r in catalog.query(
        "SELECT p.issue_id, COUNT(*) AS n FROM page p JOIN page_text t ON t.page_id = p.id"
        " AND t.sha256 = p.sha256 WHERE length(trim(t.text)) > 0 AND NOT EXISTS (SELECT 1 FROM article a"
        " WHERE a.issue_id = p.issue_id AND p.seq BETWEEN a.first_page AND a.last_page)"
        " GROUP BY p.issue_id")}
    problems = {r["issue_id"]: r["message"] for r in catalog.query(
        "SELECT issue_id, message FROM problem WHERE stage = 'segment' AND issue_id != ''")}
    segmented = set()
    if _has(catalog, "segment_state"):
        segmented = {r["issue_id"] for r in catalog.query("SELECT issue_id FROM segment_state")}
    out: list[IssueItem] = []
    for issue in catalog.issues(include_missing=False):
        n = articles.get(issue.id, 0)
        pages = with_text.get(issue.id, 0)
        reasons = []
        if issue.id in segmented and n == 0 and pages:
            reasons.append("không tách được tin, bài nào")
        elif n == 1 and pages >= 2:
            reasons.append(f"chỉ một tin, bài cho cả {pages} trang")
        if uncovered.get(issue.id):
            reasons.append(f"{uncovered[issue.id]} trang không thuộc tin, bài nào")
        if issue.id in problems:
            reasons.append("phân tách báo lỗi")
        if reasons:
            out.append(IssueItem(issue.id, issue.page_count, n, tuple(reasons), problems.get(issue.id, "")))
    return out[:limit], len(out)


def worklist(catalog: Catalog, *, low_confidence: float = 70.0, limit: int = 50) -> Worklist:
    """The three lists and their counts (``pages_unreviewed``: pages with machine text and no
    editor's version, the population the page list is the worst ``limit`` of; ``pages_low``:
    those under ``low_confidence``; ``pages_reviewed``: pages with an editor's version)."""
    issues, suspect = suspect_issues(catalog, limit)
    counts = {
        "pages_low": _count(catalog, "SELECT COUNT(*) FROM page p JOIN page_text t ON t.page_id = p.id"
                                     " AND t.sha256 = p.sha256 WHERE t.confidence < ? AND NOT EXISTS"
                                     " (SELECT 1 FROM page_version v WHERE v.page_id = p.id)",
                            (low_confidence,)),
        "pages_unreviewed": _count(catalog, "SELECT COUNT(*) FROM page p JOIN page_text t ON t.page_id"
                                            " = p.id AND t.sha256 = p.sha256 JOIN issue i ON"
                                            " i.id = p.issue_id WHERE i.missing = 0 AND NOT EXISTS"
                                            " (SELECT 1 FROM page_version v WHERE v.page_id = p.id)"),
        "pages_reviewed": _count(catalog, "SELECT COUNT(DISTINCT page_id) FROM page_version"),
        "pages": _count(catalog, "SELECT COUNT(*) FROM page"),
        "articles_no_topic": _count(
            catalog, "SELECT COUNT(*) FROM article a WHERE NOT EXISTS (SELECT 1 FROM article_topic t"
                     " WHERE t.article_id = a.id AND t.label = 1)")
        if _has(catalog, "article") and _has(catalog, "article_topic") else 0,
        "issues_suspect": suspect,
        "refs_doubtful": _count(catalog, "SELECT COUNT(*) FROM ref_review WHERE status = 'pending'")
        if _has(catalog, "ref_review") else 0,
        "reports_open": readerreports.count_open(catalog),
    }
    return Worklist(low_confidence_pages(catalog, limit), articles_without_topic(catalog, limit),
                    issues, counts, doubtful_refs(catalog, limit), readerreports.open_reports(catalog, limit))


def doubtful_refs(catalog: Catalog, limit: int = 50) -> list[RefItem]:
    """Cited documents read by OCR and absent from the register, not yet decided: they stay
    out of the review's counts (and the ref search) until confirmed."""
    if not _has(catalog, "ref_review"):
        return []
    return [RefItem(r["article_id"], r["doc_id"], r["raw"], r["reason"]) for r in catalog.query(
        "SELECT * FROM ref_review WHERE status = 'pending' ORDER BY article_id, doc_id LIMIT ?",
        (limit,))]


def decide_ref(catalog: Catalog, article_id: str, doc_id: str, *, confirmed: bool,
               author: str) -> bool:
    """An editor confirms (the document counts) or rejects (it stays out) a doubtful cited
    document; the article is queued for reindexing. False when there is no such row."""
    with catalog.transaction() as db:
        n = db.execute("UPDATE ref_review SET status = ?, decided_by = ?, decided_at = ?"
                       " WHERE article_id = ? AND doc_id = ?",
                       ("confirmed" if confirmed else "rejected", author, now(), article_id,
                        doc_id)).rowcount
        if n:
            db.execute("INSERT OR REPLACE INTO reindex_queue(doc_id, kind, at)"
                       " VALUES (?, 'article', ?)", (article_id, queue_stamp()))
    return bool(n)


CORRECTED = "corrected-from:"  # reason of the row an editor's correction adds


def correct_ref(catalog: Catalog, article_id: str, doc_id: str, new_id: str, *,
                author: str) -> bool:
    """An editor says the document read as ``doc_id`` is ``new_id`` (already normalised):
    the reading is rejected and ``new_id`` confirmed, counted at once and kept through
    every reanalysis (the analyze stage adds it back). False when ``doc_id`` was never
    listed for the article."""
    with catalog.transaction() as db:
        row = db.execute("SELECT raw FROM ref_review WHERE article_id = ? AND doc_id = ?",
                         (article_id, doc_id)).fetchone()
        if row is None:
            return False
        stamp = now()
        if new_id == doc_id:
            db.execute("UPDATE ref_review SET status = 'confirmed', decided_by = ?, decided_at = ?"
                       " WHERE article_id = ? AND doc_id = ?", (author, stamp, article_id, doc_id))
        else:
            db.execute("UPDATE ref_review SET status = 'rejected', decided_by = ?, decided_at = ?"
                       " WHERE article_id = ? AND doc_id = ?", (author, stamp, article_id, doc_id))
            db.execute("INSERT INTO ref_review(article_id, doc_id, raw, reason, status, decided_by,"
                       " decided_at) VALUES (?,?,?,?, 'confirmed', ?,?) ON CONFLICT(article_id, doc_id)"
                       " DO UPDATE SET status = 'confirmed', decided_by = excluded.decided_by,"
                       " decided_at = excluded.decided_at",
                       (article_id, new_id, row[0], CORRECTED + doc_id, author, stamp))
            db.execute("INSERT OR IGNORE INTO article_ref(article_id, doc_id, raw, count)"
                       " VALUES (?,?,?,1)", (article_id, new_id, row[0]))
        db.execute("INSERT OR REPLACE INTO reindex_queue(doc_id, kind, at)"
                   " VALUES (?, 'article', ?)", (article_id, stamp))
    return True


def editors_refs(catalog: Catalog, article_id: str) -> list[tuple[str, str]]:
    """(document, raw reading) an editor gave the article in place of a misreading."""
    if not _has(catalog, "ref_review"):
        return []
    return [(r["doc_id"], r["raw"]) for r in catalog.query(
        "SELECT doc_id, raw FROM ref_review WHERE article_id = ? AND status = 'confirmed'"
        " AND reason LIKE ?", (article_id, CORRECTED + "%"))]


def decided_refs(catalog: Catalog, limit: int = 30) -> list[tuple[RefItem, str, str, str]]:
    """The latest decisions: (item, status, by whom, when), newest first."""
    if not _has(catalog, "ref_review"):
        return []
    return [(RefItem(r["article_id"], r["doc_id"], r["raw"], r["reason"]), r["status"],
             r["decided_by"], r["decided_at"]) for r in catalog.query(
        "SELECT * FROM ref_review WHERE status != 'pending' ORDER BY decided_at DESC,"
        " article_id, doc_id LIMIT ?", (limit,))]


def _count(catalog: Catalog, sql: str, params: tuple[object, ...] = ()) -> int:
    row = catalog.one(sql, params)
    return int(row[0]) if row else 0
