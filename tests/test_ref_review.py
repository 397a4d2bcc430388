"""Cited documents read by OCR that the register does not hold: kept as read, flagged for
the review queue (archive.worklist) and left out of what the review counts (the articles'
refs in the index documents) until an editor confirms them."""

from __future__ import annotations

from pathlib import Path

from archive.catalog import Catalog
from archive.worklist import decide_ref, doubtful_refs, worklist
from indexer.analyze.stage import run_analyze
from indexer.search.indexdocs import effective_articles
from tests.search_fixtures import Art, Iss, article_id, fill

TEXT = ("Chi bộ học tập Nghị quyết số 21-NQ/TW ngày 16/6/2022 của Ban Chấp hành Trung ương "
        "và Nghị quyết số 67-NQ/TW về công tác dân vận.")


def refs(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    return {d.id: d.refs for d in effective_articles(catalog)}


def test_an_unregistered_document_read_by_ocr_waits_for_an_editor(tmp_path: Path) -> None:
    scanned = Iss("ttshcb", 2023, "01", 1, [Art("Học tập nghị quyết", [TEXT])])
    digital = Iss("ttshcb", 2023, "02", 2, [Art("Học tập nghị quyết mới", [TEXT])])
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        fill(catalog, [scanned, digital])
        with catalog.transaction() as db:  # the first issue's pages were read by Tesseract
            db.execute("UPDATE page_text SET method = 'ocr' WHERE page_id LIKE ?",
                       (scanned.id + "/%",))
        run_analyze(catalog, tmp_path, force=True)
        ocr_art = article_id(scanned.id, scanned.articles[0])
        text_art = article_id(digital.id, digital.articles[0])
        # kept as read in the article's cited documents
        stored = {r["doc_id"] for r in catalog.query(
            "SELECT doc_id FROM article_ref WHERE article_id = ?", (ocr_art,))}
        assert {"21-NQ/TW", "67-NQ/TW"} <= stored
        assert [(r.article_id, r.doc_id) for r in doubtful_refs(catalog)] == [(ocr_art, "67-NQ/TW")]
        assert worklist(catalog).counts["refs_doubtful"] == 1
        got = refs(catalog)
        assert "21-NQ/TW" in got[ocr_art] and "67-NQ/TW" not in got[ocr_art]
        assert "67-NQ/TW" in got[text_art]  # a born-digital text is not in doubt
        # confirmed by an editor, it counts, and a rerun keeps the decision
        assert decide_ref(catalog, ocr_art, "67-NQ/TW", confirmed=True, author="bt")
        run_analyze(catalog, tmp_path, force=True)
        assert "67-NQ/TW" in refs(catalog)[ocr_art]
        assert doubtful_refs(catalog) == []
        # rejected, it stays out
        assert decide_ref(catalog, ocr_art, "67-NQ/TW", confirmed=False, author="bt")
        run_analyze(catalog, tmp_path, force=True)
        assert "67-NQ/TW" not in refs(catalog)[ocr_art]
        assert not decide_ref(catalog, ocr_art, "99-NQ/TW", confirmed=True, author="bt")
