"""The JSON API under ``/api/``: the same login (a session, or a personal token sent as
``Authorization: Bearer …``) and the same field names as the CLI's JSON output:
``/api/search`` as ``bantin search --json``, pages as ``bantin export pages``, articles as
``bantin export articles``. Field names are public: extend, never rename.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, jsonify, request

from archive import permalinks
from archive.catalog import Catalog
from archive.export import PAGE_FIELDS
from webapp import db, library, searching
from webapp.search import export

bp = Blueprint("api", __name__, url_prefix="/api")
NAV: list[tuple[str, str, str]] = []

ARTICLE_FIELDS = ("id", "series", "year", "number", "date", "section", "title", "byline", "kind",
                  "first_page", "last_page", "words", "confidence", "topics", "doc_refs", "text",
                  "url", "issue_id")


@bp.get("/me")
def me() -> Any:
    return jsonify(name=g.user.name, role=g.user.role, auth=g.auth)


@bp.get("/search")
def search() -> Any:
    query, problems = searching.query_from(request.args)
    if problems:
        return jsonify(error=" ".join(problems), status=400), 400
    if query.empty:
        return jsonify(error="Thiếu tham số q hoặc bộ lọc.", status=400), 400
    try:
        result = searching.execute(current_app.config["BANTIN"], query, db.catalog())
    except searching.BadQuery as e:
        return jsonify(error=f"Không hiểu câu tìm kiếm: {e}", status=400), 400
    except searching.SearchUnavailable as e:
        return jsonify(error=str(e), status=503), 503
    data = searching.result_record(result)
    data["search"] = query.url()
    return jsonify(data)


@bp.get("/search/export.<fmt>")
def search_export(fmt: str) -> Any:
    """Every hit as CSV or JSON, streamed (the search page's export, for token holders)."""

    return export(fmt)


def issue_record(catalog: Catalog, issue: Any) -> dict[str, Any]:
    view = library.issue_view(catalog, issue)
    return {"id": issue.id, "series": issue.series, "year": issue.year, "number": issue.number,
            "suffix": issue.suffix, "printed_number": issue.printed_number, "date": issue.date,
            "title": view.title, "publisher": view.publisher, "page_count": issue.page_count,
            "source_kind": issue.source_kind, "note": issue.note,
            "url": permalinks.issue_path(issue.id)}


@bp.get("/issues")
def issues() -> Any:
    catalog = db.catalog()
    series = request.args.get("series") or None
    year = request.args.get("year", type=int)
    rows = [issue_record(catalog, i) for i in catalog.issues(series, include_missing=False)
            if year is None or i.year == year]
    return jsonify(total=len(rows), issues=rows)


@bp.get("/issues/<issue_id>")
def issue(issue_id: str) -> Any:
    catalog = db.catalog()
    found = catalog.get_issue(issue_id)
    if found is None:
        abort(404)
    rec = issue_record(catalog, found)
    conf = library.page_confidences(catalog, issue_id)
    rec["pages"] = [{"id": p.id, "page": p.seq, "confidence": conf.get(p.seq),
                     "url": permalinks.page_path(issue_id, p.seq),
                     "image": f"/img/{issue_id}/{p.seq}/view.jpg"} for p in catalog.pages(issue_id)]
    arts = library.issue_articles(catalog, issue_id)
    rec["articles"] = [{"id": a.id, "title": a.title, "section": a.section, "kind": a.kind,
                        "byline": a.byline, "first_page": a.first_page, "last_page": a.last_page,
                        "url": permalinks.article_path(a.id)} for a in arts]
    return jsonify(rec)


@bp.get("/pages/<issue_id>/<int:seq>")
def page(issue_id: str, seq: int) -> Any:
    """A page as `bantin export pages` writes it, plus its words (text, box, conf)."""
    catalog = db.catalog()
    pg = catalog.get_page(f"{issue_id}/{seq}")
    issue_row = catalog.get_issue(issue_id) if pg else None
    if pg is None or issue_row is None:
        abort(404)
    row = catalog.page_text(pg.id)
    rec: dict[str, Any] = {name: None for name in PAGE_FIELDS}
    rec.update({"id": pg.id, "series": issue_row.series, "year": issue_row.year,
                "number": issue_row.number, "issue_id": issue_id, "page": pg.seq,
                "width_px": pg.width_px, "height_px": pg.height_px})
    words: list[dict[str, Any]] = []
    if row is not None:
        rec.update({"method": row["method"], "confidence": round(row["confidence"], 2),
                    "engine": row["engine"], "engine_version": row["engine_version"],
                    "encoding": row["encoding"], "note": row["note"], "text": row["text"]})
    text = library.page_text(catalog, pg)  # an editor's correction, when there is one
    if text is not None:
        rec["text"] = text.text
        words = [{"text": w.text, "box": list(w.box), "conf": w.conf, "block": w.block,
                  "line": w.line} for w in text.words]
    rec["version"] = text.version if text is not None else 0
    rec["words"] = words
    rec["url"] = permalinks.page_path(issue_id, seq)
    rec["image"] = f"/img/{issue_id}/{seq}/view.jpg"
    return jsonify(rec)


@bp.get("/articles/<article_id>")
def article(article_id: str) -> Any:
    catalog = db.catalog()
    found = library.get_article(catalog, article_id)
    if found is None:
        abort(404)
    issue_row = catalog.get_issue(found.issue_id)
    if issue_row is None:
        abort(404)
    date = issue_row.date[:7] if issue_row.date else ""
    rec = {"id": found.id, "series": issue_row.series, "year": issue_row.year,
           "number": issue_row.number, "date": date, "section": found.section,
           "title": found.title, "byline": found.byline, "kind": found.kind,
           "first_page": found.first_page, "last_page": found.last_page, "words": found.words,
           "confidence": round(found.confidence, 2),
           "topics": library.label_topics(catalog, [found.id]).get(found.id, []),
           "doc_refs": library.ref_ids(catalog, [found.id]).get(found.id, []),
           "text": found.text, "url": permalinks.article_path(found.id), "issue_id": found.issue_id}
    rec["topic_evidence"] = {t.slug: dict(t.evidence) for t in library.article_topics(catalog, found.id)
                             if t.label}
    return jsonify(rec)
