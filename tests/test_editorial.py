"""Page corrections: versions, conflicts, restore, boxes following the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.catalog import Catalog
from archive.editorial import (
    EditConflict,
    align_words,
    correct_page,
    effective_page,
    page_history,
    restore_page,
)
from archive.ingest import ingest_scans
from archive.models import PageResult, Word
from tests.test_ingest import make_pdf


@pytest.fixture
def page(home: Path, catalog: Catalog) -> str:
    make_pdf(home / "scans/tbnb/2005/tbnb-2005-01.pdf", 1)
    ingest_scans(catalog, home / "scans")
    p = catalog.pages("tbnb-2005-01")[0]
    words = (Word("Nghi", (0.1, 0.1, 0.2, 0.12), 41.0, 0, 0, 11.0),
             Word("quyết", (0.21, 0.1, 0.3, 0.12), 90.0, 0, 0, 11.0),
             Word("sô", (0.31, 0.1, 0.35, 0.12), 35.0, 0, 0, 11.0),
             Word("21", (0.36, 0.1, 0.4, 0.12), 95.0, 0, 0, 11.0))
    catalog.put_page_result(PageResult(page_id=p.id, sha256=p.sha256, method="ocr",
                                       text="Nghi quyết sô 21", words=words, confidence=65.0,
                                       engine="tesseract", engine_version="5.3.0", settings_key="k"))
    return p.id


def test_correction_is_a_new_version_and_the_original_stays(catalog: Catalog, page: str) -> None:
    v1 = correct_page(catalog, page, "Nghị quyết số 21", author="bientap", base_version=0,
                      reason="sửa dấu")
    assert v1.version == 1 and effective_page(catalog, page).text == "Nghị quyết số 21"
    history = page_history(catalog, page)
    assert [(v.version, v.text, v.author) for v in history] == [
        (0, "Nghi quyết sô 21", ""), (1, "Nghị quyết số 21", "bientap")]
    assert history[1].reason == "sửa dấu"
    # boxes follow the words: the corrected words sit where the misread ones were
    boxes = {w.text: w.box for w in v1.words}
    assert boxes["Nghị"] == (0.1, 0.1, 0.2, 0.12) and boxes["số"] == (0.31, 0.1, 0.35, 0.12)
    assert all(w.conf == 100.0 for w in v1.words if w.text in {"Nghị", "số"})


def test_second_editor_on_a_stale_version_gets_a_conflict(catalog: Catalog, page: str) -> None:
    correct_page(catalog, page, "Nghị quyết số 21", author="a", base_version=0)
    with pytest.raises(EditConflict) as err:
        correct_page(catalog, page, "Nghi quyết số 21-NQ/TW", author="b", base_version=0)
    assert err.value.current == 1 and err.value.current_text == "Nghị quyết số 21"
    assert "+Nghi quyết số 21-NQ/TW" in err.value.diff
    assert effective_page(catalog, page).text == "Nghị quyết số 21"  # nothing overwritten


def test_restore_brings_back_an_old_text_as_a_new_version(catalog: Catalog, page: str) -> None:
    correct_page(catalog, page, "Nghị quyết số 21", author="a", base_version=0)
    restored = restore_page(catalog, page, 0, author="a", base_version=1)
    assert restored.version == 2 and restored.text == "Nghi quyết sô 21"
    assert restored.restored_from == 0
    assert len(page_history(catalog, page)) == 3


def test_align_words_splits_and_inserts() -> None:
    old = [Word("Nghịquyết", (0.1, 0.1, 0.3, 0.12), 50.0, 0, 3, 11.0), Word("21", (0.31, 0.1, 0.35, 0.12))]
    words = align_words(old, "Nghị quyết 21 mới")
    assert [w.text for w in words] == ["Nghị", "quyết", "21", "mới"]
    a, b = words[0].box, words[1].box
    assert a[0] == 0.1 and b[2] == pytest.approx(0.3) and a[2] <= b[0]
    assert words[0].line == 3
    assert words[3].box[0] == words[2].box[2]  # inserted word sits right after its neighbour
