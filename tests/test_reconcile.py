"""Cited documents read by OCR reconciled with the register (issue 16, item 3): a misread
number the words around it prove is replaced by the registered document; an unconvincing
one is kept as read, flagged for editors, and left out of the review's counts until an
editor confirms it (the report's table of documents reads those counts)."""

from __future__ import annotations

import json
from pathlib import Path

from archive.catalog import Catalog
from archive.config import load_config
from archive.models import Word
from archive.worklist import decide_ref, doubtful_refs
from indexer.analyze.citations import find_citations
from indexer.analyze.reconcile import (
    DOUBT_LATER,
    DOUBT_LOW,
    DOUBT_UNREGISTERED,
    reconcile,
    unsure_tokens,
)
from indexer.analyze.register import load_register
from indexer.analyze.stage import run_analyze
from review.corpus import load_corpus
from review.documents import mentions
from review.filters import Filters
from tests.search_fixtures import Art, Iss, article_id, fill

REG = load_register()


def readings(text: str, when: str, unsure: frozenset[str] = frozenset()) -> list[tuple[str, str, str]]:
    found = find_citations(text, register=REG, when=when)
    return [(r.citation.doc_id, r.doubt, r.was) for r in reconcile(text, found, REG, when, unsure)]


def test_an_unregistered_number_the_title_and_issuer_prove_is_the_registered_one() -> None:
    # 19-NQ/TW is not registered; 10-NQ/TW (1988, Bộ Chính trị) is one digit away and its
    # title follows, though not word for word (the citation rules alone need the first five)
    text = ("Thực hiện Nghị quyết số 19-NQ/TW của Bộ Chính trị về đổi mới cơ chế quản lý kinh tế "
            "nông nghiệp, hợp tác xã giao khoán ruộng đất ổn định cho hộ xã viên.")
    assert find_citations(text, register=REG, when="1990-03")[0].doc_id == "19-NQ/TW"
    assert readings(text, "1990-03") == [("10-NQ/TW", "", "19-NQ/TW")]


def test_the_organ_named_settles_the_only_registered_neighbour() -> None:
    # 1995: 10-NQ/TW (Bộ Chính trị, 1988) is the one registered document one slip from 19
    text = "Việc triển khai Nghị quyết 19 của Bộ Chính trị được đưa vào chương trình công tác."
    assert readings(text, "1995-08") == [("10-NQ/TW", "", "19-NQ/TW")]
    # another organ: not that document
    other = "Việc triển khai Nghị quyết 19 của Ban Bí thư được đưa vào chương trình công tác."
    assert readings(other, "1995-08")[0][:2] == ("19-NQ/TW", DOUBT_UNREGISTERED)


def test_an_unregistered_number_without_evidence_is_kept_and_doubtful() -> None:
    text = "Chi bộ đã học tập Nghị quyết số 19-NQ/TW trong tháng qua."
    assert readings(text, "1990-03") == [("19-NQ/TW", DOUBT_UNREGISTERED, "")]


def test_a_document_cannot_be_cited_before_it_was_issued() -> None:
    # 18-NQ/TW of 2017 in an article of 1990: not that document; nothing says which
    text = "Chi bộ đã học tập Nghị quyết số 18-NQ/TW trong tháng qua."
    assert readings(text, "1990-03") == [("18-NQ/TW", DOUBT_LATER, "")]
    assert readings(text, "2018-03") == [("18-NQ/TW", "", "")]


def test_a_registered_number_on_an_unsure_word() -> None:
    words = [Word("12-NQ/TW", (0, 0, 0.1, 0.02), 41.0), Word("Nghị", (0, 0, 0.1, 0.02), 40.0),
             Word("2018", (0, 0, 0.1, 0.02), 96.0)]
    unsure = unsure_tokens(words)
    assert unsure == frozenset({"12-NQ/TW"})  # words without digits, sure words: left out
    # the title that follows is another registered document's, one digit away: that one
    proved = ("Thực hiện Nghị quyết số 12-NQ/TW về tiếp tục đổi mới, sắp xếp tổ chức bộ máy của "
              "hệ thống chính trị tinh gọn, hoạt động hiệu lực, hiệu quả.")
    assert readings(proved, "2018-05", unsure) == [("18-NQ/TW", "", "12-NQ/TW")]
    # nothing around it: 10-NQ/TW and 18-NQ/TW could be meant as well; doubtful
    bare = "Chi bộ đã học tập Nghị quyết số 12-NQ/TW trong tháng qua."
    assert readings(bare, "2018-05", unsure) == [("12-NQ/TW", DOUBT_LOW, "")]
    # read cleanly, it is trusted; and its own title speaks for it when unsure
    assert readings(bare, "2018-05") == [("12-NQ/TW", "", "")]
    own = "Nghị quyết số 12-NQ/TW về một số vấn đề cấp bách về xây dựng Đảng hiện nay."
    assert readings(own, "2018-05", unsure) == [("12-NQ/TW", "", "")]


def test_a_sure_reading_followed_by_a_neighbours_date_is_that_neighbour() -> None:
    # 12-NQ/TW is registered (2012-01-16), read cleanly; the date given is 22-NQ/TW's
    text = "Thực hiện Nghị quyết số 12-NQ/TW, ngày 10/4/2013 của Bộ Chính trị, chi bộ đã làm theo."
    assert readings(text, "2014-05") == [("22-NQ/TW", "", "12-NQ/TW")]
    # its own date: trusted; a date no neighbour has: trusted as before
    own = "Thực hiện Nghị quyết số 12-NQ/TW, ngày 16/1/2012, chi bộ đã làm theo."
    assert readings(own, "2014-05") == [("12-NQ/TW", "", "")]
    other = "Thực hiện Nghị quyết số 12-NQ/TW, ngày 17/1/2012, chi bộ đã làm theo."
    assert readings(other, "2014-05") == [("12-NQ/TW", "", "")]
    # two neighbours of that date (24 and 25-NQ/TW, both 3/6/2013): neither is proved, and
    # 28-NQ/TW (25/10/2013) cannot be cited with a date before its own
    tie = "Thực hiện Nghị quyết số 28-NQ/TW, ngày 3/6/2013, chi bộ đã làm theo."
    assert readings(tie, "2014-05")[0][:2] == ("28-NQ/TW", DOUBT_LATER)


def test_two_zeros_read_as_six_or_nine_with_the_date_or_the_title() -> None:
    dated = "Căn cứ Chỉ thị số 196-CT/TW, ngày 13/1/1981 của Ban Bí thư, cấp ủy đã rà soát."
    assert readings(dated, "1990-05") == [("100-CT/TW", "", "196-CT/TW")]
    titled = ("Sau khi có Chỉ thị số 169-CT/TW về cải tiến công tác khoán sản phẩm đến nhóm và "
              "người lao động trong hợp tác xã nông nghiệp, các chi bộ đã học tập.")
    assert readings(titled, "1990-05") == [("100-CT/TW", "", "169-CT/TW")]
    # a 0 read as two digits, or a 1 lost with it
    assert readings(titled.replace("169", "1606"), "1990-05")[0][:2] == ("100-CT/TW", "")
    assert readings(dated.replace("196", "90"), "1990-05")[0][:2] == ("100-CT/TW", "")
    # any other pair of slips is no neighbour; without proof a zero slip is no either
    assert readings(dated.replace("196", "123"), "1990-05")[0][:2] == ("123-CT/TW", DOUBT_UNREGISTERED)
    bare = "Chi bộ đã học tập Chỉ thị số 199-CT/TW trong tháng qua."
    assert readings(bare, "1990-05") == [("199-CT/TW", DOUBT_UNREGISTERED, "")]


def test_a_later_shorthand_follows_the_repaired_full_mention() -> None:
    # 63-NQ/HNTW is 03-NQ/HNTW by its date; "Nghị quyết 3" then is that one, not 03-NQ/TW
    text = ("Sau khi có Nghị quyết số 63-NQ/HNTW, ngày 18/6/1997 của Ban Chấp hành Trung ương, "
            "các chi bộ đã học tập. Sau năm năm thực hiện Nghị quyết 3, kết quả khá rõ.")
    assert [r[0] for r in readings(text, "2002-05")] == ["03-NQ/HNTW", "03-NQ/HNTW"]
    # alone, the shorthand is the register's central resolution
    assert [r[0] for r in readings("Thực hiện Nghị quyết 3, kết quả khá rõ.", "2002-05")] == ["03-NQ/TW"]


def test_doubtful_documents_stay_out_of_the_report_until_confirmed(tmp_path: Path) -> None:
    text = "Chi bộ đã học tập Nghị quyết số 12-NQ/TW trong tháng qua và làm theo."
    scanned = Iss("ttshcb", 2018, "05", 5, [Art("Học tập nghị quyết", [text])])
    digital = Iss("ttshcb", 2018, "06", 6, [Art("Học tập nghị quyết mới", [text])])
    (tmp_path / "index").mkdir()
    config = load_config(tmp_path)
    with Catalog(config.catalog_path) as catalog:
        fill(catalog, [scanned, digital])
        row = catalog.one("SELECT words FROM page_text WHERE page_id = ?", (scanned.id + "/1",))
        words = json.loads(row["words"])
        for w in words:  # Tesseract was unsure of the number on the scanned page
            if w[0].startswith("12-NQ"):
                w[5] = 38.0
        with catalog.transaction() as db:
            db.execute("UPDATE page_text SET method = 'ocr', words = ? WHERE page_id = ?",
                       (json.dumps(words, ensure_ascii=False), scanned.id + "/1"))
        run_analyze(catalog, tmp_path, force=True)
        ocr_art = article_id(scanned.id, scanned.articles[0])
        assert [(r.article_id, r.doc_id, r.reason) for r in doubtful_refs(catalog)] == \
            [(ocr_art, "12-NQ/TW", DOUBT_LOW)]

        def counted() -> int:
            corpus = load_corpus(catalog, config)
            return sum(m.mentions for m in mentions(corpus, Filters()) if m.doc_id == "12-NQ/TW")

        assert counted() == 1  # the born-digital article only
        assert decide_ref(catalog, ocr_art, "12-NQ/TW", confirmed=True, author="bt")
        assert counted() == 2  # the cached snapshot saw the decision
        run_analyze(catalog, tmp_path, force=True)  # and a rerun keeps it
        assert counted() == 2 and doubtful_refs(catalog) == []
