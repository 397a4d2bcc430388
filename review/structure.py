"""Structure over time (*cơ cấu, bố cục*): per series and period, the issues held against the
issues expected, pages per issue, articles per issue, words per article, the share of each
section and each kind of item, and the reading quality of the pages.

Completeness uses the same rule as the series calendar in the web app
(:func:`archive.holdings.holdings`: issues numbered 1..``issues_per_year`` are expected, the
first year prorated from the month the series started, nothing expected beyond the last year
held), so the calendar a number links to shows exactly the gaps it counts.

The share of low-confidence pages (machine reading below the ``low_confidence`` setting) is
given beside every measure, so a dip caused by bad scans is not read as a change of the
bulletin.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from archive.holdings import Year, holdings
from archive.models import Issue
from archive.vnformat import kind_label
from review.corpus import Corpus
from review.evidence import Evidence, basis_evidence, search_evidence
from review.filters import Filters, in_years
from review.periods import Period
from review.tables import Cell, Column, Table, ratio, share

NO_SECTION = "(không có chuyên mục)"


@dataclass(frozen=True)
class PeriodStats:
    """One series in one period (years ``lo``..``hi`` within the filters)."""

    series: str
    period: Period
    lo: int
    hi: int | None
    held: int  # issues held (special issues included)
    expected: int  # issues expected by issues_per_year (0 when unknown)
    held_expected: int  # expected issues that are held
    pages: int
    pages_read: int
    low_pages: int
    corrected_pages: int
    articles: int
    words: int
    orphan_pages: int
    orphan_words: int
    sections: tuple[tuple[str, int], ...]
    kinds: tuple[tuple[str, int], ...]

    @property
    def completeness(self) -> float | None:
        return share(self.held_expected, self.expected)

    @property
    def low_share(self) -> float | None:
        return share(self.low_pages, self.pages_read)


def _in(rows_year: int, lo: int, hi: int | None) -> bool:
    return in_years(rows_year, lo, hi)


def period_stats(corpus: Corpus, filters: Filters) -> list[PeriodStats]:
    """Every (series, period) of the filters, in series then period order (cached)."""
    return corpus.memo(("structure", filters), lambda: _period_stats(corpus, filters))


def _period_stats(corpus: Corpus, filters: Filters) -> list[PeriodStats]:
    out = []
    for code in filters.chosen_series(corpus):
        if corpus.get_series(code) is None:
            continue
        for period in filters.periods(corpus, code):
            lo, hi = filters.bounds_within(period, corpus, code)
            out.append(stats_of(corpus, code, period, lo, hi))
    return out


def calendar_years(corpus: Corpus, code: str) -> dict[int, Year]:
    """The series calendar's years (issues expected and held), as the web app draws it."""

    def make() -> dict[int, Year]:
        series = corpus.get_series(code)
        if series is None:
            return {}
        cal = holdings(series, [Issue(id=i.id, series=i.series, year=i.year, number=i.number,
                                      suffix=i.suffix) for i in corpus.issues_in(code, 0, None)])
        return {y.year: y for y in cal.years}

    return corpus.memo(("calendar", code), make)


def stats_of(corpus: Corpus, code: str, period: Period, lo: int, hi: int | None) -> PeriodStats:
    """One series over years ``lo``..``hi``: what the structure table shows, and what the
    basis view (``/coverage/basis``) its numbers link to shows as its headline."""
    held_issues = corpus.issues_in(code, lo, hi)
    arts = corpus.articles_in(code, lo, hi)
    cal_years = [y for year, y in calendar_years(corpus, code).items() if _in(year, lo, hi)]
    sections = Counter(a.section or NO_SECTION for a in arts)
    kinds = Counter(a.kind for a in arts)
    return PeriodStats(
        series=code, period=period, lo=lo, hi=hi, held=len(held_issues),
        expected=sum(y.expected for y in cal_years),
        held_expected=sum(y.held_expected for y in cal_years),
        pages=sum(i.pages for i in held_issues),
        pages_read=sum(i.pages_read for i in held_issues),
        low_pages=sum(i.low_pages for i in held_issues),
        corrected_pages=sum(i.corrected_pages for i in held_issues),
        articles=len(arts), words=sum(a.words for a in arts),
        orphan_pages=sum(i.orphan_pages for i in held_issues),
        orphan_words=sum(i.orphan_words for i in held_issues),
        sections=tuple(sorted(sections.items(), key=lambda kv: (-kv[1], kv[0]))),
        kinds=tuple(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))))


def _series_cell(corpus: Corpus, code: str) -> Cell:
    return Cell(code, text=corpus.series_title(code))


def structure_table(corpus: Corpus, filters: Filters) -> Table:
    """The main table: one row per series and period."""
    v = corpus.index_version
    columns = (
        Column("series", "Bản tin"), Column("period", "Thời kỳ"),
        Column("issues_held", "Số có trong kho", "int"),
        Column("issues_expected", "Số theo kế hoạch", "int"),
        Column("completeness", "Mức đầy đủ", "percent", 1),
        Column("pages", "Trang", "int"),
        Column("pages_per_issue", "Trang/số", "float", 1),
        Column("articles", "Tin, bài", "int"),
        Column("articles_per_issue", "Tin, bài/số", "float", 1),
        Column("words_per_article", "Chữ/bài", "int"),
        Column("low_ocr_pages", "Trang đọc kém", "percent", 1),
        Column("corrected_pages", "Trang đã hiệu đính", "int"),
        Column("orphan_pages", "Trang chưa tách bài", "int"),
    )
    rows = []
    for st in period_stats(corpus, filters):
        def basis(measure: str, st: PeriodStats = st) -> Evidence:
            return basis_evidence(st.series, st.lo, st.hi, measure)

        issues, pages, words = basis("issues"), basis("pages"), basis("words")
        search = search_evidence(v, series=st.series, year_from=st.lo, year_to=st.hi)
        rows.append((
            _series_cell(corpus, st.series), Cell(st.period.key, text=st.period.label),
            Cell(st.held, issues.showing(("issues", st.held))),
            Cell(st.expected, issues.showing(("issues-expected", st.expected))),
            Cell(st.completeness, issues.showing(("issues-held-expected", st.held_expected),
                                                 ("issues-expected", st.expected))),
            Cell(st.pages, pages.showing(("pages", st.pages))),
            Cell(ratio(st.pages, st.held), pages.showing(("pages", st.pages), ("issues", st.held))),
            Cell(st.articles, search.showing(("articles", st.articles))),
            Cell(ratio(st.articles, st.held), basis("articles").showing(("articles", st.articles),
                                                                        ("issues", st.held))),
            Cell(round(st.words / st.articles) if st.articles else None,
                 words.showing(("words", st.words), ("articles", st.articles))),
            Cell(st.low_share, pages.showing(("pages-low", st.low_pages), ("pages-read", st.pages_read))),
            Cell(st.corrected_pages, pages.showing(("pages-corrected", st.corrected_pages))),
            Cell(st.orphan_pages, pages.showing(("pages-orphan", st.orphan_pages))),
        ))
    note = ("Số theo kế hoạch tính theo số kỳ phát hành mỗi năm của bản tin (năm đầu tính từ "
            "tháng phát hành đầu tiên); mỗi thời kỳ chỉ tính những năm bản tin đã phát hành. "
            "Số tin, bài liên kết tới trang tìm kiếm liệt kê chúng; các số khác (số, trang, chữ, "
            "tỷ lệ) liên kết tới trang liệt kê từng số bản tin của thời kỳ với số trang, số tin, "
            "bài và số chữ, có tổng ở đầu trang. Trang đọc kém: độ tin cậy nhận dạng trung bình "
            f"dưới {corpus.low_confidence:g}.")
    return Table("structure", "Kho lưu trữ và cơ cấu theo thời kỳ", columns, tuple(rows), note, v)


def sections_table(corpus: Corpus, filters: Filters) -> Table:
    """Share of each section (chuyên mục) in each series and period."""
    v = corpus.index_version
    columns = (Column("series", "Bản tin"), Column("period", "Thời kỳ"),
               Column("section", "Chuyên mục"), Column("articles", "Tin, bài", "int"),
               Column("share", "Tỷ lệ", "percent", 1))
    rows = []
    for st in period_stats(corpus, filters):
        for section, n in st.sections:
            link = None if section == NO_SECTION else search_evidence(
                v, series=st.series, year_from=st.lo, year_to=st.hi, section=section)
            part = basis_evidence(st.series, st.lo, st.hi, "articles",
                                  section="-" if section == NO_SECTION else section)
            rows.append((_series_cell(corpus, st.series), Cell(st.period.key, text=st.period.label), Cell(section),
                         Cell(n, link.showing(("articles", n)) if link else part.showing(("articles-part", n))),
                         Cell(share(n, st.articles), part.showing(("articles-part", n), ("articles", st.articles)))))
    return Table("sections", "Tỷ lệ các chuyên mục", columns, tuple(rows),
                 "Tỷ lệ trên tổng số tin, bài của bản tin trong thời kỳ.", v)


def kinds_table(corpus: Corpus, filters: Filters) -> Table:
    """Share of each kind of item (tin, bài, hỏi – đáp, ...) in each series and period."""
    v = corpus.index_version
    columns = (Column("series", "Bản tin"), Column("period", "Thời kỳ"),
               Column("kind", "Thể loại"), Column("articles", "Tin, bài", "int"),
               Column("share", "Tỷ lệ", "percent", 1))
    rows = []
    for st in period_stats(corpus, filters):
        for kind, n in st.kinds:
            link = search_evidence(v, series=st.series, year_from=st.lo, year_to=st.hi, kind=kind)
            part = basis_evidence(st.series, st.lo, st.hi, "articles", kind=kind)
            rows.append((_series_cell(corpus, st.series), Cell(st.period.key, text=st.period.label),
                         Cell(kind, text=kind_label(kind)), Cell(n, link.showing(("articles", n))),
                         Cell(share(n, st.articles), part.showing(("articles-part", n), ("articles", st.articles)))))
    return Table("kinds", "Tỷ lệ các thể loại", columns, tuple(rows),
                 "Tin: tin ngắn; Bài: bài viết; Hỏi – đáp; Văn bản: trích văn bản; Khác.", v)


def structure_tables(corpus: Corpus, filters: Filters) -> list[Table]:
    return [structure_table(corpus, filters), sections_table(corpus, filters),
            kinds_table(corpus, filters)]


@dataclass(frozen=True)
class IssueBasis:
    """One issue's share of a period's structure numbers (a row of the basis view)."""

    id: str
    number: str
    year: int
    date: str
    pages: int
    pages_read: int
    low_pages: int
    corrected_pages: int
    orphan_pages: int
    articles: int
    words: int
    part: int  # its articles in the chosen section, kind or topic


@dataclass(frozen=True)
class Basis:
    """What the structure numbers of one series and years were computed from: the totals
    (:class:`PeriodStats`, the same function as the table) and every issue counted."""

    stats: PeriodStats
    issues: tuple[IssueBasis, ...]
    part: int | None  # articles in the chosen section/kind/topic (None when none chosen)
    part_label: str
    part_words: int = 0  # their words


def basis(corpus: Corpus, code: str, lo: int, hi: int | None, *, section: str = "", kind: str = "",
          topic: str = "") -> Basis:
    """The basis view's content (``/coverage/basis``, linked from every structure number)."""
    period = Period("basis", f"{lo}–{hi}" if hi is not None and hi != lo else str(lo), lo, hi if hi is not None else lo)
    st = stats_of(corpus, code, period, lo, hi)
    chosen = bool(section or kind or topic)

    def wanted(a: Any) -> bool:
        if section and (a.section or NO_SECTION) != (NO_SECTION if section == "-" else section):
            return False
        if kind and a.kind != kind:
            return False
        return not topic or topic in a.topics

    by_issue: dict[str, list[Any]] = {}
    for a in corpus.articles_in(code, lo, hi):
        by_issue.setdefault(a.issue_id, []).append(a)
    rows = []
    for i in corpus.issues_in(code, lo, hi):
        arts = by_issue.get(i.id, [])
        rows.append(IssueBasis(i.id, i.number, i.year, i.date, i.pages, i.pages_read, i.low_pages,
                               i.corrected_pages, i.orphan_pages, len(arts), sum(a.words for a in arts),
                               sum(1 for a in arts if wanted(a))))
    labels = []
    if section:
        labels.append("chuyên mục " + (NO_SECTION if section == "-" else section))
    if kind:
        labels.append("thể loại " + kind_label(kind))
    if topic:
        labels.append("chủ đề " + corpus.topic_name(topic))
    part_words = sum(a.words for arts in by_issue.values() for a in arts if wanted(a)) if chosen else 0
    return Basis(st, tuple(rows), sum(r.part for r in rows) if chosen else None, ", ".join(labels), part_words)
