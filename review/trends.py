"""Term trends: how often one or several terms or phrases occur, per 10,000 words, per year and
series, with the corpus volume and the reading quality of the pages beside each point.

Occurrences come from the search index (:meth:`indexer.search.engine.SearchIndex.occurrences`), so
each point counts exactly the documents its link (``/search?q=…&series=…&from=Y&to=Y``)
lists: the articles, and the pages no article covers. The volume is the words of those same
documents from the catalog (articles' text plus the uncovered pages), the figure the
structure table shows. A term of several syllables typed without quotes is searched as a
phrase (``chuyển đổi số`` → ``"chuyển đổi số"``): a trend counts the phrase, not its words
scattered in an article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.config import Config
from archive.errors import UsageError
from archive.vntext import nfc, syllables
from indexer.search.engine import open_index
from indexer.search.query import SearchRequest
from review.corpus import Corpus
from review.evidence import Evidence, search_evidence
from review.filters import Filters
from review.tables import Cell, Column, Table, share

MAX_TERMS = 8
_SPLIT = re.compile(r"[,;\n]+")
_SYNTAX = re.compile(r'["()~]|\b(?:AND|OR|NOT)\b|(?:^|\s)-\S')


@dataclass(frozen=True)
class TrendPoint:
    term: str
    series: str
    year: int
    occurrences: int
    documents: int  # what the linked search counts
    words: int  # corpus volume: words of the series' documents that year
    low_share: float | None  # % of pages read with low confidence that year
    link: Evidence
    possible: int = 0  # more documents found only by a folded match on poorly read text

    @property
    def per_10k(self) -> float | None:
        """Occurrences per 10,000 words, two decimals (None when nothing was held)."""
        return round(10000.0 * self.occurrences / self.words, 2) if self.words else None


def parse_terms(text: str) -> tuple[str, ...]:
    """Terms separated by commas, semicolons or new lines; a term of several syllables with
    no query syntax becomes a quoted phrase. At most :data:`MAX_TERMS`."""
    out: list[str] = []
    for raw in _SPLIT.split(nfc(text or "")):
        term = " ".join(raw.split())
        if not term:
            continue
        if len(syllables(term)) > 1 and not _SYNTAX.search(term):
            term = f'"{term}"'
        if term not in out:
            out.append(term)
    if len(out) > MAX_TERMS:
        raise UsageError(f"tối đa {MAX_TERMS} từ hoặc cụm từ mỗi lần (nhận {len(out)})")
    return tuple(out)


def trend_points(config: Config, corpus: Corpus, filters: Filters,
                 terms: tuple[str, ...]) -> list[TrendPoint]:
    """Every (term, series, year) of the filters, years within the years held (cached)."""
    return corpus.memo(("trends", filters, terms), lambda: _points(config, corpus, filters, terms))


def _volume(corpus: Corpus) -> dict[tuple[str, int], tuple[int, int, int]]:
    """(series, year) → (words, pages read, low pages)."""
    def compute() -> dict[tuple[str, int], tuple[int, int, int]]:
        out: dict[tuple[str, int], list[int]] = {}
        for a in corpus.articles:
            out.setdefault((a.series, a.year), [0, 0, 0])[0] += a.words
        for i in corpus.issues:
            v = out.setdefault((i.series, i.year), [0, 0, 0])
            v[0] += i.orphan_words
            v[1] += i.pages_read
            v[2] += i.low_pages
        return {k: (v[0], v[1], v[2]) for k, v in out.items()}

    return corpus.memo("volume", compute)


def _points(config: Config, corpus: Corpus, filters: Filters, terms: tuple[str, ...]) -> list[TrendPoint]:
    index = open_index(config)
    volume = _volume(corpus)
    points = []
    for term in terms:
        found = index.occurrences(SearchRequest(q=term, year_from=filters.year_from,
                                                year_to=filters.year_to))
        for code in filters.chosen_series(corpus):
            span = filters.span(corpus, code)
            if span is None:
                continue
            for year in range(span[0], span[1] + 1):
                words, read, low = volume.get((code, year), (0, 0, 0))
                points.append(TrendPoint(
                    term=term, series=code, year=year,
                    occurrences=found.occurrences.get((code, year), 0),
                    documents=found.documents.get((code, year), 0), words=words,
                    low_share=share(low, read),
                    possible=found.possible_documents.get((code, year), 0),
                    link=search_evidence(found.index_version, q=term, series=code, year_from=year,
                                         year_to=year)))
    return points


def trends_table(config: Config, corpus: Corpus, filters: Filters, terms: tuple[str, ...]) -> Table:
    columns = (Column("term", "Từ, cụm từ"), Column("series", "Bản tin"), Column("year", "Năm", "year"),
               Column("occurrences", "Số lần xuất hiện", "int"),
               Column("documents", "Số tin, bài", "int"),
               Column("possible", "Có thể thêm (OCR kém)", "int"),
               Column("words", "Tổng số chữ", "int"),
               Column("per_10k", "Lần/10.000 chữ", "float", 2),
               Column("low_ocr_pages", "Trang đọc kém", "percent", 1))
    rows = []
    for p in trend_points(config, corpus, filters, terms):
        rows.append((Cell(p.term), Cell(p.series, text=corpus.series_title(p.series)), Cell(p.year),
                     Cell(p.occurrences, p.link), Cell(p.documents, p.link),
                     Cell(p.possible, p.link), Cell(p.words),
                     Cell(p.per_10k, p.link), Cell(p.low_share)))
    note = ("Tần suất = số lần xuất hiện (trong tiêu đề, nội dung, tác giả) trên 10.000 chữ của bản "
            "tin trong năm. Trang đọc kém cao thì tần suất thấp có thể do chất lượng bản quét, "
            "không phải do nội dung. Từ gõ có dấu chỉ đếm đúng từ đó; “có thể thêm” là số tin, "
            "bài đọc máy kém chỉ khớp khi bỏ dấu (không tính vào số lần xuất hiện).")
    return Table("trends", "Tần suất từ, cụm từ theo năm", columns, tuple(rows), note,
                 corpus.index_version, {"terms": terms})
