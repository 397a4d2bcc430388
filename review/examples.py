"""Example articles to quote: for a topic and a period, the most representative articles.

Representative means, in this order: carrying the topic as a label; read well (mean OCR
confidence at least the ``low_confidence`` setting: a quotation must be checkable against
a legible page); the highest topic score (points from the topic list's terms, comparable
across articles, see ``indexer/analyze/topics.py``); citing documents (an article that explains a
resolution is the better witness); then the earliest. Each example links to its permalink.
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.catalog import Catalog
from archive.vnformat import issue_number, kind_label
from review.corpus import ArticleRow, Corpus
from review.evidence import article_evidence, search_evidence
from review.filters import Filters, in_years
from review.periods import Period
from review.tables import Cell, Column, Table

DEFAULT_PER_PERIOD = 3


@dataclass(frozen=True)
class Example:
    article: ArticleRow
    topic: str
    period: Period
    score: float  # the topic's points for this article (0 when an editor added the label)
    good_ocr: bool


def topic_scores(catalog: Catalog, corpus: Corpus, topic: str) -> dict[str, float]:
    """Article id → the machine score of ``topic`` (cached per snapshot)."""
    def load() -> dict[str, float]:
        rows = catalog.query("SELECT article_id, score FROM article_topic WHERE topic = ?", (topic,))
        return {r["article_id"]: float(r["score"]) for r in rows}

    return corpus.memo(("scores", topic), load)


def rank(articles: list[ArticleRow], scores: dict[str, float], low: float) -> list[tuple[ArticleRow, float]]:
    def key(a: ArticleRow) -> tuple[bool, float, bool, int, int, str]:
        return (a.confidence < low, -scores.get(a.id, 0.0), not a.refs, a.year, a.month, a.id)

    return [(a, scores.get(a.id, 0.0)) for a in sorted(articles, key=key)]


def examples(catalog: Catalog, corpus: Corpus, filters: Filters, topic: str, *,
             per_period: int = DEFAULT_PER_PERIOD) -> list[Example]:
    """The best ``per_period`` articles of ``topic`` in each period of the filters (all the
    chosen series together), periods in order."""
    key = ("examples", filters, topic, per_period)
    return corpus.memo(key, lambda: _examples(catalog, corpus, filters, topic, per_period))


def _examples(catalog: Catalog, corpus: Corpus, filters: Filters, topic: str,
              per_period: int) -> list[Example]:
    scores = topic_scores(catalog, corpus, topic)
    series = set(filters.chosen_series(corpus))
    tagged = [a for a in corpus.articles if topic in a.topics and a.series in series]
    out = []
    for period in filters.periods(corpus):
        lo, hi = filters.bounds_within(period, corpus)
        inside = [a for a in tagged if in_years(a.year, lo, hi)]
        for a, score in rank(inside, scores, corpus.low_confidence)[:per_period]:
            out.append(Example(a, topic, period, round(score, 2), a.confidence >= corpus.low_confidence))
    return out


def examples_table(catalog: Catalog, corpus: Corpus, filters: Filters, topics: list[str] | None = None,
                   *, per_period: int = DEFAULT_PER_PERIOD) -> Table:
    columns = (Column("topic", "Chủ đề"), Column("period", "Thời kỳ"), Column("series", "Bản tin"),
               Column("title", "Tiêu đề"), Column("issue", "Số"), Column("date", "Thời gian", "month"),
               Column("section", "Chuyên mục"), Column("kind", "Thể loại"),
               Column("score", "Điểm chủ đề", "float", 2),
               Column("confidence", "Độ tin cậy OCR", "float", 1),
               Column("documents", "Văn bản được dẫn"), Column("id", "Mã bài"))
    rows = []
    for slug in topics if topics is not None else [s for s, _ in corpus.topics()]:
        for ex in examples(catalog, corpus, filters, slug, per_period=per_period):
            a = ex.article
            link = article_evidence(a.id, corpus.index_version)
            lo, hi = filters.bounds_within(ex.period, corpus, a.series)
            listing = search_evidence(corpus.index_version, series=a.series, year_from=lo,
                                      year_to=hi, topic=slug)
            rows.append((Cell(slug, text=corpus.topic_name(slug)),
                         Cell(ex.period.key, listing, text=ex.period.label),
                         Cell(a.series, text=corpus.series_title(a.series)), Cell(a.title, link),
                         Cell(issue_number(a.number, a.year)), Cell(a.date), Cell(a.section),
                         Cell(a.kind, text=kind_label(a.kind)), Cell(ex.score),
                         Cell(round(a.confidence, 1)), Cell("; ".join(a.refs)), Cell(a.id, link)))
    note = (f"Bài tiêu biểu: mang nhãn chủ đề, {selection_claim(corpus, [r[-1].value for r in rows])}. "
            "Bấm vào thời kỳ để xem mọi tin, bài của chủ đề trong thời kỳ đó.")
    return Table("examples", "Bài viết tiêu biểu theo chủ đề và thời kỳ", columns, tuple(rows),
                 note, corpus.index_version)


def selection_claim(corpus: Corpus, article_ids: list[str]) -> str:
    """What the listed examples are, said only as far as it is true of every one of them
    (reading quality, cited documents), with the count when only some qualify."""
    by_id = corpus.memo("articles-by-id", lambda: {a.id: a for a in corpus.articles})
    listed = [by_id[i] for i in article_ids if i in by_id]
    if not listed:
        return "chưa có bài nào được chọn"
    good = sum(1 for a in listed if a.confidence >= corpus.low_confidence)
    cite = sum(1 for a in listed if a.refs)
    parts = ["điểm chủ đề cao nhất trong thời kỳ"]
    reading = f"độ tin cậy nhận dạng từ {corpus.low_confidence:g} trở lên"
    parts.append(f"đọc tốt ({reading})" if good == len(listed) else
                 f"ưu tiên bài đọc tốt ({reading}): {good}/{len(listed)} bài")
    parts.append("có trích dẫn văn bản" if cite == len(listed) else
                 f"ưu tiên bài có trích dẫn văn bản: {cite}/{len(listed)} bài có")
    return ", ".join(parts)
