"""Cited documents: for each document of the register, when it was issued, when each series
first mentioned it, the lag in months, its mentions over time, and the documents never
mentioned at all (a gap the review reports).

An article mentions a document when its cited documents (``article_ref``, labels in force)
hold the document's identifier. Party numbers are reused from term to term, so when the
register holds several documents under one identifier, a mention belongs to the one in
force at the article's date (:meth:`indexer.analyze.register.Register.lookup`).

The lag is counted in calendar months between the month the document was issued and the
month of the issue that first mentions it (0: the same month). It is left empty when either
month is unknown. First mentions are looked for in the whole archive, whatever the year
filters: a document first mentioned before the years asked for is not "first mentioned"
later. Mentions are counted within the filters, and link to the search
``ref=<id>&series=…&from=…&to=…`` that lists them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from archive.permalinks import lag_path
from indexer.analyze.register import Register, load_register, register_path
from review.corpus import ArticleRow, Corpus
from review.evidence import Evidence, article_evidence, search_evidence
from review.filters import Filters, in_years
from review.tables import Cell, Column, Table


@dataclass(frozen=True)
class Mention:
    """One document in one series: its first mention and its mentions within the filters."""

    doc_id: str
    kind: str
    title: str
    issued: str  # ISO date from the register ('' for documents outside the register)
    series: str
    first: ArticleRow | None  # the earliest article citing it, in the whole archive
    lag_months: int | None
    mentions: int  # articles within the filters
    by_year: tuple[tuple[int, int], ...]  # (year, articles) within the filters
    link: Evidence  # the search listing the mentions
    searched: int = -1  # articles that search lists (it cannot tell two documents of one identifier apart)
    after_last_issue: bool = False  # issued after the last issue held of the series


def register(corpus: Corpus):  # type: ignore[no-untyped-def]
    """The register in force (``<home>/documents.toml`` or the shipped one), per snapshot."""
    def load():  # type: ignore[no-untyped-def]

        try:
            return load_register(register_path(corpus.home or None))
        except Exception:  # noqa: BLE001  (a broken register: no document known, mentions still count)
            return Register.empty()

    return corpus.memo("register", load)


def month_index(year: int, month: int) -> int:
    return year * 12 + (month - 1)


def lag(issued: str, article: ArticleRow) -> int | None:
    """Months from the month issued to the month of the first mention (None when unknown)."""
    if len(issued) < 7 or not article.month:
        return None
    return month_index(article.year, article.month) - month_index(int(issued[:4]), int(issued[5:7]))


def _order(a: ArticleRow) -> tuple[int, int, str, str]:
    return (a.year, a.month or 13, a.issue_id, a.id)


def mentions(corpus: Corpus, filters: Filters) -> list[Mention]:
    """Every register document × series of the filters, in order of issue date (cached)."""
    return corpus.memo(("mentions", filters), lambda: _mentions(corpus, filters))


def _mentions(corpus: Corpus, filters: Filters) -> list[Mention]:
    reg = register(corpus)
    v = corpus.index_version
    citing: dict[tuple[str, str], list[ArticleRow]] = {}  # (doc key, series) → articles
    by_id: Counter[tuple[str, str]] = Counter()  # (identifier, series) → articles within the filters
    for a in corpus.articles:
        if in_years(a.year, filters.year_from, filters.year_to):
            by_id.update((ref, a.series) for ref in set(a.refs))
        for ref in a.refs:
            doc = reg.lookup(ref, a.date)
            key = f"{doc.id}@{doc.date}" if doc is not None else ref
            citing.setdefault((key, a.series), []).append(a)
    series = filters.chosen_series(corpus)
    last_held = {s: max(((i.year, i.month) for i in corpus.issues if i.series == s), default=(0, 0))
                 for s in series}
    out = []
    for doc in sorted(reg, key=lambda d: (d.date, d.id)):
        key = f"{doc.id}@{doc.date}"
        if (filters.year_to is not None and doc.year > filters.year_to):
            continue
        for s in series:
            arts = sorted(citing.get((key, s), []), key=_order)
            inside = [a for a in arts if in_years(a.year, filters.year_from, filters.year_to)]
            first = arts[0] if arts else None
            issued_month = (doc.year, int(doc.date[5:7]) if len(doc.date) >= 7 else 1)
            out.append(Mention(
                doc_id=doc.id, kind=doc.kind, title=doc.title, issued=doc.date, series=s,
                first=first, lag_months=lag(doc.date, first) if first else None,
                mentions=len(inside), searched=by_id[(doc.id, s)],
                by_year=tuple(sorted(Counter(a.year for a in inside).items())),
                link=search_evidence(v, series=s, ref=doc.id, year_from=filters.year_from,
                                     year_to=filters.year_to, sort="date"),
                after_last_issue=issued_month >= last_held.get(s, (0, 0))))
    return out


def unregistered(corpus: Corpus, filters: Filters) -> list[Mention]:
    """Documents cited in the archive that the register does not hold (to add to it)."""
    reg = register(corpus)
    v = corpus.index_version
    found: dict[tuple[str, str], list[ArticleRow]] = {}
    for a in corpus.articles:
        if a.series not in filters.chosen_series(corpus):
            continue
        for ref in a.refs:
            if reg.lookup(ref) is None:
                found.setdefault((ref, a.series), []).append(a)
    out = []
    for (ref, s), arts in sorted(found.items()):
        arts.sort(key=_order)
        inside = [a for a in arts if in_years(a.year, filters.year_from, filters.year_to)]
        if not inside:
            continue
        out.append(Mention(ref, "", "", "", s, arts[0], None, len(inside),
                           tuple(sorted(Counter(a.year for a in inside).items())),
                           search_evidence(v, series=s, ref=ref, year_from=filters.year_from,
                                           year_to=filters.year_to, sort="date")))
    return out


def _mentions_link(m: Mention) -> Evidence | None:
    """The search listing the mentions, when it lists exactly them (another document with the
    same identifier, issued at another date, would add its own articles: then no link)."""
    if m.searched >= 0 and m.searched != m.mentions:
        return None
    return m.link.showing(("articles", m.mentions))


def documents_table(corpus: Corpus, filters: Filters) -> Table:
    columns = (Column("document", "Văn bản"), Column("kind", "Loại"), Column("title", "Trích yếu"),
               Column("issued", "Ngày ban hành", "date"), Column("series", "Bản tin"),
               Column("first_mention", "Lần đầu nhắc tới", "month"),
               Column("lag_months", "Độ trễ (tháng)", "int"),
               Column("mentions", "Số tin, bài nhắc tới", "int"))
    rows = []
    for m in mentions(corpus, filters):
        first_link = article_evidence(m.first.id, corpus.index_version) if m.first else None
        rows.append((Cell(m.doc_id, m.link), Cell(m.kind), Cell(m.title), Cell(m.issued),
                     Cell(m.series, text=corpus.series_title(m.series)),
                     Cell(m.first.date if m.first else None, first_link),
                     Cell(m.lag_months, Evidence(lag_path(m.first.id, m.doc_id, m.issued)).showing(
                         ("months", m.lag_months)) if m.first and m.lag_months is not None else first_link),
                     Cell(m.mentions, _mentions_link(m))))
    note = ("Độ trễ: số tháng từ tháng ban hành đến tháng của số bản tin đầu tiên nhắc tới văn "
            "bản (tìm trong toàn bộ kho). Số tin, bài: trong khoảng năm đã chọn; bấm để xem danh "
            "sách.")
    return Table("documents", "Văn bản được dẫn: lần đầu nhắc tới và độ trễ", columns,
                 tuple(rows), note, corpus.index_version)


def unmentioned_table(corpus: Corpus, filters: Filters) -> Table:
    """Register documents no chosen series ever mentions: the gap the review reports."""
    by_doc: dict[tuple[str, str], list[Mention]] = {}
    for m in mentions(corpus, filters):
        by_doc.setdefault((m.doc_id, m.issued), []).append(m)
    columns = (Column("document", "Văn bản"), Column("kind", "Loại"), Column("title", "Trích yếu"),
               Column("issued", "Ngày ban hành", "date"), Column("note", "Ghi chú"))
    rows = []
    for (doc_id, issued), ms in by_doc.items():
        if any(m.first is not None for m in ms):
            continue
        if filters.year_from is not None and int(issued[:4]) < filters.year_from:
            continue
        late = all(m.after_last_issue for m in ms)
        note = "ban hành sau số cuối cùng có trong kho" if late else "chưa bản tin nào nhắc tới"
        search = search_evidence(corpus.index_version, ref=doc_id)
        rows.append((Cell(doc_id, search), Cell(ms[0].kind), Cell(ms[0].title), Cell(issued),
                     Cell(note)))
    return Table("unmentioned", "Văn bản trong danh mục chưa được nhắc tới", columns,
                 tuple(rows), "Mỗi văn bản liên kết tới trang tìm kiếm (không có kết quả).",
                 corpus.index_version)


def mentions_table(corpus: Corpus, filters: Filters) -> Table:
    """Mentions over time, long form: document, series, year, articles."""
    columns = (Column("document", "Văn bản"), Column("series", "Bản tin"), Column("year", "Năm", "year"),
               Column("mentions", "Số tin, bài", "int"))
    rows = []
    for m in list(mentions(corpus, filters)) + unregistered(corpus, filters):
        for year, n in m.by_year:
            link = search_evidence(corpus.index_version, series=m.series, ref=m.doc_id,
                                   year_from=year, year_to=year, sort="date")
            rows.append((Cell(m.doc_id), Cell(m.series, text=corpus.series_title(m.series)),
                         Cell(year), Cell(n, link.showing(("articles", n))
                                          if m.searched < 0 or m.searched == m.mentions else None)))
    return Table("mentions", "Số tin, bài nhắc tới mỗi văn bản theo năm", columns, tuple(rows),
                 "", corpus.index_version)


def unregistered_table(corpus: Corpus, filters: Filters) -> Table:
    columns = (Column("document", "Văn bản"), Column("series", "Bản tin"),
               Column("first_mention", "Lần đầu nhắc tới", "month"),
               Column("mentions", "Số tin, bài nhắc tới", "int"))
    rows = []
    for m in unregistered(corpus, filters):
        first_link = article_evidence(m.first.id, corpus.index_version) if m.first else None
        rows.append((Cell(m.doc_id, m.link), Cell(m.series, text=corpus.series_title(m.series)),
                     Cell(m.first.date if m.first else None, first_link),
                     Cell(m.mentions, m.link.showing(("articles", m.mentions)))))
    return Table("unregistered", "Văn bản được dẫn nhưng chưa có trong danh mục", columns,
                 tuple(rows), "Biên tập viên có thể bổ sung vào tệp documents.toml.",
                 corpus.index_version)
