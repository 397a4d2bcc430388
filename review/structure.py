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

from archive.holdings import holdings
from archive.models import Issue
from archive.vnformat import kind_label
from review.corpus import Corpus
from review.evidence import holdings_evidence, search_evidence
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
        series = corpus.get_series(code)
        if series is None:
            continue
        issues = corpus.issues_in(code, 0, None)
        cal = holdings(series, [Issue(id=i.id, series=i.series, year=i.year, number=i.number,
                                      suffix=i.suffix) for i in issues])
        years = {y.year: y for y in cal.years}
        for period in filters.periods(corpus, code):
            lo, hi = filters.bounds(period)
            lo = lo if lo is not None else period.first
            held_issues = corpus.issues_in(code, lo, hi)
            arts = corpus.articles_in(code, lo, hi)
            cal_years = [y for year, y in years.items() if _in(year, lo, hi)]
            sections = Counter(a.section or NO_SECTION for a in arts)
            kinds = Counter(a.kind for a in arts)
            out.append(PeriodStats(
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
                kinds=tuple(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))))
    return out


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
        year_link = holdings_evidence(st.series, st.lo)
        search = search_evidence(v, series=st.series, year_from=st.lo, year_to=st.hi)
        rows.append((
            _series_cell(corpus, st.series), Cell(st.period.key, text=st.period.label),
            Cell(st.held, year_link), Cell(st.expected, year_link),
            Cell(st.completeness, year_link),
            Cell(st.pages, search), Cell(ratio(st.pages, st.held)),
            Cell(st.articles, search), Cell(ratio(st.articles, st.held)),
            Cell(round(st.words / st.articles) if st.articles else None, search),
            Cell(st.low_share), Cell(st.corrected_pages), Cell(st.orphan_pages, search),
        ))
    note = ("Số theo kế hoạch tính theo số kỳ phát hành mỗi năm của bản tin (năm đầu tính từ "
            "tháng phát hành đầu tiên). Mỗi số liệu liên kết tới lịch các số hoặc tới trang tìm "
            "kiếm liệt kê các tin, bài được đếm; trang tìm kiếm liệt kê thêm những trang chưa "
            "tách được bài (cột cuối). Trang đọc kém: độ tin cậy nhận dạng trung bình dưới "
            f"{corpus.low_confidence:g}.")
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
            rows.append((_series_cell(corpus, st.series), Cell(st.period.key, text=st.period.label),
                         Cell(section), Cell(n, link), Cell(share(n, st.articles), link)))
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
            rows.append((_series_cell(corpus, st.series), Cell(st.period.key, text=st.period.label),
                         Cell(kind, text=kind_label(kind)), Cell(n, link), Cell(share(n, st.articles), link)))
    return Table("kinds", "Tỷ lệ các thể loại", columns, tuple(rows),
                 "Tin: tin ngắn; Bài: bài viết; Hỏi – đáp; Văn bản: trích văn bản; Khác.", v)


def structure_tables(corpus: Corpus, filters: Filters) -> list[Table]:
    return [structure_table(corpus, filters), sections_table(corpus, filters),
            kinds_table(corpus, filters)]
