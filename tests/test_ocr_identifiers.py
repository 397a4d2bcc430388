"""Document identifiers read from a typewriter scan by the real Tesseract (issue 16).

The page is drawn in the typewriter face the sample's oldest issues use, degraded as the sample
generator degrades them (``samplegen.degrade.scan_old``: 200 dpi, fading, grain, specks, blur,
skew) and read through the pipeline's preparation and per-condition reading. What OCR makes of
the dash and the letters there (``10- -NQ/TW``, ``05~ ~NO/HNTW``, ``18 'ÑQ/TW``, ``35-NQ/TN``) must
still be read as the identifier, and nothing else read as one.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from archive.models import OcrSettings
from indexer.analyze.citations import find_citations
from indexer.extract import ocr, preprocess
from indexer.search.tokens import identifier_spans
from samplegen.degrade import scan_old
from tests.pages import render_text_page

IDS = ["10-NQ/TW", "100-CT/TW", "05-NQ/HNTW", "07-NQ/HNTW", "217-QĐ/TW", "04-NQ/TW", "12-NQ/TW",
       "35-NQ/TW", "06-CT/TW", "30-CT/TW", "08-QĐi/TW", "26-NQ/TW", "41-NQ/TW", "03-CT/TW"]
KINDS = {"NQ": "Nghị quyết", "CT": "Chỉ thị", "QĐ": "Quyết định", "QĐi": "Quy định"}
TAILS = ["của Bộ Chính trị về đổi mới cơ chế quản lý kinh tế nông nghiệp",
         "về cải tiến công tác khoán trong hợp tác xã",
         "của Ban Chấp hành Trung ương được các chi bộ quán triệt",
         "đã đi vào cuộc sống ở nhiều địa phương"]


@pytest.fixture(scope="module")
def typewriter_read() -> tuple[list[str], str]:
    """(the identifiers drawn, in order; the page's OCR text)."""
    rnd = random.Random(2)
    drawn_ids, paras = [], []
    for _ in range(16):
        doc = rnd.choice(IDS)
        drawn_ids.append(doc)
        kind = KINDS[doc.split("-")[1].split("/")[0]]
        paras.append(f"Các chi bộ đã triển khai {kind} số {doc} {rnd.choice(TAILS)}, kết quả khá tốt.")
    image, _drawn = render_text_page(paras, dpi=200, font="mono", size_pt=11.5, width_in=6.5,
                                     margin_in=0.6)
    page = preprocess.prepare(scan_old(image, np.random.default_rng(2)), 200.0)
    settings = OcrSettings()
    choice = ocr.page_choice(settings, page)
    assert ocr.page_condition(page) == "copy"  # read as the pipeline reads old copies
    text = ocr.get_engine().recognize(page.image, page.dpi, settings, params=choice).text
    return drawn_ids, text


def test_identifiers_on_a_typewriter_scan_are_found(typewriter_read: tuple[list[str], str]) -> None:
    drawn_ids, text = typewriter_read
    found = [c.doc_id for c in find_citations(text, when="2000")]
    # OCR may change a digit (the register's reconciliation handles that); punctuation and
    # look-alike letters must not lose the identifier: all but at most one found, none invented
    assert len(found) >= len(drawn_ids) - 1, text
    assert sum(doc in drawn_ids for doc in found) >= len(drawn_ids) - 2, text
    # the search index reads the same identifiers (the citations add shorthands the register
    # completes, such as *Nghị quyết số 04*)
    indexed = [norm for _s, _e, norm in identifier_spans(text)]
    assert len(indexed) >= len(drawn_ids) - 1 and set(indexed) <= set(found), text
