"""A search's full records, for any logged-in reader: ``/search/records.csv``, ``.json`` and
``.jsonl`` (and the same under ``/api/search/records.…`` for token holders), streamed, every hit.

Where the search export (``/search/export.…``) lists hits (id, title, a snippet), this one
carries what a researcher analyses elsewhere: title, byline, date, section, topics, cited
documents and the whole text in force (an editor's correction included). Every record carries
the search's ``query_key``, so a file can be traced back to the search and the index version
that made it. CSV cells go through :mod:`archive.csvcells` like every CSV the program writes.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, current_app, g, request, stream_with_context

from archive import csvcells
from archive.permalinks import absolute
from webapp import db, library, searching, users

bp = Blueprint("records", __name__)
NAV: list[tuple[str, str, str]] = []

RECORD_FIELDS = ("query_key", "id", "kind", "series", "issue_id", "date", "title", "byline", "section",
                 "topics", "doc_refs", "pages", "url", "possible", "text")
FORMATS = {"csv": "text/csv", "json": "application/json", "jsonl": "application/x-ndjson"}
BATCH = 200  # hits whose texts are read in one query


def _texts(catalog: Any, hits: list[Any]) -> dict[str, str]:
    """The text in force of each hit: its article's, or its page's (pages not cut into articles)."""
    out: dict[str, str] = {}
    articles = [h.id for h in hits if h.doctype == "article"]
    if articles:
        marks = ",".join("?" * len(articles))
        out.update({r["id"]: r["text"] for r in catalog.query(
            f"SELECT id, text FROM article WHERE id IN ({marks})", articles)})
    for h in hits:
        if h.doctype != "article":
            page = catalog.get_page(h.id) or (catalog.get_page(f"{h.issue_id}/{h.pages[0]}") if h.pages else None)
            text = library.page_text(catalog, page) if page else None
            out[h.id] = text.text if text else ""
    return out


def records(catalog: Any, hits: Iterator[Any], query_key: str, base: str) -> Iterator[dict[str, Any]]:
    batch: list[Any] = []

    def flush() -> Iterator[dict[str, Any]]:
        texts = _texts(catalog, batch)
        for h in batch:
            yield {"query_key": query_key, "id": h.id, "kind": h.kind, "series": h.series,
                   "issue_id": h.issue_id, "date": h.date, "title": h.title, "byline": h.byline,
                   "section": h.section, "topics": list(h.topics), "doc_refs": list(h.refs),
                   "pages": list(h.pages), "url": absolute(base, h.url) if h.url else "",
                   "possible": h.possible, "text": texts.get(h.id, "")}

    for hit in hits:
        batch.append(hit)
        if len(batch) >= BATCH:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def _csv(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csvcells.writer(buffer)
    buffer.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer.writerow(RECORD_FIELDS)
    for rec in rows:
        writer.writerow([";".join(map(str, rec[f])) if isinstance(rec[f], list) else rec[f]
                         for f in RECORD_FIELDS])
        if buffer.tell() > 65536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json(head: dict[str, Any], rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "records": [\n'
    for n, rec in enumerate(rows):
        yield ("" if n == 0 else ",\n") + json.dumps(rec, ensure_ascii=False)
    yield "\n]}\n"


def _jsonl(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    for rec in rows:
        yield json.dumps(rec, ensure_ascii=False) + "\n"


def _text_error(message: str, status: int) -> Response:
    if request.path.startswith("/api/"):
        return Response(json.dumps({"error": message, "status": status}, ensure_ascii=False), status,
                        mimetype="application/json")
    return Response(message + "\n", status, mimetype="text/plain")


@bp.get("/search/records.<fmt>")
@bp.get("/api/search/records.<fmt>")
def search_records(fmt: str) -> Any:
    if fmt not in FORMATS:
        return _text_error("Không có định dạng này: dùng csv, json hoặc jsonl.", 404)
    query, problems = searching.query_from(request.args)
    if problems:
        return _text_error(" ".join(problems), 400)
    if query.empty:
        return _text_error("Thiếu tham số q hoặc bộ lọc.", 400)
    catalog = db.catalog()
    try:
        first, hits = searching.all_hits(current_app.config["BANTIN"], query, catalog, snippets=False)
    except searching.BadQuery as e:
        return _text_error(f"Không hiểu câu tìm kiếm: {e}", 400)
    except searching.SearchUnavailable as e:
        return _text_error(str(e), 503)
    base = current_app.config.get("BASE_URL") or request.url_root.rstrip("/")
    users.audit(catalog, g.user.name, "export", query.url(), f"records format={fmt} total={first.total}")
    rows = records(catalog, hits, first.query_key, base)
    if fmt == "csv":
        body = _csv(rows)
    elif fmt == "json":
        body = _json({"total": first.total, "possible": first.possible, "query_key": first.query_key,
                      "index_version": first.index_version, "search": query.url(),
                      "fields": list(RECORD_FIELDS)}, rows)
    else:
        body = _jsonl(rows)
    stem = "bantin-ban-ghi-" + (first.query_key or "ket-qua")
    return Response(stream_with_context(body), mimetype=FORMATS[fmt],
                    headers={"Content-Type": f"{FORMATS[fmt]}; charset=utf-8",
                             "Content-Disposition": f'attachment; filename="{stem}.{fmt}"'})
