"""Term trends from the search index: occurrences per 10,000 words per year and series,
checked against an independent count of the handmade texts, each point reproduced by its
search; and example articles ranked for quoting."""
# ruff: noqa: F811  (pytest fixtures imported from tests.review_fixtures are redefined as arguments)

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from archive.catalog import Catalog
from archive.config import load_config
from archive.errors import UsageError
from archive.vntext import fold
from indexer.search.engine import search
from indexer.search.query import SearchRequest
from review.corpus import load_corpus
from review.examples import examples, examples_table
from review.filters import Filters
from review.trends import MAX_TERMS, parse_terms, trend_points, trends_table
from tests.review_fixtures import article_ids, handmade_home, handmade_issues, sample_home  # noqa: F401


def corpus_of(home: Path):  # type: ignore[no-untyped-def]
    config = load_config(home)
    with Catalog(config.catalog_path) as catalog:
        return load_corpus(catalog, config)


def test_terms_are_split_and_phrases_quoted() -> None:
    assert parse_terms("chuyển đổi số, tham nhũng;\n21-NQ/TW ,, ") == (
        '"chuyển đổi số"', '"tham nhũng"', '"21-NQ/TW"')
    assert parse_terms('"sinh hoạt chi bộ", đảng viên -dự bị') == ('"sinh hoạt chi bộ"', "đảng viên -dự bị")
    assert parse_terms("covid") == ("covid",)
    assert parse_terms("  ") == ()
    with pytest.raises(UsageError, match=f"tối đa {MAX_TERMS}"):
        parse_terms(",".join(f"từ{i}" for i in range(MAX_TERMS + 1)))


def independent_count(phrase: str, series: str, year: int) -> tuple[int, int]:
    """(occurrences, documents) of a folded phrase in the handmade titles and texts, and in
    the pages no article covers (the search lists those too), counted with a plain regular
    expression over whole syllables."""
    words = fold(phrase).split()
    pattern = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, words)) + r"(?!\w)")
    occ = docs = 0
    for issue in handmade_issues():
        if (issue.series, issue.year) != (series, year):
            continue
        texts = [a.title + "\n" + a.text for a in issue.articles] + list(issue.extra_page_text.values())
        for text in texts:
            n = len(pattern.findall(fold(text).lower()))
            occ += n
            docs += n > 0
    return occ, docs


@pytest.mark.parametrize("term", ["nghị quyết", "chi bộ", "đảng viên", "nong thon moi"])
def test_occurrences_per_ten_thousand_words(handmade_home: Path, term: str) -> None:
    config = load_config(handmade_home)
    corpus = corpus_of(handmade_home)
    points = trend_points(config, corpus, Filters(year_from=2012), parse_terms(term))
    assert {(p.series, p.year) for p in points} == {("ttshcb", 2012), ("ttshcb", 2013), ("tbnb", 2012)}
    for p in points:
        occ, docs = independent_count(term, p.series, p.year)
        assert (p.occurrences, p.documents) == (occ, docs), p
        volume = sum(a.words for a in corpus.articles if (a.series, a.year) == (p.series, p.year))
        volume += sum(i.orphan_words for i in corpus.issues if (i.series, i.year) == (p.series, p.year))
        assert p.words == volume
        assert p.per_10k == round(10000 * occ / volume, 2)
        result = search(config, SearchRequest.from_params(dict(parse_qsl(urlsplit(p.link.path).query))))
        assert result.total == p.documents and result.query_key == p.link.query_key
        assert result.possible == p.possible  # the cell and the search it opens agree (issue 13)
    quality = {(p.series, p.year): p.low_share for p in points}
    assert quality[("ttshcb", 2012)] == 25.0 and quality[("tbnb", 2012)] == 0.0


def test_trend_table_and_points_agree(handmade_home: Path) -> None:
    config = load_config(handmade_home)
    corpus = corpus_of(handmade_home)
    terms = parse_terms("nghị quyết, 12-NQ/TW")
    table = trends_table(config, corpus, Filters(series=("ttshcb",)), terms)
    points = trend_points(config, corpus, Filters(series=("ttshcb",)), terms)
    assert [(r["term"], r["year"], r["occurrences"], r["documents"], r["per_10k"]) for r in table.records()] == [
        (p.term, p.year, p.occurrences, p.documents, p.per_10k) for p in points]
    ident = [p for p in points if p.term == '"12-NQ/TW"' and p.year == 2012]
    assert ident[0].occurrences == 2 and ident[0].documents == 2  # an identifier is one token
    assert table.meta["terms"] == terms


def test_points_on_the_sample_open_their_hits(sample_home) -> None:  # type: ignore[no-untyped-def]
    config = sample_home.config
    corpus = corpus_of(sample_home.path)
    points = [p for p in trend_points(config, corpus, Filters(), parse_terms("sinh hoạt chi bộ, kinh tế"))
              if p.documents]
    assert len(points) >= 4
    for p in points:
        result = search(config, SearchRequest.from_params(dict(parse_qsl(urlsplit(p.link.path).query))))
        assert result.total == p.documents
        assert p.occurrences >= p.documents


# --- example articles ------------------------------------------------------------------------

def test_examples_prefer_good_ocr_score_and_citations(handmade_home: Path, tmp_path: Path) -> None:
    ids = article_ids(handmade_home)
    with Catalog(handmade_home / "index" / "catalog.sqlite") as catalog:
        corpus = corpus_of(handmade_home)
        best = examples(catalog, corpus, Filters(year_from=2012, year_to=2012), "xay-dung-dang", per_period=3)
        # equal scores: the ones citing a document first (January before June), then the Q&A
        assert [e.article.id for e in best] == [ids["Quán triệt Nghị quyết Trung ương 4"],
                                                ids["Học tập nghị quyết ở chi bộ"], ids["Hỏi – đáp về đảng phí"]]
        poor = examples(catalog, corpus, Filters(year_from=2012), "phong-chong-tham-nhung")
        assert [(e.article.id, e.good_ocr) for e in poor] == [(ids["Chống tham nhũng ở xã"], False)]
    home = tmp_path / "h"
    shutil.copytree(handmade_home, home)
    with Catalog(home / "index" / "catalog.sqlite") as catalog:
        with catalog.transaction() as db:
            db.execute("UPDATE article_topic SET score = 9 WHERE article_id = ? AND topic = 'xay-dung-dang'",
                       (ids["Hỏi – đáp về đảng phí"],))
        corpus = corpus_of(home)
        best = examples(catalog, corpus, Filters(year_from=2012, year_to=2012), "xay-dung-dang", per_period=1)
        assert [(e.article.id, e.score) for e in best] == [(ids["Hỏi – đáp về đảng phí"], 9.0)]
        table = examples_table(catalog, corpus, Filters(year_from=2012, by="term"), ["xay-dung-dang"], per_period=2)
        r = table.records()[0]
        assert r["title_url"] == f"/a/{ids['Hỏi – đáp về đảng phí']}" and r["period"] == "XI"
        assert r["period_url"] == "/search?series=ttshcb&from=2012&to=2015&topic=xay-dung-dang"
