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
from indexer.analyze.reconcile import reconcile, unsure_tokens
from indexer.analyze.register import load_register
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


# --- the other typewriter face: its 0 read as 6 or 9, the slash as a digit or letter -------

PARTY = [d for d in load_register() if d.body in ("TW", "HNTW") and "-" in d.id]


def sentences(seed: int, n: int = 10) -> tuple[list[str], list[str]]:
    """``n`` paragraphs, each citing another registered Party document as bulletins do (with
    its date, issuer or subject, or bare, sometimes named again by kind and number later),
    and the identifiers cited, in order."""
    rnd = random.Random(seed)
    paras, ids = [], []
    for doc in rnd.sample(PARTY, n):
        y, m, d = doc.date.split("-")
        about = doc.title if doc.title.lower().startswith("về") else f"về {doc.title}"
        about = about[0].lower() + about[1:]
        organ = doc.issuer.split(" (")[0]
        form = rnd.choice([f"{doc.kind} số {doc.id}, ngày {int(d)}/{int(m)}/{y} của {organ}",
                           f"{doc.kind} {doc.id} {about}", f"{doc.kind} số {doc.id} {about}",
                           f"{doc.kind} số {doc.id} ngày {int(d)}-{int(m)}-{y}"])
        text = f"Các chi bộ đã triển khai {form}, kết quả khá tốt."
        if rnd.random() < 0.4:
            text += f" Sau ba năm thực hiện {doc.kind} {int(doc.number)}, nhiều việc đã chuyển biến."
        paras.append(text)
        ids.append(doc.id)
    return paras, ids


def counted(paragraph: str, unsure: frozenset[str]) -> set[str]:
    """The documents one article of this text counts: citations reconciled with the register."""
    found = find_citations(paragraph, when="2025")
    return {r.citation.doc_id for r in reconcile(paragraph, found, load_register(), "2025", unsure)
            if not r.doubt}


@pytest.fixture(scope="module")
def zero_page() -> tuple[list[str], list[str], str, frozenset[str]]:
    """(paragraphs drawn, identifiers, OCR text, the unsure words) of a page in the face
    whose 0 typewriter OCR misreads."""
    paras, ids = sentences(ZERO_PAGE_SEED)
    image, _drawn = render_text_page(paras, dpi=200, font="mono-liberation", size_pt=11.5,
                                     width_in=6.5, margin_in=0.6)
    page = preprocess.prepare(scan_old(image, np.random.default_rng(ZERO_PAGE_SEED)), 200.0)
    settings = OcrSettings()
    read = ocr.get_engine().recognize(page.image, page.dpi, settings, params=ocr.page_choice(settings, page))
    return paras, ids, read.text, unsure_tokens(read.words)


ZERO_PAGE_SEED = 6


def test_misread_zeros_and_slashes_are_reconciled_on_a_typewriter_scan(
        zero_page: tuple[list[str], list[str], str, frozenset[str]]) -> None:
    """The page is one article citing ten documents (and any its titles name); what it
    counts after the register's reconciliation must be those but at most one (a number
    beyond proof), and nothing else. On this page Tesseract reads ``100-CTZTW/`` (the slash as
    a Z), which the earlier grammar lost, ``19-NQ/TW`` followed by 10-NQ/TW's title (the
    register's reconciliation), and 04-NQ/TW on an unsure word before a garbled date (kept
    doubtful: the one allowed miss)."""
    paras, ids, text, unsure = zero_page
    cited = {c.doc_id for c in find_citations("\n\n".join(paras), when="2025")}
    assert set(ids) <= cited
    found = counted(text, unsure)
    assert len(found & cited) >= len(cited) - 1, (sorted(cited - found), text)
    assert found <= cited, (sorted(found - cited), text)
