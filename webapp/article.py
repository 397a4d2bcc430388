"""The article page ``/a/<id>`` (a permalink stored by reports and citations) and its citation
downloads ``/a/<id>/cite.ris``, ``cite.bib`` and ``cite.json`` (CSL-JSON)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request

from archive import issued, permalinks
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
        return moved(catalog, article_id, permalinks.article_path)
    citation, view = citation_for(catalog, found)
    paragraphs = [p.strip() for p in found.text.split("\n\n") if p.strip()]
    return render_template("article/article.html", a=found, view=view, citation=citation,
                           lag=_lag(view.issue.date),
                           cite_text=cite.vietnamese(citation), paragraphs=paragraphs,
                           topics=library.article_topics(catalog, article_id),
                           refs=library.article_refs(catalog, article_id),
                           pages=range(found.first_page, (found.last_page or found.first_page) + 1))


def moved(catalog: Catalog, article_id: str, path: Callable[[str], str]) -> Any:
    """An id no longer in force: a permanent redirect (308) to the one article holding its
    text now, or a page listing them (several, or none: then its issue), or 404 for an id
    never issued."""
    where = issued.resolve(catalog, article_id)
    targets = list(where.targets) if where else []
    if not targets:
        target = merged_into(catalog, article_id)  # ids renamed or merged before the log existed
        if target is not None:
            targets = [target]
    if len(targets) == 1:
        query = request.query_string.decode("utf-8", "replace")  # e.g. a lag's ?ref=…&issued=…
        return redirect(path(targets[0]) + (f"?{query}" if query else ""), code=308)
    if where is None and not targets:
        abort(404)
    articles = [a for a in (library.get_article(catalog, t) for t in targets) if a is not None]
    if where is None and not articles:
        abort(404)
    issue_id = where.issue_id if where else articles[0].issue_id
    issue = catalog.get_issue(issue_id)
    view = library.issue_view(catalog, issue) if issue is not None else None
    return render_template("article/moved.html", old_id=article_id,
                           old_title=where.title if where else "", articles=articles, view=view,
                           issue_id=issue_id)


_MONTH = re.compile(r"^(\d{4})-(\d{2})")


def _lag(issue_date: str) -> dict[str, Any] | None:
    """With ``?ref=<document>&issued=<YYYY-MM[-DD]>`` (the link of a lag in the coverage
    tables): the document, its date and the months from it to this issue, as the table
    counts them (calendar months between the two months)."""
    ref, issued = request.args.get("ref", ""), request.args.get("issued", "")
    a, b = _MONTH.match(issued), _MONTH.match(issue_date or "")
    if not ref or a is None or b is None:
        return None
    months = (int(b[1]) * 12 + int(b[2])) - (int(a[1]) * 12 + int(a[2]))
    return {"ref": ref, "issued": issued, "issue_month": issue_date[:7], "months": months}


@bp.get("/a/<article_id>/cite.<fmt>")
def download(article_id: str, fmt: str) -> Any:
    names = {"ris": "ris", "bib": "bib", "json": "csl"}
    if fmt not in names:
        abort(404)
    catalog = db.catalog()
    found = library.get_article(catalog, article_id)
    if found is None:
        return moved(catalog, article_id, lambda i: permalinks.article_path(i) + f"/cite.{fmt}")
    citation, _ = citation_for(catalog, found)
    fn, mime, ext = cite.FORMATS[names[fmt]]
    filename = f"{cite.bibtex_key(citation)}.{ext}"
    return Response(fn(citation), mimetype=mime.split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Content-Type": mime})
