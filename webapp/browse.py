"""Browse: series (with title history) → calendar of years and issues → issue → page viewer.

URLs are those of :mod:`archive.permalinks` (``/s/<series>``, ``/i/<issue>``,
``/i/<issue>/<seq>``): reports and citations store them.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from flask import Blueprint, abort, current_app, make_response, render_template, request, url_for

from archive import holdings, permalinks
from archive.ocrxml import pixel_size
from archive.vntext import nfc
from webapp import db, imageapi, library, marks, pageimage, tiles
from webapp.search import safe_snippet

bp = Blueprint("browse", __name__)
NAV: list[tuple[str, str, str]] = []
QUERY_MAX = 500  # characters of a query kept from the URL


def _query() -> str:
    return nfc(request.args.get("q", ""))[:QUERY_MAX].strip()


@bp.get("/")
def home() -> Any:
    catalog = db.catalog()
    rows = catalog.query("SELECT series, count(*) AS issues, min(year) AS first, max(year) AS last,"
                         " sum(page_count) AS pages FROM issue WHERE missing = 0 GROUP BY series")
    stats = {r["series"]: r for r in rows}
    articles = {}
    if library.has_table(catalog, "article"):
        for r in catalog.query("SELECT i.series, count(*) AS n FROM article a JOIN issue i"
                               " ON i.id = a.issue_id GROUP BY i.series"):
            articles[r["series"]] = r["n"]
    return render_template("browse/home.html", series=catalog.series(), stats=stats,
                           articles=articles)


@bp.get("/s/<code>")
def series(code: str) -> Any:
    catalog = db.catalog()
    s = catalog.get_series(code)
    if s is None:
        abort(404)
    issues = catalog.issues(code, include_missing=False)
    return render_template("browse/series.html", series=s, history=library.title_history(s),
                           holdings=holdings.holdings(s, issues))


@bp.get("/i/<issue_id>")
def issue(issue_id: str) -> Any:
    catalog = db.catalog()
    found = catalog.get_issue(issue_id)
    if found is None:
        abort(404)
    view = library.issue_view(catalog, found)
    pages = catalog.pages(issue_id)
    articles = library.issue_articles(catalog, issue_id)
    q = _query()
    in_issue = _search_issue(catalog, pages, q) if q else []
    _render_ahead(found, pages)
    return render_template("browse/issue.html", view=view, pages=pages, articles=articles,
                           toc=_toc(articles),
                           confidences=library.page_confidences(catalog, issue_id), q=q,
                           in_issue=in_issue, neighbours=_neighbours(catalog, found))


def _render_ahead(issue: Any, pages: list[Any], first: int = 0) -> None:
    """Start rendering the issue's page images in the background (see webapp.pageimage)."""
    config = current_app.config["BANTIN"]
    pageimage.render_ahead(config.scans, config.cache_dir, pages, issue.source_kind,
                           issue_sha=issue.sha256, first=min(first, len(pages)))


def _toc(articles: list[library.ArticleRow]) -> list[tuple[str, list[library.ArticleRow]]]:
    """Articles grouped by runs of the same section, in issue order."""
    groups: list[tuple[str, list[library.ArticleRow]]] = []
    for a in articles:
        if not groups or groups[-1][0] != a.section:
            groups.append((a.section, []))
        groups[-1][1].append(a)
    return groups


def _search_issue(catalog: Any, pages: list[Any], q: str) -> list[dict[str, Any]]:
    """Pages of this issue where ``q`` occurs under the search's rule, with the number of
    matches and a snippet around them (escaped, matches marked)."""
    out = []
    for page in pages:
        text = library.page_text(catalog, page)
        if text is None:
            continue
        n = marks.count_matches(text.words, q)
        if n:
            out.append({"seq": page.seq, "count": n,
                        "snippet": safe_snippet(marks.page_snippet(text.words, q))})
    return out


def _neighbours(catalog: Any, issue: Any) -> tuple[Any, Any]:
    """The previous and next issue of the same series (by year, number, suffix)."""
    ids = [i.id for i in catalog.issues(issue.series, include_missing=False)]
    k = ids.index(issue.id) if issue.id in ids else -1
    prev_id = ids[k - 1] if k > 0 else None
    next_id = ids[k + 1] if 0 <= k < len(ids) - 1 else None
    return prev_id, next_id


@bp.get("/i/<issue_id>/<int:seq>")
def page(issue_id: str, seq: int) -> Any:
    catalog = db.catalog()
    found = catalog.get_issue(issue_id)
    pg = catalog.get_page(f"{issue_id}/{seq}") if found else None
    if found is None or pg is None:
        abort(404)
    view = library.issue_view(catalog, found)
    config = current_app.config["BANTIN"]
    q = _query()
    text = library.page_text(catalog, pg)
    words = text.words if text else []
    hits = marks.marked_words(words, q) if q else set()
    low = float(config.low_confidence)
    articles = library.page_articles(catalog, issue_id, seq)
    focus = request.args.get("a", "")
    lines = _lines(words, hits, low)
    keep: dict[str, Any] = {"q": q} if q else {}
    if focus:
        keep["a"] = focus
    nav = {
        "prev": url_for("browse.page", issue_id=issue_id, seq=seq - 1, **keep) if seq > 1 else "",
        "next": url_for("browse.page", issue_id=issue_id, seq=seq + 1, **keep)
        if seq < found.page_count or catalog.get_page(f"{issue_id}/{seq + 1}") else "",
    }
    response = make_response(render_template(
        "browse/page.html", view=view, page=pg, text=text, words=words, hits=sorted(hits),
        lines=lines, low=low, articles=articles, focus=focus, q=q, nav=nav,
        outlines={a.id: library.merge_boxes(a.boxes.get(seq, [])) for a in articles},
        low_count=sum(1 for w in words if w.conf < low),
        image=url_for("images.page_image", issue_id=issue_id, seq=seq, size="view"),
        image_large=url_for("images.page_image", issue_id=issue_id, seq=seq, size="large"),
        permalink=permalinks.page_path(issue_id, seq),
        iiif_service=f"/iiif/{quote(issue_id, safe='')}/{seq}",
        iiif_info=json.dumps(imageapi.info(imageapi.service_url(issue_id, seq), *pixel_size(pg)))
        if pg.width_px > 0 and pg.height_px > 0 else ""))
    # the deep-zoom tiles start rendering once this page is sent (not while it is rendered),
    # then the next page's first view (what the reader most likely opens next: n, Trang sau).
    # Not the plain images of the issue's pages: the viewer does not show them, and rendering
    # them at full size took the CPU from the first view the reader was waiting for.
    source = tiles.Source(config.scans, config.cache_dir, pg, found.source_kind, found.sha256)
    following = catalog.get_page(f"{issue_id}/{seq + 1}")
    ahead = [tiles.Source(config.scans, config.cache_dir, following, found.source_kind, found.sha256)
             ] if following is not None else []
    response.call_on_close(lambda: tiles.prefetch(source, ahead))
    return response


def _lines(words: list[Any], hits: set[int], low: float) -> list[list[dict[str, Any]]]:
    """Words grouped by (block, line) in reading order, each with its marks for the text pane;
    a new block starts a paragraph (an empty line between)."""
    lines: list[list[dict[str, Any]]] = []
    key = None
    for i, w in enumerate(words):
        k = (w.block, w.line)
        if k != key:
            if key is not None and w.block != key[0]:
                lines.append([])
            lines.append([])
            key = k
        lines[-1].append({"i": i, "text": w.text, "hit": i in hits, "low": w.conf < low,
                          "conf": w.conf})
    return lines
