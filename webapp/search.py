"""The search page ``/search?…`` (the URL holds the whole state) and its exports
``/search/export.csv`` and ``/search/export.json`` (every hit, streamed, no cap)."""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, stream_with_context
from markupsafe import Markup, escape

from archive import csvcells
from archive.permalinks import absolute
from archive.vnformat import issue_number, kind_label
from archive.vntext import fold
from indexer.search.query import SearchRequest
from indexer.search.results import Hit
from indexer.segment.sections import load_sections
from webapp import db, library, searching, users

bp = Blueprint("search", __name__)
NAV: list[tuple[str, str, str]] = []

FACETS = (("series", "Bản tin"), ("year", "Năm"), ("section", "Chuyên mục"), ("kind", "Loại"),
          ("topic", "Chủ đề"), ("ref", "Văn bản được dẫn"))
FACET_SHOWN = 12  # values listed per facet (the most frequent)
# A section name the sections list does not hold is offered as a filter value only when this
# many articles carry it: a banner OCR garbled once ("TT KẾT NẬP im NIÊN") is not a section.
SECTION_MIN_ARTICLES = 3
_TAG = re.compile(r"(<[^>]*>)")
_MARK = re.compile(r'^<(/?)mark(?:\s+class="[a-z0-9 _-]*")?\s*>$', re.IGNORECASE)


@bp.get("/search")
def search_page() -> Any:
    query, problems = searching.query_from(request.args)
    canonical = query.pairs()
    if list(request.args.items(multi=True)) != canonical and not problems:
        # one URL per search: empty form fields dropped, parameters in the canonical order
        return redirect(query.url(page=query.page) if canonical else "/search")
    catalog = db.catalog()
    context: dict[str, Any] = {"query": query, "result": None, "error": "", "hits": [],
                               "problems": problems,
                               "facets": [], "series_names": {s.code: s.title for s in catalog.series()},
                               "sections": filter_sections(catalog),
                               "topic_names": library.topic_names()}
    status = 200
    if not query.empty:
        try:
            result = searching.execute(current_app.config["BANTIN"], query, catalog, marks=False)
        except searching.BadQuery as e:
            context["error"] = f"Không hiểu câu tìm kiếm: {e}"
            status = 400
        except searching.SearchUnavailable as e:
            context["error"] = str(e)
            status = 503
        else:
            context["result"] = result
            context["hits"] = [_hit_view(h, query) for h in result.hits]
            context["facets"] = _facet_view(result.facets, query, context)
            context["pages"] = _pager(query, result.listed)
            if query.page > context["pages"]["last"] and result.listed:
                return redirect(query.url(page=context["pages"]["last"]))  # past the end: the last page
            context["years"] = _year_bars(result.facets.get("year", {}), query)
    return render_template("search/search.html", **context), status


def filter_sections(catalog: Any) -> list[str]:
    """Sections offered as filter values: those of the sections list (shipped and the home's
    ``sections.toml``) that articles carry, and names seen on at least
    :data:`SECTION_MIN_ARTICLES` articles (a banner the list lacks but the bulletins print)."""
    if not library.has_table(catalog, "article"):
        return []
    known = {s.name for s in load_sections(current_app.config["BANTIN"].home).sections}
    rows = catalog.query("SELECT section, COUNT(*) AS n FROM article WHERE section != ''"
                         " GROUP BY section")
    return sorted((r["section"] for r in rows if r["section"] in known or r["n"] >= SECTION_MIN_ARTICLES),
                  key=fold_key)


def fold_key(text: str) -> tuple[str, str]:
    """Alphabetical order a Vietnamese reader expects (diacritics second)."""
    return (fold(text).lower(), text)


@lru_cache(maxsize=8192)
def safe_snippet(snippet: str) -> Markup:
    """The engine's snippet with only ``<mark>`` kept: every other tag and character escaped,
    whether or not the engine escaped them already (OCR text may hold ``<script>``). Kept
    for the last snippets: a drawn hit is kept by the engine, so its strings come back."""
    out = []
    for part in _TAG.split(snippet or ""):
        m = _MARK.match(part)
        if m:
            out.append("</mark>" if m.group(1) else "<mark>")
        else:
            out.append(str(escape(html.unescape(part))))
    return Markup("".join(out))


def _hit_view(hit: Hit, query: SearchRequest) -> dict[str, Any]:
    from urllib.parse import urlencode

    issue = hit.issue_id
    extra = {"q": query.q} if query.q else {}
    if hit.kind != "page":
        extra["a"] = hit.id
    suffix = ("?" + urlencode(extra)) if extra else ""
    page_links = [(p, f"/i/{issue}/{p}{suffix}") for p in hit.pages] if issue else []
    url = hit.url
    if hit.kind == "page" and query.q:
        url += ("&" if "?" in url else "?") + urlencode({"q": query.q})

    label = issue_number(hit.number, hit.year) if hit.number else issue
    return {"hit": hit, "url": url, "issue": issue, "issue_label": label, "page_links": page_links,
            "snippet": safe_snippet(hit.snippet), "title": safe_snippet(hit.title_marked),
            "passages": [safe_snippet(p) for p in hit.snippets] or [safe_snippet(hit.snippet)]}


def _facet_view(facets: Any, query: SearchRequest, context: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    facets = facets or {}
    for name, label in FACETS:
        counts = facets.get(name)
        if not counts:
            continue
        items = list(counts.items()) if hasattr(counts, "items") else list(counts)
        if name != "year":
            items.sort(key=lambda kv: (-kv[1], str(kv[0])))
        else:
            items.sort(key=lambda kv: str(kv[0]))
        values = []
        if name == "section":  # garbled one-off banners are no filter values
            items = [kv for kv in items if str(kv[0]) in context["sections"] or str(kv[0]) == query.section]
        for value, count in items[: FACET_SHOWN if name != "year" else 200]:
            value = str(value)
            if name == "year":
                url = query.url(year_from=int(value), year_to=int(value))
                active = query.year_from == query.year_to == int(value)
            elif name in ("series", "section", "kind", "topic", "ref"):
                url = query.url(**{name: value})
                active = getattr(query, name) == value
            else:
                continue
            values.append({"value": value, "label": _facet_label(name, value, context),
                           "count": count, "url": url, "active": active})
        out.append({"name": name, "label": label, "entries": values, "more": len(items) > len(values)})
    return out


def _year_bars(years: dict[str, int], query: SearchRequest) -> list[dict[str, Any]]:
    """The year histogram above the hits: one bar per year from the first to the last year
    found (empty years too), height relative to the busiest, each a link to that year."""
    counts = {int(y): c for y, c in years.items() if str(y).isdigit()}
    if len(counts) < 2:
        return []
    top = max(counts.values())
    return [{"year": y, "count": counts.get(y, 0), "height": round(100 * counts.get(y, 0) / top),
             "url": query.url(year_from=y, year_to=y)} for y in range(min(counts), max(counts) + 1)]


def _facet_label(name: str, value: str, context: dict[str, Any]) -> str:
    if name == "series":
        return context["series_names"].get(value, value)
    if name == "topic":
        return context["topic_names"].get(value, value)
    if name == "kind":
        return kind_label(value)
    return value


def _pager(query: SearchRequest, total: int) -> dict[str, Any]:
    last = max(1, -(-total // query.per_page))
    window = [p for p in range(max(1, query.page - 3), min(last, query.page + 3) + 1)]
    return {"last": last, "window": [(p, query.url(page=p)) for p in window],
            "prev": query.url(page=query.page - 1) if query.page > 1 else "",
            "next": query.url(page=query.page + 1) if query.page < last else ""}


# --- exports -------------------------------------------------------------------------------

EXPORT_FIELDS = ("id", "kind", "series", "date", "title", "section", "pages", "score", "url",
                 "possible")


@bp.get("/search/export.<fmt>")
def export(fmt: str) -> Any:
    if fmt not in ("csv", "json"):
        return render_template("error.html", code=404, message="Không có định dạng này."), 404
    query, _problems = searching.query_from(request.args)
    config = current_app.config["BANTIN"]
    try:
        first, hits = searching.all_hits(config, query, db.catalog())
    except searching.BadQuery as e:
        return Response(f"Không hiểu câu tìm kiếm: {e}\n", 400, mimetype="text/plain")
    except searching.SearchUnavailable as e:
        return Response(f"{e}\n", 503, mimetype="text/plain")
    base = current_app.config.get("BASE_URL") or request.url_root.rstrip("/")
    users.audit(db.catalog(), g.user.name, "export", query.url(), f"format={fmt} total={first.total}")
    stem = "bantin-tim-kiem-" + (first.query_key or "ket-qua")
    if fmt == "csv":
        body = _csv_rows(hits, base)
        mime = "text/csv; charset=utf-8"
    else:
        body = _json_stream(first, hits, base, query)
        mime = "application/json; charset=utf-8"
    return Response(stream_with_context(body), mimetype=mime.split(";")[0],
                    headers={"Content-Type": mime,
                             "Content-Disposition": f'attachment; filename="{stem}.{fmt}"'})


def _export_record(hit: Any, base: str) -> dict[str, Any]:
    rec = searching.hit_record(hit)
    rec["url"] = absolute(base, rec["url"]) if rec.get("url") else ""
    rec["snippet"] = re.sub(r"<[^>]+>", "", html.unescape(rec.get("snippet") or ""))
    return rec


def _csv_rows(hits: Iterator[Any], base: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csvcells.writer(buffer)
    buffer.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer.writerow(EXPORT_FIELDS)
    for hit in hits:
        rec = _export_record(hit, base)
        writer.writerow([";".join(map(str, rec[f])) if isinstance(rec[f], list) else rec[f]
                         for f in EXPORT_FIELDS])
        if buffer.tell() > 16384:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_stream(first: Any, hits: Iterator[Any], base: str, query: SearchRequest) -> Iterator[str]:
    head = {"total": first.total, "possible": first.possible, "query_key": first.query_key,
            "index_version": first.index_version, "search": query.url()}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "hits": [\n'
    for n, hit in enumerate(hits):
        yield ("" if n == 0 else ",\n") + json.dumps(_export_record(hit, base), ensure_ascii=False)
    yield "\n]}\n"
