"""A Word issue of the small sample (a ``.doc`` mixing TCVN3, VNI and Unicode) end to end,
like a PDF issue: `bantin sample --size small` → `bantin build` → search finds its text, the
page viewer shows its page with marks and an image, its articles and their topics exist,
and the review counts it."""

# ruff: noqa: F811  (pytest fixtures imported from tests.review_fixtures are redefined as arguments)
from __future__ import annotations

import json
from typing import Any

from archive.config import load_config
from review.corpus import load_corpus
from tests.conftest import run_bantin
from tests.review_fixtures import SampleHome, sample_app, sample_client, sample_home  # noqa: F401


def _word_issue(sample_home: SampleHome) -> dict[str, Any]:
    records = sample_home.truth("documents.jsonl")
    assert len(records) == 1 and records[0]["file"].endswith(".doc")
    return records[0]


def test_word_issue_pages_are_read_as_documents(sample_home: SampleHome) -> None:
    issue = _word_issue(sample_home)["issue"]
    truth_pages = [p for p in sample_home.truth("pages.jsonl") if p["issue"] == issue]
    with sample_home.catalog() as catalog:
        rows = catalog.query("SELECT t.method, t.encoding, t.text FROM page_text t JOIN page p"
                             " ON p.id = t.page_id WHERE p.issue_id = ? ORDER BY p.seq", (issue,))
    assert len(rows) == len(truth_pages)
    assert {r["method"] for r in rows} == {"document"}
    assert {r["encoding"] for r in rows} == {"tcvn3+unicode+vni"}
    for row, truth in zip(rows, truth_pages):  # same words as the truth page, every one
        assert sorted(row["text"].split()) == sorted(truth["text"].split())


def test_search_finds_the_word_issue_and_the_viewer_marks_it(sample_home: SampleHome,
                                                             sample_client: Any) -> None:
    record = _word_issue(sample_home)
    issue = record["issue"]
    article = next(a for a in sample_home.truth("articles.jsonl") if a["issue"] == issue
                   and len(a["text"].split()) > 30)
    phrase = " ".join(article["text"].split()[10:14])
    r = run_bantin(sample_home.path, "search", "--json", f'"{phrase}"')
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)["hits"]
    assert any(h["issue_id"] == issue and h["marks"] for h in hits), (phrase, hits)

    page = sample_client.get(f"/i/{issue}/1?q={phrase.split()[0]}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "tệp Word" in body and "<mark" in body
    image = sample_client.get(f"/img/{issue}/1/thumb.jpg")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"


def test_word_issue_has_articles_topics_and_counts_in_the_review(sample_home: SampleHome,
                                                                  sample_client: Any) -> None:
    issue = _word_issue(sample_home)["issue"]
    truth = [a for a in sample_home.truth("articles.jsonl") if a["issue"] == issue]
    with sample_home.catalog() as catalog:
        articles = catalog.query("SELECT id, title FROM article WHERE issue_id = ?", (issue,))
        topics = catalog.query("SELECT DISTINCT t.topic FROM article_topic t JOIN article a"
                               " ON a.id = t.article_id WHERE a.issue_id = ? AND t.label = 1",
                               (issue,))
        corpus = load_corpus(catalog, load_config(sample_home.path))
    titles = {a["title"] for a in articles}
    assert sum(a["title"] in titles for a in truth) >= len(truth) // 2, (titles, truth)
    assert topics
    assert any(i.id == issue for i in corpus.issues)
    assert sample_client.get(f"/a/{articles[0]['id']}").status_code == 200
