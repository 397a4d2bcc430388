"""The article page ``/a/<id>`` (a permalink stored by reports and citations) and its citation
downloads ``/a/<id>/cite.ris``, ``cite.bib`` and ``cite.json`` (CSL-JSON)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request

from archive import permalinks
from archive.catalog import Catalog
from indexer.segment.ops import merged_into
from webapp import cite, db, library

bp = Blueprint("article", __name__)
NAV: list[tuple[str, str, str]] = []


def base_url() -> str:
    """The absolute address of the app: the ``base_url`` setting when set, else this request's."""
    return current_app.config.get("BASE_URL") or request.url_root.rstrip("/")


def citation_for(catalog: Catalog, article: library.ArticleRow) -> tuple[cite.Citation, library.IssueView]:
    issue = catalog.get_issue(article.issue_id)
    if issue is None:
        abort(404)
    view = library.issue_view(catalog, issue)
    month = int(issue.date[5:7]) if len(issue.date) >= 7 and issue.date[5:7].isdigit() else 0
    c = cite.Citation(id=article.id, title=article.title or "(không có tiêu đề)", author=article.byline,
                      container=view.title, publisher=view.publisher, number=issue.number,
                      year=issue.year, month=month, first_page=article.first_page,
                      last_page=article.last_page,
                      url=permalinks.absolute(base_url(), permalinks.article_path(article.id)),
                      suffix=issue.suffix)
    return c, view


@bp.get("/a/<article_id>")
def article(article_id: str) -> Any:
    catalog = db.catalog()
    found = library.get_article(catalog, article_id)
    if found is None:

        target = merged_into(catalog, article_id)  # an editor merged it: the permalink still works
        if target is None:
            abort(404)
        return redirect(permalinks.article_path(target))
    citation, view = citation_for(catalog, found)
    paragraphs = [p.strip() for p in found.text.split("\n\n") if p.strip()]
    return render_template("article/article.html", a=found, view=view, citation=citation,
                           cite_text=cite.vietnamese(citation), paragraphs=paragraphs,
                           topics=library.article_topics(catalog, article_id),
                           refs=library.article_refs(catalog, article_id),
                           pages=range(found.first_page, (found.last_page or found.first_page) + 1))


@bp.get("/a/<article_id>/cite.<fmt>")
def download(article_id: str, fmt: str) -> Any:
    names = {"ris": "ris", "bib": "bib", "json": "csl"}
    if fmt not in names:
        abort(404)
    catalog = db.catalog()
    found = library.get_article(catalog, article_id)
    if found is None:
        abort(404)
    citation, _ = citation_for(catalog, found)
    fn, mime, ext = cite.FORMATS[names[fmt]]
    filename = f"{cite.bibtex_key(citation)}.{ext}"
    return Response(fn(citation), mimetype=mime.split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Content-Type": mime})
