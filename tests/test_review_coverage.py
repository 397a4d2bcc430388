"""The topic heatmap: shares of articles and of words, empty/thin/no-data flags against the
editor's threshold, gaps; every cell reproduced by its search; and on the small sample, the
gaps the sample was built with (sample-truth/gaps.json) found."""
# ruff: noqa: F811  (pytest fixtures imported from tests.review_fixtures are redefined as arguments)

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from archive.catalog import Catalog
from archive.config import load_config
from indexer.search.engine import search
from indexer.search.query import SearchRequest
from review.corpus import load_corpus
from review.coverage import find_gaps, gaps_table, heatmap_table, heatmaps
from review.filters import Filters
from tests.review_fixtures import handmade_home, handmade_issues, sample_home  # noqa: F401


def corpus_of(home: Path):  # type: ignore[no-untyped-def]
    config = load_config(home)
    with Catalog(config.catalog_path) as catalog:
        return load_corpus(catalog, config)


def cells(corpus, filters: Filters, **kw):  # type: ignore[no-untyped-def]
    return {(c.series, c.topic, c.period.key): c for hm in heatmaps(corpus, filters, **kw)
            for _slug, _name, row in hm.rows for c in row}


def words_of(titles: set[str]) -> int:
    return sum(len(a.text.split()) for i in handmade_issues() for a in i.articles if a.title in titles)


def test_shares_of_articles_and_of_words(handmade_home: Path) -> None:
    corpus = corpus_of(handmade_home)
    got = cells(corpus, Filters(year_from=2012))
    party = got[("ttshcb", "xay-dung-dang", "2012")]
    assert (party.articles, party.period_articles, party.share_articles) == (2, 4, 50.0)
    party_words = words_of({"Quán triệt Nghị quyết Trung ương 4", "Hỏi – đáp về đảng phí"})
    all_words = words_of({"Quán triệt Nghị quyết Trung ương 4", "Hỏi – đáp về đảng phí",
                          "Giá lúa tăng", "Chống tham nhũng ở xã"})
    assert (party.words, party.period_words) == (party_words, all_words)
    assert party.share_words == round(100 * party_words / all_words, 1)
    assert got[("ttshcb", "kinh-te", "2012")].share_articles == 25.0
    assert got[("tbnb", "kinh-te", "2012")].share_articles == 50.0
    assert ("tbnb", "kinh-te", "2013") not in got  # the provincial series ends in 2012 here


def test_flags_follow_the_editors_threshold(handmade_home: Path) -> None:
    corpus = corpus_of(handmade_home)
    low = cells(corpus, Filters(year_from=2011), threshold=2.0)
    assert low[("ttshcb", "kinh-te", "2012")].flag == ""
    assert low[("ttshcb", "doi-ngoai", "2012")].flag == "empty"
    assert low[("ttshcb", "doi-ngoai", "2011")].flag == "nodata"  # nothing held in 2011
    high = cells(corpus, Filters(year_from=2011), threshold=30.0)
    assert high[("ttshcb", "kinh-te", "2012")].flag == "thin"  # 25 % < 30 %
    assert high[("ttshcb", "xay-dung-dang", "2012")].flag == ""  # 50 %
    by_words = cells(corpus, Filters(year_from=2012), measure="words", threshold=30.0)
    c = by_words[("ttshcb", "kinh-te", "2012")]
    assert c.flag == ("thin" if c.share_words < 30 else "")


def test_gaps_join_consecutive_flagged_periods(handmade_home: Path) -> None:
    corpus = corpus_of(handmade_home)
    maps = heatmaps(corpus, Filters(series=("ttshcb",), year_from=2011))
    gaps = {(g.topic, g.first, g.last): g for g in find_gaps(corpus, maps)}
    # foreign affairs: never in ttshcb 2012–2013 (2011 held nothing: neither breaks nor counts)
    g = gaps[("doi-ngoai", 2012, 2013)]
    assert (g.periods, g.articles, g.kind) == (2, 0, "empty")
    assert g.link.path == "/search?series=ttshcb&from=2012&to=2013&topic=doi-ngoai"
    assert ("phong-chong-tham-nhung", 2013, 2013) in gaps  # covered in 2012, silent in 2013
    assert not any(t == "xay-dung-dang" for t, _a, _b in gaps)
    table = gaps_table(corpus, Filters(series=("ttshcb",), year_from=2011))
    assert {(r["topic"], r["from"], r["to"]) for r in table.records()} == set(gaps)


def test_every_cell_is_what_its_search_lists(handmade_home: Path) -> None:
    config = load_config(handmade_home)
    table = heatmap_table(corpus_of(handmade_home), Filters(year_from=2012, by="term"))
    checked = 0
    for r in table.records():
        if r["flag"] == "nodata":
            continue
        from urllib.parse import parse_qsl, urlsplit

        request = SearchRequest.from_params(dict(parse_qsl(urlsplit(r["articles_url"]).query)))
        result = search(config, request)
        assert result.total == r["articles"], r
        assert result.query_key == r["articles_query_key"]
        assert result.index_version == table.index_version
        checked += 1
    assert checked == 2 * 15  # two series, one term, fifteen topics


# --- the small sample: the gaps it was built with ------------------------------------------

def test_the_heatmap_finds_the_gaps_the_sample_was_built_with(sample_home) -> None:  # type: ignore[no-untyped-def]
    truth_gaps = sample_home.truth("gaps.json")
    assert len(truth_gaps) >= 5
    corpus = corpus_of(sample_home.path)
    maps = heatmaps(corpus, Filters(by="year"))
    by_series = {hm.series: hm for hm in maps}
    found = find_gaps(corpus, maps)
    testable = 0
    for gap in truth_gaps:
        hm = by_series[gap["series"]]
        row = next(cells for slug, _name, cells in hm.rows if slug == gap["topic"])
        inside = [c for c in row if gap["from_year"] <= c.lo <= gap["to_year"] and c.flag != "nodata"]
        if not inside:
            continue  # the small sample holds no issue of this series in those years
        testable += 1
        assert sum(c.articles for c in inside) <= gap["max_articles"], gap
        assert all(c.flag in ("empty", "thin") for c in inside), gap
        years = {c.lo for c in inside}
        assert any(g.series == gap["series"] and g.topic == gap["topic"] and
                   g.first <= min(years) and (g.last or 9999) >= max(years) for g in found), gap
    assert testable >= 5


def test_the_heatmap_is_not_just_gaps(sample_home) -> None:  # type: ignore[no-untyped-def]
    """Where the truth has articles on a topic in a year, the heatmap mostly shows them (tagging
    is measured by issue 4's bench; here: no silent loss between analysis and heatmap)."""
    truth = Counter((a["series"], a["year"], t) for a in sample_home.truth("articles.jsonl")
                    for t in a["topics"])
    got = cells(corpus_of(sample_home.path), Filters(by="year"))
    present = [k for k in truth if got[(k[0], k[2], str(k[1]))].articles > 0]
    assert len(present) >= 0.8 * len(truth), (len(present), len(truth))


def test_heatmap_cells_equal_the_search_facets(sample_home) -> None:  # type: ignore[no-untyped-def]
    """One search per series and term: its topic facet holds every cell of that column."""
    config = sample_home.config
    corpus = corpus_of(sample_home.path)
    for hm in heatmaps(corpus, Filters(by="term")):
        for k, period in enumerate(hm.periods):
            column = {slug: cells[k] for slug, _name, cells in hm.rows}
            any_cell = next(iter(column.values()))
            if any_cell.flag == "nodata":
                continue
            result = search(config, SearchRequest(series=hm.series, year_from=any_cell.lo,
                                                  year_to=any_cell.hi, per_page=1))
            facet = result.facets["topic"]
            assert {s: c.articles for s, c in column.items() if c.articles} == facet, (hm.series, period)


@pytest.mark.parametrize("measure", ["articles", "words"])
def test_table_rows_match_the_heatmap(handmade_home: Path, measure: str) -> None:
    corpus = corpus_of(handmade_home)
    f = Filters(year_from=2012)
    table = heatmap_table(corpus, f, measure=measure, threshold=30.0)
    got = cells(corpus, f, measure=measure, threshold=30.0)
    assert len(table.rows) == len(got)
    for r in table.records():
        c = got[(r["series"], r["topic"], r["period"])]
        assert (r["articles"], r["share_articles"], r["share_words"], r["flag"]) == (
            c.articles, c.share_articles, c.share_words, c.flag)
    assert table.meta == {"measure": measure, "threshold": 30.0}


def test_an_editors_topic_labels_move_the_heatmap(tmp_path: Path) -> None:
    """Labels set on the editors' desk count at once (the next snapshot sees them)."""
    from indexer.segment.edits import edit_article
    from tests.review_fixtures import article_ids, make_handmade_home

    home = make_handmade_home(tmp_path / "h", index=False)
    before = cells(corpus_of(home), Filters(series=("ttshcb",), year_from=2012, year_to=2012))
    assert before[("ttshcb", "doi-ngoai", "2012")].flag == "empty"
    with Catalog(home / "index" / "catalog.sqlite") as catalog:
        edit_article(catalog, article_ids(home)["Giá lúa tăng"], {"topics": ["doi-ngoai", "kinh-te"]},
                     author="bientap", base_version=0)
    after = cells(corpus_of(home), Filters(series=("ttshcb",), year_from=2012, year_to=2012))
    assert after[("ttshcb", "doi-ngoai", "2012")].articles == 1
    assert after[("ttshcb", "kinh-te", "2012")].articles == 1


def test_a_silence_of_many_years_is_one_gap_despite_a_stray_article(handmade_home: Path) -> None:
    """Twenty quiet years with two articles in one of them are one thin gap (the run's share
    stays under the threshold); a lasting return of the topic ends it."""
    from review.coverage import HeatCell, SeriesHeatmap
    from review.evidence import Evidence
    from review.periods import year_period

    counts = [0] * 10 + [2] + [0] * 9 + [4, 5, 6] + [0]
    cells = tuple(HeatCell("ttshcb", "bao-ve-nen-tang-tu-tuong", year_period(1990 + k), 1990 + k,
                           1990 + k, n, 0, 20, 0, "empty" if n == 0 else ("thin" if 100 * n / 20 < 2 else ""),
                           Evidence("/search")) for k, n in enumerate(counts))
    hm = SeriesHeatmap("ttshcb", "Thông tin sinh hoạt chi bộ", tuple(c.period for c in cells),
                       (("bao-ve-nen-tang-tu-tuong", "Bảo vệ nền tảng tư tưởng", cells),), "articles", 2.0)
    gaps = [(g.first, g.last, g.articles, g.kind) for g in find_gaps(corpus_of(handmade_home), [hm])]
    assert gaps == [(1990, 2009, 2, "thin"), (2013, 2013, 0, "empty")]
