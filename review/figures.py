"""The review's charts, built from the same rows as its tables (one computation for both).

Each function returns a :class:`review.charts.Chart` (or :class:`HeatChart`) whose values
are those of the matching table in ``structure.py``, ``coverage.py``, ``documents.py`` and
``trends.py``, with the table cell's link on each point. The share of low-confidence pages
is drawn beside every measure over time (dashed, right axis).
"""

from __future__ import annotations

from collections.abc import Callable

from review.charts import LIGHT, PALETTE, Chart, HeatChart, Panel, Serie
from review.corpus import Corpus
from review.coverage import SeriesHeatmap
from review.documents import Mention
from review.evidence import article_evidence, holdings_evidence, search_evidence
from review.filters import Filters
from review.periods import Period
from review.structure import PeriodStats, period_stats
from review.tables import ratio
from review.trends import TrendPoint

LAG_CHART_MAX = 30  # documents shown on the lag chart (the table lists them all)


def _axis(stats: list[PeriodStats]) -> list[Period]:
    seen: dict[str, Period] = {}
    for st in stats:
        seen.setdefault(st.period.key, st.period)
    return sorted(seen.values(), key=lambda p: p.first)


def _by_series(corpus: Corpus, stats: list[PeriodStats], axis: list[Period],
               value: Callable[[PeriodStats], float | None],
               link: Callable[[PeriodStats], str | None], style: str, suffix: str = "") -> tuple[Serie, ...]:
    out = []
    for k, code in enumerate(dict.fromkeys(st.series for st in stats)):
        got = {st.period.key: st for st in stats if st.series == code}
        values = tuple(value(got[p.key]) if p.key in got else None for p in axis)
        links = tuple(link(got[p.key]) if p.key in got else None for p in axis)
        out.append(Serie(corpus.series_title(code) + suffix, values, style, links,
                         PALETTE[k % len(PALETTE)]))
    return tuple(out)


def _low(corpus: Corpus, stats: list[PeriodStats], axis: list[Period]) -> tuple[Serie, ...]:
    series = _by_series(corpus, stats, axis, lambda st: st.low_share, lambda st: None, "dashed",
                        " – trang đọc kém")
    return series


def completeness_chart(corpus: Corpus, filters: Filters) -> Chart:
    stats = period_stats(corpus, filters)
    axis = _axis(stats)
    bars = _by_series(corpus, stats, axis, lambda st: st.completeness,
                      lambda st: holdings_evidence(st.series, st.lo).path, "bar")
    panel = Panel("Mức đầy đủ (%)", bars, "Trang đọc kém (%)", _low(corpus, stats, axis),
                  percent_left=True, percent_right=True)
    return Chart("completeness", "Mức đầy đủ của kho so với kế hoạch phát hành",
                 tuple(p.short for p in axis), (panel,))


def _search_link(st: PeriodStats) -> str:
    return search_evidence("", series=st.series, year_from=st.lo, year_to=st.hi).path


def articles_chart(corpus: Corpus, filters: Filters) -> Chart:
    stats = period_stats(corpus, filters)
    axis = _axis(stats)
    lines = _by_series(corpus, stats, axis, lambda st: ratio(st.articles, st.held), _search_link, "line")
    panel = Panel("Tin, bài mỗi số", lines, "Trang đọc kém (%)", _low(corpus, stats, axis),
                  percent_right=True)
    return Chart("articles", "Số tin, bài trung bình mỗi số", tuple(p.short for p in axis), (panel,))


def words_chart(corpus: Corpus, filters: Filters) -> Chart:
    stats = period_stats(corpus, filters)
    axis = _axis(stats)
    lines = _by_series(corpus, stats, axis,
                       lambda st: round(st.words / st.articles) if st.articles else None,
                       _search_link, "line")
    panel = Panel("Chữ mỗi bài", lines, "Trang đọc kém (%)", _low(corpus, stats, axis),
                  percent_right=True)
    return Chart("words", "Độ dài trung bình của tin, bài (số chữ)", tuple(p.short for p in axis),
                 (panel,))


def heat_chart(hm: SeriesHeatmap, measure: str) -> HeatChart:
    values, counts, flags = [], [], []
    for _slug, _name, cells in hm.rows:
        values.append(tuple(None if c.flag == "nodata" else c.share(measure) for c in cells))
        counts.append(tuple(c.articles for c in cells))
        flags.append(tuple(c.flag for c in cells))
    unit = "% số chữ" if measure == "words" else "% tin, bài"
    return HeatChart(f"heatmap-{hm.series}", f"{hm.title}: chủ đề theo thời kỳ ({unit})",
                     tuple(name for _s, name, _c in hm.rows), tuple(p.short for p in hm.periods),
                     tuple(values), tuple(counts), tuple(flags),
                     "Số trong ô: số tin, bài; ô gạch chéo: trống hoặc mỏng.", unit)


def lag_chart(corpus: Corpus, rows: list[Mention]) -> Chart:
    docs = list(dict.fromkeys(m.doc_id for m in rows if m.lag_months is not None))[:LAG_CHART_MAX]
    series = list(dict.fromkeys(m.series for m in rows))
    bars = []
    for code in series:
        got = {m.doc_id: m for m in rows if m.series == code}
        values: list[float | None] = []
        links: list[str | None] = []
        for d in docs:
            m = got.get(d)
            values.append(float(m.lag_months) if m is not None and m.lag_months is not None else None)
            links.append(article_evidence(m.first.id).path if m is not None and m.first else None)
        bars.append(Serie(corpus.series_title(code), tuple(values), "bar", tuple(links)))
    panel = Panel("Độ trễ (tháng)", tuple(bars))
    return Chart("lags", "Độ trễ từ khi ban hành đến lần đầu bản tin nhắc tới", tuple(docs), (panel,))


def trend_chart(corpus: Corpus, points: list[TrendPoint]) -> Chart:
    years = sorted({p.year for p in points})
    index = {y: i for i, y in enumerate(years)}
    lines, volume, low = [], [], []
    keys = list(dict.fromkeys((p.term, p.series) for p in points))
    for term, code in keys:
        values: list[float | None] = [None] * len(years)
        links: list[str | None] = [None] * len(years)
        for p in points:
            if p.term == term and p.series == code:
                values[index[p.year]] = p.per_10k
                links[index[p.year]] = p.link.path
        lines.append(Serie(f"{term} – {corpus.series_title(code)}", tuple(values), "line", tuple(links)))
    for k, code in enumerate(dict.fromkeys(p.series for p in points)):
        words: list[float | None] = [None] * len(years)
        quality: list[float | None] = [None] * len(years)
        for p in points:
            if p.series == code:
                words[index[p.year]] = float(p.words) if p.words else None
                quality[index[p.year]] = p.low_share
        volume.append(Serie(f"Số chữ – {corpus.series_title(code)}", tuple(words), "bar",
                            color=LIGHT if k == 0 else "#c9d6e3"))
        low.append(Serie(f"Trang đọc kém – {corpus.series_title(code)}", tuple(quality), "dashed"))
    top = Panel("Lần/10.000 chữ", tuple(lines), "Số chữ trong kho", tuple(volume))
    bottom = Panel("Trang đọc kém (%)", tuple(low), height=0.45, percent_left=True)
    return Chart("trends", "Tần suất theo năm (trên 10.000 chữ), khối lượng văn bản phía sau",
                 tuple(str(y) for y in years), (top, bottom))
