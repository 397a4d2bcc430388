"""The segment stage on a real catalog: incremental reruns, stable ids, corrections, problems,
`bantin segment` and `bantin export articles`.

Issues are real PDFs drawn by tests/segment_pages.py, ingested with `bantin ingest`; their
page text is what pdfplumber reads from them, stored as the extract stage stores it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

from archive.catalog import Catalog
from archive.editorial import correct_page, effective_page
from archive.models import PageResult, Word
from bantin.stages import BUILD_STAGES
from indexer.segment.segmenter import make_article_id
from tests.segment_pages import Issue, draw_pdf, para, pdf_words, title
from tests.test_segment import EXPECTED, S1, S2, S3, S4, body, standard_items


def add_issue(home: Path, bantin, name: str, items) -> None:  # type: ignore[no-untyped-def]
    folder = home / "scans" / "ttshcb" / name.split("-")[1]
    folder.mkdir(parents=True, exist_ok=True)
    draw_pdf(Issue(items, columns=2), folder / f"{name}.pdf")
    r = bantin("ingest")
    assert r.code == 0, r.err


def extract(catalog: Catalog, issue_id: str, home: Path, *, change=None) -> None:  # type: ignore[no-untyped-def]
    """Store each page's pdfplumber words as extract would (method text)."""
    issue = catalog.get_issue(issue_id)
    assert issue is not None
    for page, words in zip(catalog.pages(issue_id), pdf_words(home / "scans" / issue.source)):
        ws = list(words.words)
        if change is not None:
            ws = change(page.seq, ws)
        text = " ".join(w.text for w in ws)
        catalog.put_page_result(PageResult(page.id, page.sha256, "text", text, tuple(ws), 100.0,
                                           "pdfplumber", "test", "text-test"))


def articles(catalog: Catalog, issue_id: str) -> list:  # type: ignore[type-arg]
    return catalog.query("SELECT * FROM article WHERE issue_id = ? ORDER BY seq", (issue_id,))


def test_segment_is_incremental_and_ids_stay(home: Path, bantin, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    add_issue(home, bantin, "ttshcb-2015-07", standard_items())
    extract(catalog, "ttshcb-2015-07", home)
    r = bantin("segment")
    assert r.code == 0, r.err
    assert "1 issues segmented (6 articles), 0 current" in r.out
    first = articles(catalog, "ttshcb-2015-07")
    assert [(a["section"], a["title"], a["kind"], a["byline"]) for a in first] == EXPECTED
    taken: set[str] = set()
    assert [a["id"] for a in first] == [
        make_article_id("ttshcb-2015-07", a["first_page"], a["title"], taken) for a in first]
    boxes = json.loads(first[0]["boxes"])
    assert set(boxes) == {str(p) for p in range(first[0]["first_page"], first[0]["last_page"] + 1)}
    assert catalog.get_issue("ttshcb-2015-07").date == "2015-07"  # from the masthead

    # nothing changed: nothing done
    r = bantin("segment")
    assert "0 issues segmented (0 articles), 1 current" in r.out

    # a second issue: only it is segmented
    add_issue(home, bantin, "ttshcb-2015-08", [title("Một bài của số sau"),
                                               para(body(S1, S2, S3, S4, times=3))])
    r = bantin("segment")
    assert "0 issues segmented" in r.out and "1 waiting for page text" in r.out
    extract(catalog, "ttshcb-2015-08", home)
    r = bantin("segment")
    assert "1 issues segmented (1 articles), 1 current" in r.out

    # one word of one news brief changes: that issue again, the same ids, one article updated
    def misread(seq: int, ws: list[Word]) -> list[Word]:
        return [replace(w, text="Khánh-thành") if w.text == "Khánh" else w for w in ws]

    extract(catalog, "ttshcb-2015-07", home, change=misread)
    r = bantin("segment")
    assert "1 issues segmented (6 articles), 1 current" in r.out
    second = articles(catalog, "ttshcb-2015-07")
    assert [a["id"] for a in second] != [a["id"] for a in first]  # the brief's title changed
    same = [(a["id"], a["updated_at"]) for a in second if "Khánh" not in a["title"]]
    assert same == [(a["id"], a["updated_at"]) for a in first if "Khánh" not in a["title"]]

    r = bantin("segment", "--force")
    assert "2 issues segmented" in r.out


def test_editor_corrections_reach_the_articles(home: Path, bantin, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    add_issue(home, bantin, "ttshcb-2015-07", standard_items())
    extract(catalog, "ttshcb-2015-07", home)
    assert bantin("segment").code == 0
    page = next(p for p in catalog.pages("ttshcb-2015-07")
                if "Yên Bình" in effective_page(catalog, p.id).text)
    machine = effective_page(catalog, page.id)
    correct_page(catalog, page.id, machine.text.replace("Yên Bình", "Yên Hòa"), author="bt",
                 base_version=0, reason="misread")
    r = bantin("segment")
    assert "1 issues segmented" in r.out
    titles = [a["title"] for a in articles(catalog, "ttshcb-2015-07")]
    assert "Khánh thành trường học mới ở xã Yên Hòa" in titles


def test_a_broken_issue_is_recorded_and_the_others_go_on(home: Path, bantin, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    add_issue(home, bantin, "ttshcb-2015-07", standard_items())
    add_issue(home, bantin, "ttshcb-2015-08", [title("Một bài của số sau"),
                                               para(body(S1, S2, S3, S4, times=3))])
    extract(catalog, "ttshcb-2015-07", home)
    extract(catalog, "ttshcb-2015-08", home)
    with catalog.transaction() as db:  # inject a fault: a damaged words column
        db.execute("UPDATE page_text SET words = '[[\"x\", 1]]' WHERE page_id = 'ttshcb-2015-07/2'")
    r = bantin("segment")
    assert r.code == 4
    assert "ttshcb-2015-07" in r.err
    problems = catalog.problems("segment")
    assert [p["issue_id"] for p in problems] == ["ttshcb-2015-07"]
    assert len(articles(catalog, "ttshcb-2015-08")) == 1
    extract(catalog, "ttshcb-2015-07", home)  # the page is extracted again
    assert bantin("segment").code == 0
    assert catalog.problems("segment") == []


def test_export_articles(home: Path, bantin, catalog: Catalog) -> None:  # type: ignore[no-untyped-def]
    add_issue(home, bantin, "ttshcb-2015-07", standard_items())
    extract(catalog, "ttshcb-2015-07", home)
    assert bantin("segment").code == 0
    out = home / "articles.jsonl"
    r = bantin("export", "articles", "--out", str(out))
    assert r.code == 0 and "6 records" in r.err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 6
    rec = records[0]
    for field in ("id", "series", "year", "number", "date", "section", "title", "byline", "kind",
                  "first_page", "last_page", "words", "confidence", "topics", "doc_refs", "text",
                  "url"):
        assert field in rec
    assert (rec["series"], rec["year"], rec["number"], rec["date"]) == ("ttshcb", 2015, "07", "2015-07")
    assert rec["url"] == f"/a/{rec['id']}" and rec["id"].startswith("ttshcb-2015-07-p1-")
    assert [(r["section"], r["title"], r["kind"], r["byline"]) for r in records] == EXPECTED
    assert rec["topics"] == [] or all(isinstance(t, str) for t in rec["topics"])

    r = bantin("export", "articles", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.out)))
    assert len(rows) == 6 and rows[2]["kind"] == "hoi-dap" and rows[2]["url"].startswith("/a/")


def test_segment_runs_in_build_right_after_extract() -> None:
    names = [name for name, _fn in BUILD_STAGES]
    assert names.index("segment") == names.index("extract") + 1


def test_an_interrupted_run_keeps_the_issues_done(home: Path, bantin, catalog: Catalog,  # type: ignore[no-untyped-def]
                                                  monkeypatch) -> None:
    """Ctrl-C (or a crash) in the middle of an issue: the issues before it are stored whole,
    the one in flight not at all, and the next run does only what is left."""
    import pytest

    from archive.config import load_config
    from indexer.segment import stage

    add_issue(home, bantin, "ttshcb-2015-07", standard_items())
    add_issue(home, bantin, "ttshcb-2015-08", [title("Một bài của số sau"),
                                               para(body(S1, S2, S3, S4, times=3))])
    extract(catalog, "ttshcb-2015-07", home)
    extract(catalog, "ttshcb-2015-08", home)
    real = stage.store_segmentation

    def interrupted(catalog, issue, seg, key, problems):  # type: ignore[no-untyped-def]
        if issue.id == "ttshcb-2015-08":
            with catalog.transaction() as db:  # half written, then the process is stopped
                db.execute("DELETE FROM article WHERE issue_id = ?", (issue.id,))
                raise KeyboardInterrupt
        real(catalog, issue, seg, key, problems)

    monkeypatch.setattr(stage, "store_segmentation", interrupted)
    with pytest.raises(KeyboardInterrupt):
        stage.run_segment(catalog, load_config(home))
    assert len(articles(catalog, "ttshcb-2015-07")) == 6
    assert articles(catalog, "ttshcb-2015-08") == []
    assert catalog.one("SELECT 1 FROM segment_state WHERE issue_id = 'ttshcb-2015-08'") is None
    monkeypatch.setattr(stage, "store_segmentation", real)
    r = bantin("segment")
    assert "1 issues segmented (1 articles), 1 current" in r.out


def test_segment_names_an_unknown_issue(bantin) -> None:  # type: ignore[no-untyped-def]
    r = bantin("segment", "--issue", "ttshcb-1900-01")
    assert r.code == 2 and "ttshcb-1900-01" in r.err
