"""Cited documents: every identifier form, normalisation, dates and issuers, laws by name,
shorthand, the register (lookup, reuse of numbers, malformed files) and the measure."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.analyze.citations import evaluate, find_citations, micro, rules_key
from indexer.analyze.datafile import DataFileError
from indexer.analyze.docid import normalize_id, parse_id
from indexer.analyze.register import Register, load_register


@pytest.fixture(scope="module")
def reg() -> Register:
    return load_register()


def ids(text: str, reg: Register, when: str | None = "2024-01") -> list[str]:
    return [c.doc_id for c in find_citations(text, register=reg, when=when)]


# --- normalisation ---------------------------------------------------------------------

@pytest.mark.parametrize("written, normal", [
    ("21-NQ/TW", "21-NQ/TW"),
    ("21 - NQ/TW", "21-NQ/TW"),
    ("21- NQ / TW", "21-NQ/TW"),
    ("21–NQ/TW", "21-NQ/TW"),           # en dash
    ("21/NQ-TW", "21-NQ/TW"),           # wrong slash, Party body
    ("10 NQ/TW", "10-NQ/TW"),           # OCR lost the dash
    ("109 CT/TW", "109-CT/TW"),
    ("2l-NQ/TW", "21-NQ/TW"),           # OCR: l for 1
    ("O5-CT/TW", "05-CT/TW"),           # OCR: O for 0
    ("5-CT/TW", "05-CT/TW"),            # the leading zero Party numbers carry
    ("21-NQ/TƯ", "21-NQ/TW"),           # TƯ is Trung ương, not Tỉnh ủy
    ("08-QĐi/TW", "08-QĐi/TW"),
    ("08-QĐI/TW", "08-QĐi/TW"),         # capitals lost the lower-case i
    ("08-QÐi/TW", "08-QĐi/TW"),         # U+00D0 for Đ
    ("47-QĐ/TW", "47-QĐ/TW"),
    ("12-HD/BTCTW", "12-HD/BTCTW"),
    ("04-NQ/TU", "04-NQ/TU"),
    ("95-KH/TU", "95-KH/TU"),
    ("07-NQ/HNTW", "07-NQ/HNTW"),
    ("NQ21", "21-NQ/TW"),
    ("43/2022/QH15", "43/2022/QH15"),
    ("43 / 2022 / QH15", "43/2022/QH15"),
    ("11/NQ-CP", "11/NQ-CP"),           # State: stays State
    ("800/QĐ-TTg", "800/QĐ-TTg"),
    ("800/QĐ-TTG", "800/QĐ-TTg"),
    ("01/2006/TT-NHNN", "01/2006/TT-NHNN"),
    ("15/2020/NĐ-CP", "15/2020/NĐ-CP"),
    ("55/2005/QH11", "55/2005/QH11"),
])
def test_normalize_id(written: str, normal: str) -> None:
    assert normalize_id(written) == normal


@pytest.mark.parametrize("written, normal", [
    # what typewriter OCR makes of the dash (issue 16; tests/test_ocr_identifiers.py reads them)
    ("10- -NQ/TW", "10-NQ/TW"),
    ("100- -CT/TW", "100-CT/TW"),
    ("05~= ~NO/HNTW", "05-NQ/HNTW"),
    ("10~NQ/TW", "10-NQ/TW"),
    ("10=NQ/TW", "10-NQ/TW"),
    ("10.NQ/TW", "10-NQ/TW"),
    ("18 'ÑQ/TW", "18-NQ/TW"),
    ("18 ˆNQ/TW", "18-NQ/TW"),
    ("04- _NG/TW", "04-NQ/TW"),
    ("10 — NQ/TW", "10-NQ/TW"),
    # ... and of the letters, in a Party identifier only
    ("26-NÔ/TW", "26-NQ/TW"),
    ("03- GT/TW", "03-CT/TW"),
    ("08-Qbi/TW", "08-QĐi/TW"),
    ("35-NQ/TN", "35-NQ/TW"),
    ("06-CT/TR", "06-CT/TW"),
    ("05-NQ/HNTH", "05-NQ/HNTW"),
    ("26-N@/TW", "26-NQ/TW"),
    ("16- NỌ/TW", "16-NQ/TW"),
    ("08-QÐ1/TW", "08-QĐi/TW"),
    ("100-+CT/TW", "100-CT/TW"),
    ("03-€T/TW", "03-CT/TW"),
    ("41>NQ/TW", "41-NQ/TW"),
    ("217¬QĐ/TW", "217-QĐ/TW"),
    ("217-QB/TW", "217-QĐ/TW"),
    ("12- NQ/1W", "12-NQ/TW"),          # a 300-dpi heading of seed 1
    ("41-NÓ/TN", "41-NQ/TW"),
    ("08-QĐÐi/TW", "08-QĐi/TW"),
    ("217¬0Đ/TW", "217-QĐ/TW"),
    # the slash read as a digit or a letter, glued to a Party type and a central body
    ("41-NQ4TW", "41-NQ/TW"),
    ("10-NQ7TW", "10-NQ/TW"),
    ("05-NQ|HNTW", "05-NQ/HNTW"),
    ("03-NQ7HNTW", "03-NQ/HNTW"),
    ("10- NQZTw", "10-NQ/TW"),
    ("03-NQZ7TW", "03-NQ/TW"),
    ("30 CT1TW", "30-CT/TW"),
    ("63- NQ/ZTW", "63-NQ/TW"),
    # the body's letters: W read as M, doubled or with a stray N
    ("12-NQ/TM", "12-NQ/TW"),
    ("100-CT/TNW", "100-CT/TW"),
    ("30-CT/TwW", "30-CT/TW"),
    # mangled types
    ("100-TCT/TW", "100-CT/TW"),
    ("08-Q0Đ1/TW", "08-QĐi/TW"),
    ("Ø3-NQ/HNTW", "03-NQ/HNTW"),       # a slashed zero
])
def test_normalize_ocr_noise(written: str, normal: str) -> None:
    assert normalize_id(written) == normal


def test_stray_dash_before_the_number(reg: Register) -> None:
    assert ids("Nghị quyết -10- -NQ/TW của Bộ Chính trị", reg, when="1990") == ["10-NQ/TW"]
    assert ids("Nghị quyết số-10- NQ/TW, ngày 5-4-1988", reg, when="1990") == ["10-NQ/TW"]
    assert ids("các năm 2020-10-NQ/TW", reg) == []  # a dash joined to a number is no stray


@pytest.mark.parametrize("text", ["16/6/2022", "COVID-19", "21-NQ", "số 21", "1/2", "A-B/C",
                                  "2022/QH15", "12/AB-XYZ", "11 NQ/CP", "2010 AB/TW",
                                  "10.NQ/BCA", "1990. NQ/TW", "10-NO/XYZ", "10~AB/TW", "12-AB/TN",
                                  "5~NO/CP", "5+10 NQ/TW", "10-N1/TW", "10>AB/TW",
                                  "10/NQ-1W", "43/2022/1W",
                                  # the glued slash: only a Party type over a central body
                                  "10-NQ4BCA", "5-NQ4CP", "10-AB4TW", "10-NQ4TU", "10NQ4TW",
                                  "2020-2025", "10-NQ4TWX", "12-TB4TW", "12-AB/TM"])
def test_not_identifiers(text: str) -> None:
    assert normalize_id(text) is None


def test_identity_keeps_body_and_year_apart() -> None:
    assert normalize_id("21-NQ/TW") != normalize_id("21-NQ/TU")
    assert normalize_id("01/2006/TT-NHNN") != normalize_id("01/2007/TT-NHNN")
    party, state = parse_id("21-NQ/TW"), parse_id("43/2022/QH15")
    assert (party.number, party.doc_type, party.body, party.year, party.party) == ("21", "NQ", "TW", None, True)
    assert (state.number, state.doc_type, state.body, state.year, state.party) == ("43", "", "QH15", 2022, False)


# --- running text ------------------------------------------------------------------------

def test_full_citation_with_date_and_issuer(reg: Register) -> None:
    text = ("Quán triệt Nghị quyết số 21-NQ/TW, ngày 16/6/2022 của Ban Chấp hành Trung ương "
            "khóa XIII về tăng cường củng cố, xây dựng tổ chức cơ sở đảng.")
    [c] = find_citations(text, register=reg)
    assert (c.doc_id, c.kind, c.number, c.doc_type, c.body) == ("21-NQ/TW", "Nghị quyết", "21", "NQ", "TW")
    assert (c.date, c.year, c.known) == ("2022-06-16", 2022, True)
    assert c.issuer == "Ban Chấp hành Trung ương khóa XIII"
    assert text[c.start:c.end] == "21-NQ/TW" and c.raw == "21-NQ/TW"


@pytest.mark.parametrize("text, doc_id", [
    ("thực hiện Chỉ thị 05-CT/TW của Bộ Chính trị", "05-CT/TW"),
    ("thực hiện Chỉ thị số 05-CT/TW của Bộ Chính trị", "05-CT/TW"),
    ("theo Kết luận số 18-KL/TW của Ban Bí thư", "18-KL/TW"),
    ("theo Kết luận 18-KL/TW", "18-KL/TW"),
    ("Quy định 08-QĐi/TW về trách nhiệm nêu gương", "08-QĐi/TW"),
    ("Quy định số 47-QĐ/TW về những điều đảng viên không được làm", "47-QĐ/TW"),
    ("Hướng dẫn số 12-HD/BTCTW của Ban Tổ chức Trung ương", "12-HD/BTCTW"),
    ("Nghị quyết 04-NQ/TU của Tỉnh ủy", "04-NQ/TU"),
    ("Kế hoạch số 95-KH/TU", "95-KH/TU"),
    ("Nghị quyết 07-NQ/HNTW", "07-NQ/HNTW"),
    ("Nghị quyết 21 - NQ/TW đã chỉ rõ", "21-NQ/TW"),
    ("Nghị quyết 21/NQ-TW đã chỉ rõ", "21-NQ/TW"),
    ("Căn cứ Nghị quyết: số 10 NQ/TW về đổi mới", "10-NQ/TW"),  # OCR lost the dash
    ("Nghị quyết số 2l-NQ/TW đã chỉ rõ", "21-NQ/TW"),
    ("Nghị quyết số21-NQ/TW đã chỉ rõ", "21-NQ/TW"),  # "số" glued by OCR
    ("Chỉ thị O5-CT/TW", "05-CT/TW"),
    ("tinh thần NQ21 của Trung ương", "21-NQ/TW"),
    ("Nghị quyết số 43/2022/QH15 của Quốc hội", "43/2022/QH15"),
    ("Nghị quyết 11/NQ-CP của Chính phủ", "11/NQ-CP"),
    ("Quyết định số 800/QĐ-TTg của Thủ tướng Chính phủ", "800/QĐ-TTg"),
    ("Thông tư 01/2006/TT-NHNN của Ngân hàng Nhà nước", "01/2006/TT-NHNN"),
    ("Luật Phòng, chống tham nhũng năm 2018 có hiệu lực", "36/2018/QH14"),
    ("Luật số 36/2018/QH14", "36/2018/QH14"),
])
def test_every_form_in_running_text(text: str, doc_id: str, reg: Register) -> None:
    assert ids(text, reg) == [doc_id]


def test_kind_from_text_and_from_type(reg: Register) -> None:
    cs = find_citations("Quy định số 47-QĐ/TW và các văn bản 11/NQ-CP, 15/2020/NĐ-CP", register=reg)
    assert [(c.doc_id, c.kind) for c in cs] == [
        ("47-QĐ/TW", "Quy định"), ("11/NQ-CP", "Nghị quyết"), ("15/2020/NĐ-CP", "Nghị định")]
    assert cs[2].year == 2020 and not cs[2].known


@pytest.mark.parametrize("text, date", [
    ("Nghị quyết số 21-NQ/TW ngày 16/6/2022", "2022-06-16"),
    ("Nghị quyết số 21-NQ/TW, ngày 16-6-2022", "2022-06-16"),
    ("Nghị quyết số 21-NQ/TW (16/06/2022)", "2022-06-16"),
    ("Nghị quyết số 21-NQ/TW ngày 16 tháng 6 năm 2022", "2022-06-16"),
    ("Nghị quyết số 21-NQ/TW ngày l6/6/2O22", "2022-06-16"),
])
def test_dates_after_a_citation(text: str, date: str, reg: Register) -> None:
    [c] = find_citations(text, register=Register.empty())
    assert c.date == date and c.year == 2022 and not c.known


def test_register_fills_date_when_text_gives_none(reg: Register) -> None:
    [c] = find_citations("Chỉ thị 05-CT/TW", register=reg)
    assert (c.date, c.year, c.known) == ("2016-05-15", 2016, True)
    [c] = find_citations("Chỉ thị 05-CT/TW", register=Register.empty())
    assert (c.date, c.year, c.known) == ("", None, False)


def test_several_mentions_and_identifiers_in_a_list(reg: Register) -> None:
    text = ("Các Nghị quyết số 18-NQ/TW, 19-NQ/TW và Kết luận 21-KL/TW. Thực hiện Nghị quyết "
            "18-NQ/TW, các cấp ủy đã sắp xếp bộ máy.")
    assert ids(text, reg) == ["18-NQ/TW", "19-NQ/TW", "21-KL/TW", "18-NQ/TW"]


def test_shorthand_resolves_through_the_same_text_the_issuer_or_the_register(reg: Register) -> None:
    # the same text gives the full identifier
    assert ids("Nghị quyết số 04-NQ/TU về nông thôn mới... Nghị quyết 04 đã đi vào cuộc sống.",
               reg) == ["04-NQ/TU", "04-NQ/TU"]
    # the issuer named after it
    assert ids("Chỉ thị số 05 của Bộ Chính trị", Register.empty()) == ["05-CT/TW"]
    assert ids("Nghị quyết 11 của Chính phủ", Register.empty()) == ["11/NQ-CP"]
    # the register
    assert ids("Kết luận 18 đã nêu rõ", reg) == ["18-KL/TW"]
    # nothing says which: a spelled-out number is left alone; "quy định" the verb is no citation
    assert ids("Kết luận 18 đã nêu rõ", Register.empty()) == []
    assert ids("Điều lệ quy định 3 mức kỷ luật. Quy định 3 nhóm", Register.empty()) == []


def test_laws_by_name_pick_the_version(reg: Register) -> None:
    law = "Luật Phòng, chống tham nhũng"
    assert ids(f"{law} năm 2005 đã quy định", reg) == ["55/2005/QH11"]
    assert ids(f"{law} (2018) đã quy định", reg) == ["36/2018/QH14"]
    assert ids(f"thi hành {law}", reg, when="2010-05") == ["55/2005/QH11"]
    assert ids(f"thi hành {law}", reg, when="2020-05") == ["36/2018/QH14"]
    assert ids(f"thi hành {law}", reg, when="2001") == []  # no such law yet
    assert ids("thi hành luật phòng chống tham nhũng", reg, when="2020") == ["36/2018/QH14"]
    # a name followed by its number is one mention, not two
    assert ids(f"{law} số 36/2018/QH14", reg) == ["36/2018/QH14"]


def test_aliases_from_the_register(reg: Register) -> None:
    assert ids("Nghị quyết Trung ương 4 khóa XII về xây dựng, chỉnh đốn Đảng", reg) == ["04-NQ/TW"]
    assert ids("Nghị quyết Trung ương 4 khoá XII", reg) == ["04-NQ/TW"]  # old tone placement
    # the term's numeral as typewriter OCR reads it; not a numeral it cannot be
    assert ids("Nghị quyết Trung ương 5 khóa VIIT về văn hóa", reg) == ["03-NQ/TW"]
    assert ids("Nghị quyết Trung ương 5 khóa V1II về văn hóa", reg) == ["03-NQ/TW"]
    assert ids("Nghị quyết Trung ương 5 khóa VITII về văn hóa", reg) == []
    assert ids("Nghị quyết Trung ương 5 khóa VII về văn hóa", reg) == []


def test_an_alias_before_an_unregistered_identifier_counts(reg: Register) -> None:
    # OCR's 63-NQ/TW after the name: the name's document counts (before, only the misreading)
    text = "Nghị quyết Trung ương 5 khóa VIII, số 63-NQ/TW về văn hóa"
    assert "03-NQ/TW" in ids(text, reg, when="2000")
    # a registered identifier after the name stays the one that counts
    assert ids("Nghị quyết Trung ương 5 khóa VIII, số 03-NQ/TW", reg, when="2000") == ["03-NQ/TW"]


def test_provincial_issuer_keeps_the_province(reg: Register) -> None:
    [c] = find_citations("Kế hoạch 95-KH/TU ngày 20/9/2016 của Ban Thường vụ Tỉnh ủy Vân Giang về",
                         register=reg)
    assert c.issuer == "Ban Thường vụ Tỉnh ủy Vân Giang" and c.date == "2016-09-20"


def test_no_false_citations_in_ordinary_text(reg: Register) -> None:
    text = ("Ngày 16/6/2022, toàn tỉnh có 1.250 đảng viên; tỷ lệ 95/100 chi bộ hoàn thành tốt "
            "nhiệm vụ. Dịch COVID-19 được kiểm soát. Năm 2021-2022 có 12 vụ việc.")
    assert ids(text, reg) == []


# --- register ----------------------------------------------------------------------------

def test_shipped_register_loads(reg: Register) -> None:
    assert len(reg) >= 40
    doc = reg.lookup("21-NQ/TW")
    assert doc is not None and doc.date == "2022-06-16" and doc.kind == "Nghị quyết"
    assert reg.lookup("21-NQ/TU") is None
    assert reg.lookup("05-CT/TW", "2015-12") is None  # issued in 2016: a 2015 text cites another


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "documents.toml"
    path.write_text(body, encoding="utf-8")
    return path


DOC = """
[[document]]
id = "{id}"
kind = "Nghị quyết"
date = "{date}"
title = "{title}"
"""


def test_reused_number_kept_apart_by_date(tmp_path: Path) -> None:
    path = write(tmp_path, DOC.format(id="04-NQ/TW", date="2006-08-21", title="Về chống tham nhũng")
                 + DOC.format(id="04-NQ/TW", date="2016-10-30", title="Về xây dựng Đảng")
                 + DOC.format(id="04-NQ/TU", date="2016-08-12", title="Của tỉnh"))
    reg = load_register(path)
    assert reg.lookup("04-NQ/TW", "2010").title == "Về chống tham nhũng"
    assert reg.lookup("04-NQ/TW", "2017-03").title == "Về xây dựng Đảng"
    assert reg.lookup("04-NQ/TW").title == "Về xây dựng Đảng"
    assert reg.lookup("04-NQ/TW", "2006-08-21").date == "2006-08-21"
    assert reg.lookup("04-NQ/TU").title == "Của tỉnh"
    # the date the text gives picks the document too
    [c] = find_citations("Nghị quyết 04-NQ/TW ngày 21/8/2006", register=reg, when="2019")
    assert c.date == "2006-08-21" and c.known
    [c] = find_citations("Nghị quyết 04-NQ/TW", register=reg, when="2008-01")
    assert c.date == "2006-08-21"


@pytest.mark.parametrize("body, line, words", [
    ('[[document]]\nid = "21-NQ/TW"\nkind = "Nghị quyết"\ndate = 2022-06-16x\n', 4, "TOML syntax"),
    ('[[document]]\nid = "21-NQ/TW"\nkind = "Nghị quyết"\ndate = "2022-06-16"\ncolour = "đỏ"\n', 5,
     "unknown field 'colour'"),
    ('[[document]]\nid = "21-NQ/TW"\nkind = "Nghị quyết"\ndate = "16/6/2022"\n', 4, "YYYY-MM-DD"),
    ('\n[[document]]\nid = "hai mốt"\nkind = "Nghị quyết"\ndate = "2022-06-16"\n', 3,
     "not a document identifier"),
    ('[[document]]\nid = "21/NQ-TW"\nkind = "Nghị quyết"\ndate = "2022-06-16"\n', 2,
     "write '21-NQ/TW'"),
    ('[[document]]\nkind = "Nghị quyết"\ndate = "2022-06-16"\n', 1, "without a `id`"),
    (DOC.format(id="21-NQ/TW", date="2022-06-16", title="a")
     + DOC.format(id="21-NQ/TW", date="2022-06-16", title="b"), 9, "already registered at line 2"),
])
def test_malformed_register_names_the_line(tmp_path: Path, body: str, line: int, words: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(DataFileError) as e:
        load_register(path)
    assert e.value.line == line
    assert f"{path}, line {line}:" in str(e.value) and words in str(e.value)


def test_rules_key_follows_the_register(tmp_path: Path) -> None:
    a = load_register(write(tmp_path, DOC.format(id="21-NQ/TW", date="2022-06-16", title="a")))
    b = load_register(write(tmp_path, DOC.format(id="21-NQ/TW", date="2022-06-16", title="b")))
    assert rules_key(a) != rules_key(b) and rules_key(a).startswith("cite-")


# --- measuring ---------------------------------------------------------------------------

def test_measure() -> None:
    m = micro([({"a", "b"}, {"a"}), ((), {"c"}), ({"d"}, {"d"})])
    assert (m.tp, m.fp, m.fn, m.items) == (2, 1, 1, 3)
    assert m.precision == pytest.approx(2 / 3) and m.recall == pytest.approx(2 / 3)
    # identifiers are normalised on both sides
    m = evaluate([(["05-CT/TW"], ["5-CT/TW"]), (["21-NQ/TW"], ["21/NQ-TW", "18-KL/TW"])])
    assert (m.tp, m.fp, m.fn) == (2, 0, 1)


def test_mangled_numbers_count_only_when_the_register_confirms(reg: Register) -> None:
    assert ids("Thực hiện Nghị quyết số I§-NQ/TW ngày 25/10/2017 về bộ máy", reg, when="2018") == ["18-NQ/TW"]
    assert ids("Chỉ thị OS-CT/TW của Bộ Chính trị", reg, when="2017") == ["05-CT/TW"]
    # the date given contradicts the register, the document is not issued yet, or not registered
    assert ids("Nghị quyết số I§-NQ/TW ngày 25/10/2019", reg, when="2020") == []
    assert ids("Chỉ thị OS-CT/TW", reg, when="2015") == []
    assert ids("Nghị quyết AB-NQ/TW", reg) == []
    assert ids("Chỉ thị OS-CT/TW", Register.empty()) == []


def test_one_digit_misread_with_the_date_of_a_registered_document(reg: Register) -> None:
    """OCR read 100 as 109; the full date of issue names the registered document. Without
    the date, or with another date, the identifier stays as read."""
    [c] = find_citations("Thực hiện Chỉ thị số 109-CT/TW, ngày 13/1/1981 của Ban Bí thư",
                         register=reg)
    assert (c.doc_id, c.known, c.date, c.raw) == ("100-CT/TW", True, "1981-01-13", "109-CT/TW")
    assert ids("Thực hiện Chỉ thị số 109-CT/TW của Ban Bí thư", reg) == ["109-CT/TW"]
    assert ids("Chỉ thị số 109-CT/TW, ngày 14/1/1981", reg) == ["109-CT/TW"]
    assert ids("Nghị quyết số 109-NQ/TW, ngày 13/1/1981", reg) == ["109-NQ/TW"]


def test_misread_beside_the_right_spelling_in_the_same_text(reg: Register) -> None:
    text = ("Những điểm mới của Kết luận số 21-KL/TW\n\nKết luận số 21-KL/EW của Ban Chấp hành "
            "Trung ương yêu cầu ...")
    assert ids(text, reg) == ["21-KL/TW", "21-KL/TW"]
    assert ids("Kết luận số 21-KL/EW của Trung ương", reg) == ["21-KL/EW"]  # nothing to go by


def test_one_digit_misread_followed_by_the_registered_title(reg: Register) -> None:
    text = "Thực hiện Chỉ thị số 109 CT/TW về cải tiến công tác khoán, mở rộng khoán sản phẩm"
    assert ids(text, reg) == ["100-CT/TW"]
    assert ids("Thực hiện Chỉ thị số 109 CT/TW về công tác cán bộ ở cơ sở", reg) == ["109-CT/TW"]
