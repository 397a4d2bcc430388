"""Topic coverage: a topic × period heatmap per series, with empty and thin cells flagged.

A cell counts the articles of a series in a period that carry the topic as a label (labels
in force, editors' corrections included: the same labels the search's ``topic`` filter uses,
so the cell's link lists exactly the articles it counts). Its share is taken of the period's
articles (``measure="articles"``) or of the period's words (``measure="words"``: the words
of the labelled articles over all words of the period).

Flags, against ``threshold`` (percent, set by the editor): ``empty`` when no article of the
period carries the topic, ``thin`` when the share is below the threshold, ``nodata`` when the
series has no article at all in the period (a hole in the holdings, not in the content).
:func:`find_gaps` joins consecutive flagged periods into the gaps a review reports.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from archive.vnformat import number
from review.corpus import Corpus
from review.evidence import Evidence, basis_evidence, search_evidence
from review.filters import Filters
from review.periods import Period
from review.shares import Calibration, Interval, share_interval
from review.tables import Cell, Column, Table, share

MEASURES = ("articles", "words")
DEFAULT_THRESHOLD = 2.0  # percent of the period's articles (or words)


@dataclass(frozen=True)
class HeatCell:
    series: str
    topic: str
    period: Period
    lo: int
    hi: int | None
    articles: int  # labelled with the topic
    words: int
    period_articles: int
    period_words: int
    flag: str  # "", "thin", "empty", "nodata"
    link: Evidence
    interval: Interval | None = None  # the share of articles with its 95 % interval (review.shares)

    @property
    def share_articles(self) -> float | None:
        return share(self.articles, self.period_articles)

    @property
    def share_words(self) -> float | None:
        return share(self.words, self.period_words)

    def share(self, measure: str) -> float | None:
        return self.share_words if measure == "words" else self.share_articles

    def share_link(self, measure: str) -> Evidence:
        """Where a share leads: the view of the period's issues showing its numerator (the
        topic's articles, or their words) and denominator (all articles, or all words)."""
        basis = basis_evidence(self.series, self.lo, self.hi, "words" if measure == "words" else "articles",
                               topic=self.topic)
        if measure == "words":
            return basis.showing(("words-part", self.words), ("words", self.period_words))
        return basis.showing(("articles-part", self.articles), ("articles", self.period_articles))


@dataclass(frozen=True)
class SeriesHeatmap:
    series: str
    title: str
    periods: tuple[Period, ...]
    rows: tuple[tuple[str, str, tuple[HeatCell, ...]], ...]  # (topic slug, name, cells by period)
    measure: str = "articles"
    threshold: float = DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Gap:
    """Consecutive periods (``first``..``last`` years) where a series says little or nothing
    on a topic: ``kind`` is ``empty`` when no article at all, else ``thin``."""

    series: str
    topic: str
    first: int
    last: int | None
    periods: int
    articles: int
    kind: str
    link: Evidence
    values: tuple[tuple[str, float | None, int, int], ...] = ()  # (period label, share %, articles, period articles)

    def described(self) -> str:
        """Each period of the gap with its value: ``2001–2005: 0 % (0/55); 2006–2010: 1,2 % (2/170)``."""
        return "; ".join(f"{label}: {number(v or 0, 1)} % ({n}/{total})" for label, v, n, total in self.values)


SPLIT_STEP = 0.5  # of the threshold: two thin periods whose shares differ more are two gaps
STRAY_ARTICLES = 2  # a period above the threshold with at most this many articles does not end a gap


def flag_of(articles: int, period_articles: int, cell_share: float | None, threshold: float,
            interval: Interval | None = None) -> str:
    """The cell's flag; with an interval (a trained topic model), empty or thin only when
    the whole interval lies under the threshold: the interval must say the topic is thin."""
    if not period_articles:
        return "nodata"
    if interval is not None and interval.high >= threshold:
        return ""
    if not articles:
        return "empty"
    if cell_share is not None and cell_share < threshold:
        return "thin"
    if interval is not None:  # labels in force say enough, the estimate says thin
        return "thin"
    return ""


def cell_interval(corpus: Corpus, inside: list, topic: str) -> Interval | None:  # type: ignore[type-arg]
    """The share of ``topic`` among ``inside`` articles with its 95 % interval; None without
    a trained topic model."""
    if not corpus.calibration:
        return None
    values = []
    for a in inside:
        probs = corpus.topic_probs.get(a.id)
        if a.id in corpus.labelled or probs is None:
            values.append((float(topic in a.topics), True))
        else:
            values.append((probs.get(topic, 0.0), False))
    return share_interval(values, corpus.calibration.get(topic, Calibration()))


def heatmaps(corpus: Corpus, filters: Filters, *, measure: str = "articles",
             threshold: float = DEFAULT_THRESHOLD) -> list[SeriesHeatmap]:
    """One heatmap per series of the filters (cached per snapshot and arguments)."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    key = ("heatmap", filters, measure, float(threshold))
    return corpus.memo(key, lambda: _heatmaps(corpus, filters, measure, float(threshold)))


def _heatmaps(corpus: Corpus, filters: Filters, measure: str, threshold: float) -> list[SeriesHeatmap]:
    v = corpus.index_version
    topics = corpus.topics()
    out = []
    for code in filters.chosen_series(corpus):
        periods = filters.periods(corpus, code)
        columns = []
        for p in periods:
            lo, hi = filters.bounds_within(p, corpus, code)
            inside = corpus.articles_in(code, lo, hi)
            intervals = {slug: cell_interval(corpus, inside, slug) for slug, _n in topics}
            counts: Counter[str] = Counter()
            words: Counter[str] = Counter()
            for a in inside:
                for t in a.topics:
                    counts[t] += 1
                    words[t] += a.words
            columns.append((p, lo, hi, len(inside), sum(a.words for a in inside), counts, words,
                            intervals))
        rows = []
        for slug, name in topics:
            cells = []
            for p, lo, hi, total, total_words, counts, words, intervals in columns:
                n, w = counts[slug], words[slug]
                cell_share = share(w, total_words) if measure == "words" else share(n, total)
                iv = intervals[slug] if measure == "articles" else None
                cells.append(HeatCell(
                    series=code, topic=slug, period=p, lo=lo, hi=hi, articles=n, words=w,
                    period_articles=total, period_words=total_words,
                    flag=flag_of(n, total, cell_share, threshold, iv),
                    link=search_evidence(v, series=code, year_from=lo, year_to=hi, topic=slug),
                    interval=iv))
            rows.append((slug, name, tuple(cells)))
        out.append(SeriesHeatmap(code, corpus.series_title(code), tuple(periods), tuple(rows),
                                 measure, threshold))
    return out


def find_gaps(corpus: Corpus, maps: list[SeriesHeatmap]) -> list[Gap]:
    """The silences of each series on each topic, longest first.

    A gap is the longest run of consecutive periods that starts and ends with a flagged
    period (empty or thin) and whose share over the whole run stays below the threshold: a
    year with two articles does not end a silence of twenty years ("at most four articles
    from 1989 to 2017" is one thin gap), a lasting return of the topic does, since it lifts
    the run's share. Periods with no data neither break a run nor count in it. A period
    above the threshold with more than :data:`STRAY_ARTICLES` articles ends the run (the
    topic came back), and a run is cut between two thin periods whose shares differ by more
    than :data:`SPLIT_STEP` of the threshold: a gap never spans periods of unlike value.
    """
    v = corpus.index_version
    gaps = []
    for hm in maps:
        for slug, _name, cells in hm.rows:
            held = [c for c in cells if c.flag != "nodata"]
            i = 0
            while i < len(held):
                if held[i].flag not in ("empty", "thin"):
                    i += 1
                    continue
                end = i
                for j in range(i + 1, len(held)):
                    if held[j].flag not in ("empty", "thin") and held[j].articles > STRAY_ARTICLES:
                        break  # the topic came back: the value changed, the gap ends
                    if held[j].flag in ("empty", "thin") and _share(held[i:j + 1], hm) < hm.threshold:
                        end = j
                for run in _split_run(held[i:end + 1], hm):
                    first, last = run[0].lo, run[-1].hi
                    n = sum(c.articles for c in run)
                    values = tuple((_years_label(c), c.share(hm.measure), c.articles, c.period_articles)
                                   for c in run)
                    gaps.append(Gap(hm.series, slug, first, last, len(run), n, "empty" if n == 0 else "thin",
                                    search_evidence(v, series=hm.series, year_from=first, year_to=last,
                                                    topic=slug).showing(("articles", n)), values))
                i = end + 1
    return sorted(gaps, key=lambda g: (g.series, -g.periods, g.topic, g.first))


def _years_label(c: HeatCell) -> str:
    """The period as counted: a term that began before the series names only its years."""
    if c.lo == c.period.first and c.hi == c.period.last:
        return c.period.label
    name = c.period.label.split(" (")[0]
    return f"{name} ({c.lo}–{c.hi})" if c.hi is not None and c.hi != c.lo else f"{name} ({c.lo})"


def _split_run(run: list[HeatCell], hm: SeriesHeatmap) -> list[list[HeatCell]]:
    """A run cut where the value changes: between two thin periods (both with articles)
    whose shares differ by more than :data:`SPLIT_STEP` of the threshold, so one gap never
    spans periods at 4,4 % and at 2,8 % as if they were alike."""
    out = [[run[0]]]
    for prev, cur in zip(run, run[1:]):
        a, b = prev.share(hm.measure), cur.share(hm.measure)
        if prev.flag == cur.flag == "thin" and prev.articles and cur.articles and a is not None \
                and b is not None and abs(a - b) > SPLIT_STEP * hm.threshold:
            out.append([cur])
        else:
            out[-1].append(cur)
    # a piece must start and end flagged (an unflagged period inside stays inside)
    pieces = []
    for piece in out:
        while piece and piece[-1].flag not in ("empty", "thin"):
            piece = piece[:-1]
        while piece and piece[0].flag not in ("empty", "thin"):
            piece = piece[1:]
        if piece:
            pieces.append(piece)
    return pieces


def _share(cells: list[HeatCell], hm: SeriesHeatmap) -> float:
    if hm.measure == "words":
        part, whole = sum(c.words for c in cells), sum(c.period_words for c in cells)
    else:
        part, whole = sum(c.articles for c in cells), sum(c.period_articles for c in cells)
    return 100.0 * part / whole if whole else 0.0


def heatmap_table(corpus: Corpus, filters: Filters, *, measure: str = "articles",
                  threshold: float = DEFAULT_THRESHOLD) -> Table:
    """The heatmap in long form: one row per series, topic and period."""
    columns = (Column("series", "Bản tin"), Column("topic", "Chủ đề"), Column("period", "Thời kỳ"),
               Column("articles", "Tin, bài về chủ đề", "int"),
               Column("period_articles", "Tổng tin, bài", "int"),
               Column("share_articles", "Tỷ lệ tin, bài", "percent", 1),
               Column("words", "Chữ về chủ đề", "int"), Column("period_words", "Tổng số chữ", "int"),
               Column("share_words", "Tỷ lệ số chữ", "percent", 1), Column("flag", "Đánh giá"),
               Column("estimate", "Ước lượng tỷ lệ tin, bài", "percent", 1),
               Column("low95", "Cận dưới 95 %", "percent", 1),
               Column("high95", "Cận trên 95 %", "percent", 1))
    rows = []
    for hm in heatmaps(corpus, filters, measure=measure, threshold=threshold):
        for slug, name, cells in hm.rows:
            for c in cells:
                rows.append((Cell(hm.series, text=hm.title), Cell(slug, text=name),
                             Cell(c.period.key, text=c.period.label),
                             Cell(c.articles, c.link.showing(("articles", c.articles))),
                             Cell(c.period_articles), Cell(c.share_articles, c.share_link("articles"), c.flag),
                             Cell(c.words, c.share_link("words")), Cell(c.period_words),
                             Cell(c.share_words, c.share_link("words"), c.flag),
                             Cell(c.flag, text=FLAG_LABELS[c.flag]),
                             Cell(c.interval.estimate if c.interval else None),
                             Cell(c.interval.low if c.interval else None),
                             Cell(c.interval.high if c.interval else None)))
    basis = "số chữ" if measure == "words" else "số tin, bài"
    note = (f"Ô trống: không có tin, bài nào về chủ đề; ô mỏng: dưới {threshold:g} % {basis} của "
            "bản tin trong thời kỳ; không có dữ liệu: kho chưa có tin, bài nào của thời kỳ đó.")
    return Table("topics", "Mức độ bao quát chủ đề theo thời kỳ", columns, tuple(rows), note,
                 corpus.index_version, {"measure": measure, "threshold": threshold})


def gaps_table(corpus: Corpus, filters: Filters, *, measure: str = "articles",
               threshold: float = DEFAULT_THRESHOLD) -> Table:
    maps = heatmaps(corpus, filters, measure=measure, threshold=threshold)
    columns = (Column("series", "Bản tin"), Column("topic", "Chủ đề"),
               Column("from", "Từ năm", "year"), Column("to", "Đến năm", "year"),
               Column("periods", "Số thời kỳ", "int"), Column("articles", "Tin, bài", "int"),
               Column("kind", "Loại khoảng trống"), Column("values", "Từng thời kỳ"))
    rows = []
    for g in find_gaps(corpus, maps):
        rows.append((Cell(g.series, text=corpus.series_title(g.series)),
                     Cell(g.topic, text=corpus.topic_name(g.topic)), Cell(g.first), Cell(g.last),
                     Cell(g.periods), Cell(g.articles, g.link), Cell(g.kind, text=FLAG_LABELS[g.kind]),
                     Cell(g.described())))
    return Table("gaps", "Khoảng trống về chủ đề", columns, tuple(rows),
                 "Các thời kỳ liên tiếp mà bản tin không có hoặc có rất ít tin, bài về chủ đề, chỉ "
                 "trong những năm bản tin đã phát hành; một chuỗi dài được tách khi tỷ lệ thay đổi; "
                 "cột cuối ghi tỷ lệ từng thời kỳ (số tin, bài về chủ đề/tổng số).",
                 corpus.index_version, {"measure": measure, "threshold": threshold})


FLAG_LABELS = {"": "", "thin": "mỏng", "empty": "trống", "nodata": "không có dữ liệu"}
