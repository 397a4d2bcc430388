"""Cited documents: date issued, first mention per series, lag in months, mentions over time,
documents never mentioned; on the small sample, the lags of the truth (articles.jsonl vs the
register)."""
# ruff: noqa: F811  (pytest fixtures imported from tests.review_fixtures are redefined as arguments)

from __future__ import annotations

import shutil
from pathlib import Path

from archive.catalog import Catalog
from archive.config import load_config
from indexer.analyze.register import load_register
from review.corpus import load_corpus
from review.documents import (
    documents_table,
    mentions,
    mentions_table,
    month_index,
    unmentioned_table,
    unregistered_table,
)
from review.filters import Filters
from tests.review_fixtures import article_ids, handmade_home, sample_home  # noqa: F401


def corpus_of(home: Path):  # type: ignore[no-untyped-def]
    config = load_config(home)
    with Catalog(config.catalog_path) as catalog:
        return load_corpus(catalog, config)


def test_first_mention_and_lag_per_series(handmade_home: Path) -> None:
    got = {(m.doc_id, m.series): m for m in mentions(corpus_of(handmade_home), Filters())}
    ids = article_ids(handmade_home)
    # 12-NQ/TW was issued on 16/1/2012: ttshcb quotes it that month, tbnb in June
    central = got[("12-NQ/TW", "ttshcb")]
    assert central.issued == "2012-01-16" and central.lag_months == 0 and central.mentions == 2
    assert central.first is not None and central.first.id == ids["Quán triệt Nghị quyết Trung ương 4"]
    assert central.by_year == ((2012, 2),)
    province = got[("12-NQ/TW", "tbnb")]
    assert (province.lag_months, province.mentions) == (5, 1)
    # 800/QĐ-TTg of 4/6/2010, first in ttshcb 5/2013: 35 months
    assert got[("800/QĐ-TTg", "ttshcb")].lag_months == 35
    assert got[("800/QĐ-TTg", "tbnb")].first is None


def test_year_filters_count_mentions_but_keep_the_first_mention(handmade_home: Path) -> None:
    corpus = corpus_of(handmade_home)
    later = {(m.doc_id, m.series): m for m in mentions(corpus, Filters(year_from=2013))}
    m = later[("12-NQ/TW", "ttshcb")]
    assert m.mentions == 0 and m.first is not None and m.first.year == 2012 and m.lag_months == 0
    assert m.link.path == "/search?series=ttshcb&from=2013&ref=12-nq%2Ftw&sort=date"


def test_documents_never_mentioned_are_listed(handmade_home: Path) -> None:
    corpus = corpus_of(handmade_home)
    table = unmentioned_table(corpus, Filters())
    listed = {r["document"]: r for r in table.records()}
    register = {d.id for d in load_register()}
    assert "12-NQ/TW" not in listed and "800/QĐ-TTg" not in listed
    assert set(listed) == register - {"12-NQ/TW", "800/QĐ-TTg"}
    # issued after the last issue held (5/2013): not yet a silence of the bulletins
    assert listed["57-NQ/TW"]["note"] == "ban hành sau số cuối cùng có trong kho"
    assert listed["10-NQ/TW"]["note"] == "chưa bản tin nào nhắc tới"


def test_an_editors_register_decides_what_is_known(handmade_home: Path, tmp_path: Path) -> None:
    """A register in the home replaces the shipped one: 800/QĐ-TTg becomes an unregistered
    document (to add), and a reused Party number takes its mentions from its date on."""
    home = tmp_path / "h"
    shutil.copytree(handmade_home, home)
    (home / "documents.toml").write_text(
        '[[document]]\nid = "12-NQ/TW"\nkind = "Nghị quyết"\ndate = "2011-06-01"\n\n'
        '[[document]]\nid = "12-NQ/TW"\nkind = "Nghị quyết"\ndate = "2012-04-10"\n', encoding="utf-8")
    corpus = corpus_of(home)
    got = {(m.doc_id, m.issued, m.series): m for m in mentions(corpus, Filters())}
    old, new = got[("12-NQ/TW", "2011-06-01", "ttshcb")], got[("12-NQ/TW", "2012-04-10", "ttshcb")]
    assert (old.mentions, old.lag_months) == (2, 7)  # January and March 2012 cite the 2011 one
    assert got[("12-NQ/TW", "2012-04-10", "tbnb")].lag_months == 2  # June 2012 cites the new one
    assert new.first is None
    unknown = unregistered_table(corpus, Filters())
    assert [(r["document"], r["series"], r["first_mention"], r["mentions"]) for r in unknown.records()] == [
        ("800/QĐ-TTg", "ttshcb", "2013-05", 1)]


def test_tables_carry_links_to_mentions_and_first_articles(handmade_home: Path) -> None:
    corpus = corpus_of(handmade_home)
    table = documents_table(corpus, Filters(series=("ttshcb",)))
    r = next(r for r in table.records() if r["document"] == "12-NQ/TW")
    assert r["first_mention"] == "2012-01" and r["lag_months"] == 0 and r["mentions"] == 2
    assert r["first_mention_url"] == f"/a/{article_ids(handmade_home)['Quán triệt Nghị quyết Trung ương 4']}"
    assert r["mentions_url"] == "/search?series=ttshcb&ref=12-nq%2Ftw&sort=date"
    over_time = mentions_table(corpus, Filters(series=("ttshcb",)))
    assert [(r["document"], r["year"], r["mentions"]) for r in over_time.records()] == [
        ("800/QĐ-TTg", 2013, 1), ("12-NQ/TW", 2012, 2)]


# --- the small sample: lags of the truth ---------------------------------------------------

def test_document_lags_match_the_truth(sample_home) -> None:  # type: ignore[no-untyped-def]
    """First mention per (document, series) from the truth's articles and their cited
    documents, against the register's dates: the lags found agree, and few are missed (OCR
    of the typewriter-era scans can garble an identifier)."""
    register = load_register()
    truth_first: dict[tuple[str, str], str] = {}
    for a in sample_home.truth("articles.jsonl"):
        for doc in a["doc_refs"]:
            key = (doc, a["series"])
            truth_first[key] = min(truth_first.get(key, "9999-99"), a["date"])
    truth_first = {k: v for k, v in truth_first.items() if register.lookup(k[0], v) is not None}
    assert len(truth_first) >= 5
    found = {(m.doc_id, m.series): m for m in mentions(corpus_of(sample_home.path), Filters())
             if m.first is not None}
    matched = 0
    for key, date in truth_first.items():
        m = found.get(key)
        if m is None:
            continue
        doc = register.lookup(key[0], date)
        assert doc is not None
        truth_lag = month_index(int(date[:4]), int(date[5:7])) - month_index(doc.year, int(doc.date[5:7]))
        assert m.first is not None and m.first.date == date, key
        assert m.lag_months == truth_lag, key
        matched += 1
    assert matched >= 0.8 * len(truth_first), (matched, len(truth_first))
    assert set(found) <= set(truth_first)  # no first mention the truth does not have
