"""indexer.extract.ocrfix: each rule fixes what it is for and leaves correct text alone."""

from __future__ import annotations

from indexer.extract import ocr, ocrfix


def test_clean_word() -> None:
    assert ocrfix.clean_word("Nghi\u0323") == "Nghị"  # decomposed → NFC
    assert ocrfix.clean_word("\u0300tham") == "tham"  # a tone mark with no letter
    assert ocrfix.clean_word("ﬁnal\u200b") == "final"
    assert ocrfix.clean_word("6\u20441989") == "6/1989"
    assert ocrfix.clean_word("\u0301") == ""
    assert ocrfix.clean_word("Đảng") == "Đảng"


def test_dashes() -> None:
    for text in ("-", "—", "–", "_—_", "-.", "−"):
        assert ocrfix.is_dash(text), text
    for text in ("--", "a-b", "TT-VH", "Số", "."):
        assert not ocrfix.is_dash(text), text


def test_specks_are_low_confidence_marks_only() -> None:
    assert ocrfix.is_speck("'", 30) and ocrfix.is_speck(":", 62) and ocrfix.is_speck("_.", 10)
    assert not ocrfix.is_speck(":", 96)  # a clear, spaced colon is kept
    assert not ocrfix.is_speck("bộ.", 20)  # a word with a mark is a word
    assert not ocrfix.is_speck("?", 20) and not ocrfix.is_speck("5", 20)


def test_cell_words() -> None:
    fix = ocrfix.fix_cell_words
    assert fix("sinh hoạt chỉ bộ định kỳ".split()) == "sinh hoạt chi bộ định kỳ".split()
    assert fix("Chỉ ủy nơi cư trú".split()) == "Chi ủy nơi cư trú".split()
    assert fix("CHỈ BỘ".split()) == ["CHI", "BỘ"]
    assert fix(["của", "chỉ", "bộ."]) == ["của", "chi", "bộ."]
    # real "only ..." phrases are kept
    assert fix("chỉ bộ phận nhỏ".split()) == "chỉ bộ phận nhỏ".split()
    assert fix("chỉ ủy ban xã".split()) == "chỉ ủy ban xã".split()
    assert fix("chỉ đạo chi bộ".split()) == "chỉ đạo chi bộ".split()
    assert fix(["chỉ"]) == ["chỉ"]


def _tsv(words: list[tuple[str, float]]) -> str:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [header, "4\t1\t1\t1\t1\t0\t0\t0\t900\t40\t-1\t"]
    for i, (text, conf) in enumerate(words, 1):
        rows.append(f"5\t1\t1\t1\t1\t{i}\t{i * 60}\t0\t50\t40\t{conf}\t{text}")
    return "\n".join(rows)


def test_fixes_in_parse_and_their_switch() -> None:
    words = [("Số", 96), ("3", 95), ("-", 91), ("tháng", 96), ("'", 20), ("9/1989", 93),
             ("chỉ", 80), ("bộ", 95)]
    assert ocr.parse_tsv(_tsv(words)).text == "Số 3 – tháng 9/1989 chi bộ"
    assert ocr.parse_tsv(_tsv(words), fixes=False).text == "Số 3 - tháng ' 9/1989 chỉ bộ"
