"""Structure over time on the handmade archive (counts worked out by hand from its issues),
editors' corrections moving the numbers, links reproducing them, and ``bantin stats``."""
# ruff: noqa: F811  (pytest fixtures imported from tests.review_fixtures are redefined as arguments)

from __future__ import annotations

import json
import shutil
from pathlib import Path

from archive.catalog import Catalog
from archive.config import load_config
from indexer.search.engine import search
from indexer.search.query import SearchRequest
from indexer.segment.edits import edit_article
from review.corpus import load_corpus
from review.filters import Filters
from review.structure import kinds_table, period_stats, sections_table, structure_table
from tests.conftest import run_bantin
from tests.review_fixtures import (  # noqa: F401  (fixtures)
    article_ids,
    handmade_home,
    handmade_issues,
    make_handmade_home,
)


def corpus_of(home: Path):  # type: ignore[no-untyped-def]
    config = load_config(home)
    with Catalog(config.catalog_path) as catalog:
        return load_corpus(catalog, config)


def row(table, **match):  # type: ignore[no-untyped-def]
    for r in table.records():
        if all(r[k] == v for k, v in match.items()):
            return r
    raise AssertionError(f"no row {match} in {table.name}")


def words(series: str, year: int) -> int:
    return sum(len(a.text.split()) for i in handmade_issues() if (i.series, i.year) == (series, year)
               for a in i.articles)


def test_completeness_pages_articles_words_and_reading_quality(handmade_home: Path) -> None:
    corpus = corpus_of(handmade_home)
    table = structure_table(corpus, Filters(year_from=2012))
    r = row(table, series="ttshcb", period="2012")
    # two issues held of twelve a year; four pages, one read at 40 < low_confidence 70
    assert (r["issues_held"], r["issues_expected"], r["completeness"]) == (2, 12, 16.7)
    assert (r["pages"], r["pages_per_issue"], r["articles"], r["articles_per_issue"]) == (4, 2.0, 4, 2.0)
    assert r["words_per_article"] == round(words("ttshcb", 2012) / 4)
    assert r["low_ocr_pages"] == 25.0 and r["orphan_pages"] == 0
    r13 = row(table, series="ttshcb", period="2013")
    assert (r13["issues_held"], r13["pages"], r13["articles"], r13["orphan_pages"]) == (1, 3, 2, 1)
    tb = row(table, series="tbnb", period="2012")
    assert (tb["issues_held"], tb["completeness"], tb["low_ocr_pages"]) == (1, 8.3, 0.0)
    # holdings, pages and words lead to the issues they were counted over; articles to the search
    assert r["issues_held_url"] == "/coverage/basis?series=ttshcb&from=2012&to=2012#issues"
    assert r["pages_url"] == "/coverage/basis?series=ttshcb&from=2012&to=2012#pages"
    assert r["words_per_article_url"] == "/coverage/basis?series=ttshcb&from=2012&to=2012#words"
    assert r["articles_url"] == "/search?series=ttshcb&from=2012&to=2012"


def test_years_before_the_first_issue_held_are_expected_too(handmade_home: Path) -> None:
    """ttshcb started in 1989: 1989–2011 count as expected and missing, term by term."""
    table = structure_table(corpus_of(handmade_home), Filters(series=("ttshcb",), by="term"))
    periods = [r["period"] for r in table.records()]
    assert periods == ["VI", "VII", "VIII", "IX", "X", "XI"]
    vi = row(table, period="VI")
    assert (vi["issues_held"], vi["issues_expected"]) == (0, 24)  # 1989 and 1990, monthly
    xi = row(table, period="XI")  # nothing is expected after the last year held (2013)
    assert (xi["issues_held"], xi["issues_expected"], xi["articles"]) == (3, 36, 6)


def test_sections_and_kinds_shares(handmade_home: Path) -> None:
    corpus = corpus_of(handmade_home)
    sections = sections_table(corpus, Filters(series=("ttshcb",), year_from=2012, year_to=2012))
    assert sorted((r["section"], r["articles"], r["share"]) for r in sections.records()) == [
        ("Hỏi – đáp", 1, 25.0), ("Những vấn đề chung", 1, 25.0), ("Thông tin thời sự", 1, 25.0),
        ("Văn kiện – Nghị quyết", 1, 25.0)]
    kinds = kinds_table(corpus, Filters(year_from=2012, year_to=2013, by="decade"))
    assert {(r["series"], r["kind"]): (r["articles"], r["share"]) for r in kinds.records()} == {
        ("ttshcb", "bai"): (4, 66.7), ("ttshcb", "tin"): (1, 16.7), ("ttshcb", "hoi-dap"): (1, 16.7),
        ("tbnb", "bai"): (1, 50.0), ("tbnb", "tin"): (1, 50.0)}


def test_every_structure_link_lists_what_it_counts(handmade_home: Path) -> None:
    """The search behind an article count lists those articles (plus pages no article
    covers, counted beside them); behind a section or kind, exactly that many."""
    config = load_config(handmade_home)
    corpus = corpus_of(handmade_home)
    f = Filters(year_from=2012, by="year")
    for r in structure_table(corpus, f).records():
        if r["issues_held"]:
            total = search(config, _request(r["articles_url"])).total
            assert total == r["articles"] + r["orphan_pages"], r
    for table in (sections_table(corpus, f), kinds_table(corpus, f)):
        for r in table.records():
            if "articles_url" in r:
                result = search(config, _request(r["articles_url"]))
                assert result.total == r["articles"], r
                assert result.query_key == r["articles_query_key"]


def _request(path: str) -> SearchRequest:
    from urllib.parse import parse_qsl, urlsplit

    return SearchRequest.from_params(dict(parse_qsl(urlsplit(path).query)))


def test_a_correction_moves_the_numbers(tmp_path: Path) -> None:
    """An editor moves an article to another section and kind: the next snapshot counts it
    there (no stale cache)."""
    home = make_handmade_home(tmp_path / "h", index=False)
    before = sections_table(corpus_of(home), Filters(series=("ttshcb",), year_from=2012, year_to=2012))
    assert row(before, section="Thông tin thời sự")["articles"] == 1
    aid = article_ids(home)["Giá lúa tăng"]
    with Catalog(home / "index" / "catalog.sqlite") as catalog:
        edit_article(catalog, aid, {"section": "Hỏi – đáp", "kind": "hoi-dap"}, author="bientap",
                     base_version=0, reason="sai chuyên mục")
    corpus = corpus_of(home)
    after = sections_table(corpus, Filters(series=("ttshcb",), year_from=2012, year_to=2012))
    assert row(after, section="Hỏi – đáp")["articles"] == 2
    assert "Thông tin thời sự" not in [r["section"] for r in after.records()]
    st = period_stats(corpus, Filters(series=("ttshcb",), year_from=2012, year_to=2012))[0]
    assert dict(st.kinds) == {"bai": 2, "hoi-dap": 2}


def test_a_page_no_longer_held_leaves_the_counts(tmp_path: Path) -> None:
    home = make_handmade_home(tmp_path / "h", index=False)
    assert corpus_of(home).years() == (2012, 2013)
    with Catalog(home / "index" / "catalog.sqlite") as catalog:
        catalog.mark_missing("ttshcb-2013-05")
    corpus = corpus_of(home)
    assert corpus.years("ttshcb") == (2012, 2012)
    assert all(a.year == 2012 for a in corpus.articles)


def test_bantin_stats_prints_and_exports_the_same_table(handmade_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "copy"
    shutil.copytree(handmade_home, home)
    r = run_bantin(home, "stats", "--json", "--by", "term", "--series", "ttshcb", "--from", "2011")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    expected = structure_table(corpus_of(home), Filters(("ttshcb",), 2011, None, "term"))
    assert data["tables"]["structure"] == expected.records()
    assert data["index_version"] == expected.index_version != ""
    text = run_bantin(home, "stats", "--by", "term")
    assert text.returncode == 0 and "Khóa XI (2011–2015)" in text.stdout
    lines = [line.split() for line in text.stdout.splitlines() if "Khóa XI" in line]
    # held 3 of 36 (ttshcb 2011–2013), 1 of 24 (tbnb 2011–2012)
    assert sorted((w[0], w[4], w[5], w[6]) for w in lines) == [("tbnb", "1", "24", "4,2"),
                                                               ("ttshcb", "3", "36", "8,3")]
