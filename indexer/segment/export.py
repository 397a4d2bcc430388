"""`bantin export articles`: one record per article, for scripts and spreadsheets.

The field names are a public interface (extend, never rename). ``date`` is the issue's
month, ``YYYY-MM``, taken from, in order: the catalog (a sidecar's date, or the masthead's
*tháng M/YYYY* that segmentation writes there when the catalog had none), the masthead as
segmentation read it, and for a monthly series (12 issues a year) the issue number as the
month; otherwise it is empty (never guessed). ``topics`` and ``doc_refs`` come from the
analysis stage when it has run (else empty lists); ``doc_refs`` holds the cited documents the
review counts (one read by OCR and left doubtful waits for an editor's confirmation).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from archive.catalog import Catalog
from archive.permalinks import article_path
from archive.worklist import counted_ref

ARTICLE_FIELDS = ("id", "series", "year", "number", "issue_id", "date", "section",
                  "title", "byline", "kind", "first_page", "last_page", "words", "confidence",
                  "topics", "doc_refs", "text", "url")


def article_date(catalog_date: str, masthead_date: str, year: int, number: str,
                 issues_per_year: int) -> str:
    """``YYYY-MM`` or ''; see the module docstring for the order of sources."""
    if len(catalog_date) >= 7:
        return catalog_date[:7]
    if len(masthead_date) >= 7:
        return masthead_date[:7]
    if issues_per_year == 12 and number.isdigit() and 1 <= int(number) <= 12:
        return f"{year:04d}-{int(number):02d}"
    return ""


def _has_table(catalog: Catalog, name: str) -> bool:
    return catalog.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                       (name,)) is not None


def _labels(catalog: Catalog) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if not _has_table(catalog, "article_topic"):
        return out
    for r in catalog.query("SELECT article_id, topic FROM article_topic WHERE label = 1"
                           " ORDER BY article_id, score DESC, topic"):
        out.setdefault(r["article_id"], []).append(r["topic"])
    return out


def _refs(catalog: Catalog) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if not _has_table(catalog, "article_ref"):
        return out
    for r in catalog.query("SELECT article_id, doc_id, SUM(count) AS n FROM article_ref"
                           f" WHERE {counted_ref(catalog)}"
                           " GROUP BY article_id, doc_id ORDER BY article_id, n DESC, doc_id"):
        out.setdefault(r["article_id"], []).append(r["doc_id"])
    return out


def article_records(catalog: Catalog) -> Iterator[dict[str, Any]]:
    """One record per article of every issue still in scans/, in series, year, issue and
    reading order."""
    labels, refs = _labels(catalog), _refs(catalog)
    cursor = catalog.db.execute(
        "SELECT a.id, a.issue_id, a.section, a.title, a.byline, a.kind, a.first_page,"
        " a.last_page, a.words, a.confidence, a.text, i.series, i.year, i.number,"
        " i.date AS catalog_date, COALESCE(s.issue_date, '') AS masthead_date,"
        " COALESCE(se.issues_per_year, 0) AS per_year"
        " FROM article a JOIN issue i ON i.id = a.issue_id"
        " LEFT JOIN segment_state s ON s.issue_id = a.issue_id"
        " LEFT JOIN series se ON se.code = i.series"
        " WHERE i.missing = 0 ORDER BY i.series, i.year, CAST(i.number AS INTEGER), i.number, i.suffix, a.seq")
    for r in cursor:
        date = article_date(r["catalog_date"], r["masthead_date"], r["year"],
                                    r["number"], r["per_year"])
        yield {"id": r["id"], "series": r["series"], "year": r["year"], "number": r["number"],
               "issue_id": r["issue_id"], "date": date,
               "section": r["section"], "title": r["title"], "byline": r["byline"],
               "kind": r["kind"], "first_page": r["first_page"], "last_page": r["last_page"],
               "words": r["words"], "confidence": round(r["confidence"], 2),
               "topics": labels.get(r["id"], []), "doc_refs": refs.get(r["id"], []),
               "text": r["text"], "url": article_path(r["id"])}
