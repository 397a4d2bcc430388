"""What the OAI-PMH endpoint (:mod:`webapp.oai`) offers: one record per article and per issue,
their datestamps, sets (one per series) and Dublin Core fields.

Why a module apart from the protocol: the protocol (verbs, arguments, errors, resumption
tokens, XML) does not change when the records do, and the records' SQL stays out of the view.

Records, in one fixed order (kind, then id) so a listing can resume after the last key it sent:

* ``a/<article id>``: every article in force (datestamp: its ``updated_at``, the last time its
  content changed), and every id the permalink log (:mod:`archive.issued`, table
  ``issued_article``) ever issued that is no longer in force (a merge, a split undone, a
  corrected title, a re-segmentation): those are *deleted* records, dated when they left.
  The log never forgets an id, so deletions are ``persistent``.
* ``i/<issue id>``: every issue (datestamp: its ``updated_at``); an issue whose scans left
  ``scans/`` (``missing``) is deleted.

Datestamps are the catalog's UTC ``YYYY-MM-DDThh:mm:ssZ``, compared as strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive import permalinks, vnformat
from archive.catalog import Catalog
from webapp import library

ARTICLE, ISSUE = "a", "i"

_RECORDS = """
SELECT 'a' AS kind, a.id AS id, i.series AS series, a.updated_at AS stamp, i.missing AS deleted
  FROM article a JOIN issue i ON i.id = a.issue_id
UNION ALL
SELECT 'a', ia.id, COALESCE(i.series, ''), ia.updated_at, 1
  FROM issued_article ia LEFT JOIN issue i ON i.id = ia.issue_id
  WHERE NOT EXISTS (SELECT 1 FROM article a WHERE a.id = ia.id)
UNION ALL
SELECT 'i', i.id, i.series, i.updated_at, i.missing FROM issue i
"""


@dataclass(frozen=True)
class Header:
    """A record's header: ``kind`` (:data:`ARTICLE` or :data:`ISSUE`) and ``local_id``
    make its identifier; ``datestamp`` is UTC to the second."""

    kind: str
    local_id: str
    series: str
    datestamp: str
    deleted: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.local_id)


@dataclass(frozen=True)
class Selection:
    """A list request's filters: ``set_spec`` ('' for all), datestamp bounds (inclusive,
    '' for open)."""

    set_spec: str = ""
    start: str = ""
    end: str = ""


def _where(sel: Selection, after: tuple[str, str] | None) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if sel.set_spec:
        clauses.append("series = ?")
        params.append(sel.set_spec)
    if sel.start:
        clauses.append("stamp >= ?")
        params.append(sel.start)
    if sel.end:
        clauses.append("stamp <= ?")
        params.append(sel.end)
    if after is not None:
        clauses.append("(kind > ? OR (kind = ? AND id > ?))")
        params += [after[0], after[0], after[1]]
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def headers(catalog: Catalog, sel: Selection, *, after: tuple[str, str] | None, limit: int) -> list[Header]:
    """Up to ``limit`` headers matching ``sel`` after the key ``after``, in key order."""
    where, params = _where(sel, after)
    rows = catalog.query(f"SELECT * FROM ({_RECORDS}){where} ORDER BY kind, id LIMIT ?",
                         [*params, limit])
    return [Header(r["kind"], r["id"], r["series"] or "", r["stamp"], bool(r["deleted"])) for r in rows]


def count(catalog: Catalog, sel: Selection) -> int:
    where, params = _where(sel, None)
    row = catalog.one(f"SELECT COUNT(*) FROM ({_RECORDS}){where}", params)
    return int(row[0]) if row else 0


def header(catalog: Catalog, kind: str, local_id: str) -> Header | None:
    rows = catalog.query(f"SELECT * FROM ({_RECORDS}) WHERE kind = ? AND id = ?", (kind, local_id))
    if not rows:
        return None
    live = [r for r in rows if not r["deleted"]] or rows
    r = live[0]
    return Header(r["kind"], r["id"], r["series"] or "", r["stamp"], bool(r["deleted"]))


def earliest(catalog: Catalog) -> str:
    row = catalog.one(f"SELECT MIN(stamp) FROM ({_RECORDS})")
    return str(row[0]) if row and row[0] else ""


def sets(catalog: Catalog) -> list[tuple[str, str]]:
    """(setSpec, setName): one set per series, its code and current title."""
    return [(s.code, s.title) for s in catalog.series()]


def series_codes(catalog: Catalog) -> set[str]:
    return {s.code for s in catalog.series()}


# --- Dublin Core -----------------------------------------------------------------------------

RIGHTS = "Tài liệu lưu hành nội bộ, không phổ biến ra ngoài."
DESCRIPTION_CHARS = 500


def dublin_core(catalog: Catalog, head: Header, base_url: str) -> list[tuple[str, str]]:
    """(element, value) pairs of the record's ``oai_dc`` metadata, in Dublin Core order;
    empty when the record has none (deleted)."""
    if head.deleted:
        return []
    if head.kind == ARTICLE:
        pairs = _article_dc(catalog, head.local_id, base_url)
    else:
        pairs = _issue_dc(catalog, head.local_id, base_url)
    return list(dict.fromkeys(pairs))  # a section named like a topic is one subject


def _issue_fields(view: library.IssueView) -> list[tuple[str, str]]:
    return [("publisher", view.publisher), ("date", view.issue.date or str(view.issue.year))]


def _article_dc(catalog: Catalog, article_id: str, base_url: str) -> list[tuple[str, str]]:
    art = library.get_article(catalog, article_id)
    issue = catalog.get_issue(art.issue_id) if art else None
    if art is None or issue is None:
        return []
    view = library.issue_view(catalog, issue)
    names = library.topic_names()
    out: list[tuple[str, str]] = [("title", art.title or "(không có tiêu đề)")]
    if art.byline:
        out.append(("creator", art.byline))
    if art.section:
        out.append(("subject", art.section))
    out += [("subject", names.get(t, t)) for t in library.label_topics(catalog, [art.id]).get(art.id, [])]
    text = " ".join(art.text.split())
    if text:
        out.append(("description", text[:DESCRIPTION_CHARS] + ("…" if len(text) > DESCRIPTION_CHARS else "")))
    out += _issue_fields(view)
    out += [("type", "Text"), ("type", vnformat.kind_label(art.kind)), ("format", "text/plain"),
            ("identifier", permalinks.absolute(base_url, permalinks.article_path(art.id))),
            ("source", f"{view.label}, {vnformat.page_range(art.first_page, art.last_page)}"),
            ("language", "vi"),
            ("relation", permalinks.absolute(base_url, permalinks.issue_path(issue.id)))]
    out += [("relation", ref) for ref in library.ref_ids(catalog, [art.id]).get(art.id, [])]
    out.append(("rights", RIGHTS))
    return out


def _issue_dc(catalog: Catalog, issue_id: str, base_url: str) -> list[tuple[str, str]]:
    issue = catalog.get_issue(issue_id)
    if issue is None:
        return []
    view = library.issue_view(catalog, issue)
    articles = library.issue_articles(catalog, issue_id)
    out: list[tuple[str, str]] = [("title", view.label)]
    out.append(("description", f"{issue.page_count} trang, {len(articles)} tin, bài."))
    out += _issue_fields(view)
    out += [("type", "Text"), ("type", "Số bản tin"), ("format", "image/jpeg"),
            ("identifier", permalinks.absolute(base_url, permalinks.issue_path(issue.id))),
            ("source", view.series.title), ("language", "vi"),
            ("relation", permalinks.absolute(base_url, permalinks.series_path(issue.series)))]
    out += [("relation", permalinks.absolute(base_url, permalinks.article_path(a.id))) for a in articles]
    out.append(("rights", RIGHTS))
    return out
