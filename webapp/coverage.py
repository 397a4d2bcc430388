"""Coverage pages ``/coverage/…``: structure over time, the topic heatmap, cited documents and
lags, term trends, example articles, and the report download (issue 8).

The numbers come from ``review/`` (the same computations ``bantin stats`` and ``bantin
report`` use); this module only reads URL parameters and renders. Every table has a CSV
download (``/coverage/<page>.csv?table=<name>&…``) and a permalink (the page URL with its
parameters and ``#<name>``); every number links to the search listing what it counts.
Charts are inline SVG (each point a link) with the same chart as PNG at
``/coverage/chart.png?name=<name>&…`` (the image the report embeds).

Why one module of a little over 400 lines: the coverage pages share the corpus cache, the
filters and the CSV and report downloads; each view is short.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from markupsafe import Markup

from archive.errors import UsageError
from archive.permalinks import search_path
from indexer.search.engine import IndexMissing
from review import coverage as cov
from review import distribution, documents, examples, figures, shares, structure, trends
from review.charts import png
from review.corpus import Corpus, load_corpus
from review.evidence import coverage_path, search_request
from review.filters import Filters
from review.report import render_report
from review.report_docx import write_docx
from review.report_html import html_report
from review.svgchart import svg
from review.tables import Table, csv_value, display
from webapp import db, users
from webapp.coverage_cache import cached as _cached

bp = Blueprint("coverage", __name__, url_prefix="/coverage")
NAV: list[tuple[str, str, str]] = [("coverage.index", "Thống kê", "reader")]

PAGES = {
    "structure": ("structure", "sections", "kinds"),
    "topics": ("topics", "gaps"),
    "documents": ("documents", "unmentioned", "mentions", "unregistered"),
    "trends": ("trends",),
    "examples": ("examples",),
    "distribution": ("distribution", "format_changes"),
}
DEFAULT_TERMS = "sinh hoạt chi bộ, chuyển đổi số"
# the table each chart is drawn from (its data, as CSV)
CHART_TABLES = {"completeness": "structure", "articles": "structure", "words": "structure",
                "lags": "documents", "trends": "trends"}


def _corpus() -> Corpus:
    return load_corpus(db.catalog(), current_app.config["BANTIN"])


def _bad(message: str) -> Any:
    return render_template("error.html", code=400, message=message), 400


@bp.errorhandler(IndexMissing)
def _no_index(_e: IndexMissing) -> Any:
    """Term trends and search-backed numbers need the index: say how to make it, no traceback."""
    return render_template("error.html", code=503,
                           message="Chưa có chỉ mục tìm kiếm: chạy `bantin build` để tạo."), 503


def _filters(corpus: Corpus, by_default: str = "year") -> Filters:
    return Filters.from_args(request.args, by_default=by_default)


def _threshold() -> float:
    raw = request.args.get("threshold", "").replace(",", ".").strip()
    if not raw:
        return cov.DEFAULT_THRESHOLD
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"ngưỡng {raw!r} không hợp lệ: nhập một số phần trăm, ví dụ 2") from None
    if not 0 <= value <= 100:
        raise UsageError("ngưỡng phải từ 0 đến 100 (%)")
    return value


def _measure() -> str:
    measure = request.args.get("measure", "articles")
    if measure not in cov.MEASURES:
        raise UsageError("cách tính tỷ lệ phải là articles (số tin, bài) hoặc words (số chữ)")
    return measure


def _per_period() -> int:
    raw = request.args.get("per_period", "")
    try:
        value = int(raw) if raw else examples.DEFAULT_PER_PERIOD
    except ValueError:
        raise UsageError(f"số bài mỗi thời kỳ {raw!r} phải là số nguyên") from None
    if not 1 <= value <= 20:
        raise UsageError("số bài mỗi thời kỳ phải từ 1 đến 20")
    return value


def _terms() -> tuple[str, ...]:
    return trends.parse_terms(request.args.get("terms", DEFAULT_TERMS))


def _page_params(page: str, filters: Filters) -> list[tuple[str, str]]:
    """The page's parameters in a fixed order: its permalink (and its CSV's)."""
    params = filters.params()
    if page == "topics":
        params += [("measure", _measure()), ("threshold", f"{_threshold():g}")]
    elif page == "trends":
        params.append(("terms", ", ".join(_terms())))
    elif page == "examples":
        if request.args.get("topic"):
            params.append(("topic", request.args["topic"]))
        params.append(("per_period", str(_per_period())))
    return params


def _tables(page: str, corpus: Corpus, filters: Filters) -> list[Table]:
    config = current_app.config["BANTIN"]
    if page == "structure":
        return structure.structure_tables(corpus, filters)
    if page == "topics":
        m, t = _measure(), _threshold()
        return [cov.heatmap_table(corpus, filters, measure=m, threshold=t),
                cov.gaps_table(corpus, filters, measure=m, threshold=t)]
    if page == "documents":
        return [documents.documents_table(corpus, filters), documents.unmentioned_table(corpus, filters),
                documents.mentions_table(corpus, filters), documents.unregistered_table(corpus, filters)]
    if page == "trends":
        return [trends.trends_table(config, corpus, filters, _terms())]
    if page == "distribution":
        return [distribution.distribution_table(db.catalog(), corpus, filters),
                distribution.changes_table(db.catalog(), corpus, filters)]
    if page == "examples":
        topic = request.args.get("topic") or None
        return [examples.examples_table(db.catalog(), corpus, filters, [topic] if topic else None,
                                        per_period=_per_period())]
    abort(404)


def _charts(page: str, corpus: Corpus, filters: Filters) -> list[Any]:
    config = current_app.config["BANTIN"]
    if page == "structure":
        return [figures.completeness_chart(corpus, filters), figures.articles_chart(corpus, filters),
                figures.words_chart(corpus, filters)]
    if page == "topics":
        m = _measure()
        return [figures.heat_chart(hm, m) for hm in cov.heatmaps(corpus, filters, measure=m,
                                                                 threshold=_threshold())]
    if page == "documents":
        return [figures.lag_chart(corpus, documents.mentions(corpus, filters))]
    if page == "trends":
        return [figures.trend_chart(corpus, trends.trend_points(config, corpus, filters, _terms()))]
    return []


def _context(page: str, corpus: Corpus, filters: Filters) -> dict[str, Any]:
    params = _page_params(page, filters)
    tables = _tables(page, corpus, filters)
    charts = _charts(page, corpus, filters)
    return {
        "page": page, "filters": filters, "corpus": corpus, "tables": tables, "params": params,
        "fmt": display, "raw": csv_value, "series": [(s.code, s.title) for s in corpus.series],
        "permalink": lambda name: coverage_path(name, params),
        "csv": lambda name: coverage_path(name, params, csv=True),
        "charts": [(c, Markup(svg(c)) if hasattr(c, "panels") else None,
                    "/coverage/chart.png?" + urlencode([("name", c.name), *params])) for c in charts],
        "page_url": f"/coverage/{page}?" + urlencode(params),
        "chart_table": CHART_TABLES,
        "index_version": corpus.index_version,
    }


TITLES = {"structure": "Cơ cấu theo thời kỳ", "topics": "Chủ đề theo thời kỳ",
          "documents": "Văn bản được dẫn", "trends": "Tần suất từ ngữ", "examples": "Bài tiêu biểu",
          "distribution": "Phát hành"}


def _view(page: str, by_default: str = "year",
          extra: Callable[[Corpus, Filters], dict[str, Any]] | None = None) -> Any:
    """Render a coverage page. Its body (everything but the site's header, which names the
    user) depends only on the archive's state and the URL, so it is kept in memory per
    snapshot stamp and query string: a page is computed and rendered once per change."""
    try:
        corpus = _corpus()
        key = ("body", corpus.stamp, page, request.query_string)

        def make() -> bytes:
            filters = _filters(corpus, by_default)
            context = _context(page, corpus, filters)
            if extra is not None:
                context.update(extra(corpus, filters))
            return render_template(f"coverage/{page}_body.html", **context).encode("utf-8")

        body = _cached(key, make)
    except UsageError as e:
        return _bad(str(e))
    return render_template("coverage/page.html", title=TITLES[page], body=Markup(body.decode("utf-8")))


@bp.get("", strict_slashes=False)
def index() -> Any:
    try:
        corpus = _corpus()
        filters = _filters(corpus, "term")
    except UsageError as e:
        return _bad(str(e))
    stats = structure.period_stats(corpus, filters)
    totals = []
    for code in filters.chosen_series(corpus):
        rows = [st for st in stats if st.series == code]
        totals.append({"code": code, "title": corpus.series_title(code),
                       "held": sum(r.held for r in rows), "expected": sum(r.expected for r in rows),
                       "articles": sum(r.articles for r in rows)})
    return render_template("coverage/index.html", corpus=corpus, filters=filters, totals=totals,
                           params=filters.params(), series=[(s.code, s.title) for s in corpus.series],
                           query=urlencode(filters.params()), index_version=corpus.index_version)


def _year_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise UsageError(f"năm {raw!r} không hợp lệ: nhập bốn chữ số, ví dụ 2005")
    return int(raw)


@bp.get("/basis")
def basis_page() -> Any:
    """``/coverage/basis?series=…&from=…&to=…[&section|kind|topic=…]``: the issues a
    structure number was computed from, the period's totals as the headline (each marked
    ``data-count``/``data-unit`` for ``bantin report --check``), one row per issue."""
    try:
        corpus = _corpus()
        code = request.args.get("series", "") or next(iter(corpus.series_codes()), "")
        if corpus.get_series(code) is None:
            raise UsageError(f"không có bản tin {code!r} trong kho")
        lo, hi = _year_arg("from"), _year_arg("to")
        held = corpus.years(code)
        lo = lo if lo is not None else (held[0] if held else 0)
        found = structure.basis(corpus, code, lo, hi, section=request.args.get("section", ""),
                                kind=request.args.get("kind", ""), topic=request.args.get("topic", ""))
    except UsageError as e:
        return _bad(str(e))
    return render_template("coverage/basis.html", b=found, st=found.stats,
                           title=corpus.series_title(code), code=code,
                           search=search_path(list(search_request(series=code, year_from=lo,
                                                                  year_to=hi).params())))


@bp.get("/structure")
def structure_page() -> Any:
    return _view("structure")


@bp.get("/distribution")
def distribution_page() -> Any:
    return _view("distribution")


@bp.get("/topics")
def topics_page() -> Any:
    def extra(corpus: Corpus, filters: Filters) -> dict[str, Any]:
        m, t = _measure(), _threshold()
        return {"maps": cov.heatmaps(corpus, filters, measure=m, threshold=t), "measure": m,
                "threshold": t, "switch": {k: "/coverage/topics?" + urlencode(
                    filters.params() + [("measure", k), ("threshold", f"{t:g}")]) for k in cov.MEASURES},
                "flag_labels": cov.FLAG_LABELS,
                "method": shares.METHOD if corpus.calibration and m == "articles" else ""}
    return _view("topics", "term", extra)


@bp.get("/documents")
def documents_page() -> Any:
    return _view("documents")


@bp.get("/trends")
def trends_page() -> Any:
    return _view("trends", extra=lambda c, f: {"terms": ", ".join(_terms())})


@bp.get("/examples")
def examples_page() -> Any:
    return _view("examples", "term", lambda c, f: {
        "topics": c.topics(), "topic": request.args.get("topic", ""), "per_period": _per_period()})


def table_csv(page: str) -> Any:
    """``/coverage/<page>.csv?table=<name>&…``: one table of the page as CSV."""
    name = request.args.get("table") or PAGES[page][0]
    if name not in PAGES[page]:
        abort(404)
    base = current_app.config.get("BASE_URL") or request.url_root.rstrip("/")
    try:
        corpus = _corpus()

        def make() -> bytes:
            filters = _filters(corpus, "term" if page in ("topics", "examples") else "year")
            table = next(t for t in _tables(page, corpus, filters) if t.name == name)
            return ("\ufeff" + table.to_csv(base)).encode("utf-8")

        data = _cached(("csv", corpus.stamp, page, request.query_string, base), make)
    except UsageError as e:
        return Response(f"{e}\n", 400, mimetype="text/plain")
    stem = f"bantin-{name}-{corpus.index_version or 'catalog'}"
    return Response(data, mimetype="text/csv",
                    headers={"Content-Type": "text/csv; charset=utf-8",
                             "Content-Disposition": f'attachment; filename="{stem}.csv"'})


def _csv_view(page: str) -> Callable[[], Any]:
    return lambda: table_csv(page)


for _page in PAGES:  # one rule per page, no URL variable: /coverage/structure.csv, ...
    bp.add_url_rule(f"/{_page}.csv", f"{_page}_csv", _csv_view(_page))


@bp.get("/chart.png")
def chart_png() -> Any:
    """``/coverage/chart.png?name=<chart>&…``: a chart as the PNG the report embeds."""
    name = request.args.get("name", "completeness")
    page = {"completeness": "structure", "articles": "structure", "words": "structure",
            "lags": "documents", "trends": "trends"}.get(name, "topics" if name.startswith("heatmap-") else "")
    if not page:
        abort(404)
    try:
        corpus = _corpus()
        filters = _filters(corpus, "term" if page == "topics" else "year")
        params = tuple(_page_params(page, filters))
        chart = next((c for c in _charts(page, corpus, filters) if c.name == name), None)
    except UsageError as e:
        return Response(f"{e}\n", 400, mimetype="text/plain")
    if chart is None:
        abort(404)
    data = _cached(("chart", corpus.stamp, name, params), lambda: png(chart), disk="png")
    return Response(data, mimetype="image/png")


@bp.get("/report")
def report_form() -> Any:
    try:
        corpus = _corpus()
        filters = _filters(corpus, "term")
    except UsageError as e:
        return _bad(str(e))
    return render_template("coverage/report.html", corpus=corpus, filters=filters,
                           series=[(s.code, s.title) for s in corpus.series],
                           query=urlencode(filters.params()), index_version=corpus.index_version)


@bp.get("/report.docx")
def report_docx() -> Any:
    return report_download("docx")


@bp.get("/report.html")
def report_html() -> Any:
    return report_download("html")


def report_download(fmt: str) -> Any:
    try:
        corpus = _corpus()
        filters = _filters(corpus, "term")
        threshold = _threshold()
    except UsageError as e:
        return _bad(str(e))
    config = current_app.config["BANTIN"]
    base = current_app.config.get("BASE_URL") or request.url_root.rstrip("/")

    def make() -> bytes:
        report = render_report(db.catalog(), config, filters, base_url=base, threshold=threshold)
        if fmt == "html":
            return html_report(report).encode("utf-8")
        buffer = io.BytesIO()
        write_docx(report, buffer)  # type: ignore[arg-type]
        return buffer.getvalue()

    try:
        data = _cached(("report", corpus.stamp, fmt, filters, threshold, base), make, disk=fmt)
    except UsageError as e:
        return _bad(str(e))
    users.audit(db.catalog(), g.user.name, "export", request.full_path, f"report {fmt}")
    mime = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            if fmt == "docx" else "text/html")
    name = f"bantin-phu-luc-{corpus.index_version or 'catalog'}.{fmt}"
    disposition = "inline" if fmt == "html" and request.args.get("view") else "attachment"
    response = Response(data, mimetype=mime,
                        headers={"Content-Disposition": f'{disposition}; filename="{name}"'})
    if fmt == "html":
        # the report is one self-contained file with its own style sheet and data: images;
        # still no script may run in it
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'")
    return response


def bench_paths(catalog: Any) -> list[tuple[str, list[str]]]:
    """Targets for ``bench/web.py``: every coverage page with a few filter combinations."""
    codes = [r["code"] for r in catalog.query("SELECT code FROM series ORDER BY code")]
    filters = [""] + [f"series={c}" for c in codes] + ["by=term", "by=decade", "from=2000&to=2015"]
    pages = ["/coverage/structure", "/coverage/topics", "/coverage/documents", "/coverage/examples"]
    out = [("coverage pages", [f"{p}?{f}" if f else p for p in pages for f in filters])]
    out.append(("coverage topics (words)", [f"/coverage/topics?measure=words&threshold={t}&{f}"
                                            for t in (1, 2, 5) for f in filters]))
    out.append(("coverage trends", [f"/coverage/trends?terms={t}" for t in
                                    ("chi+b%E1%BB%99", "chuy%E1%BB%83n+%C4%91%E1%BB%95i+s%E1%BB%91",
                                     "tham+nh%C5%A9ng%2C+ngh%E1%BB%8B+quy%E1%BA%BFt", "21-NQ%2FTW")]))
    out.append(("coverage CSV", [f"/coverage/{p}.csv?{f}" for p in PAGES for f in filters[:3]]))
    out.append(("coverage chart PNG", [f"/coverage/chart.png?name={n}&{f}" for n in
                                       ("completeness", "articles", "words", "lags")
                                       for f in filters[:3]]))
    return out
