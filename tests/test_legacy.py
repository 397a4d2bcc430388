"""Legacy font tables, the extractor quirks, detection and the syllable yardstick."""

from __future__ import annotations

import unicodedata

import pytest

from indexer.extract import legacy
from indexer.extract.syllable import is_syllable, valid_share

SENTENCES = [
    "Thông tin sinh hoạt chi bộ",
    "Nghị quyết số 21-NQ/TW, ngày 16/6/2022 của Ban Chấp hành Trung ương Đảng khóa XIII "
    "về tăng cường củng cố, xây dựng tổ chức cơ sở đảng và nâng cao chất lượng đội ngũ "
    "đảng viên trong giai đoạn mới.",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh; gương người tốt, việc tốt.",
    "Hỏi – đáp: Chi bộ có những nhiệm vụ gì? Ủy ban nhân dân xã đã ưu tiên nguồn lực cho "
    "chương trình xây dựng nông thôn mới; người dân đồng tình, hưởng ứng.",
    "ĐẢNG BỘ TỈNH QUYẾT TÂM THỰC HIỆN THẮNG LỢI NGHỊ QUYẾT ĐẠI HỘI LẦN THỨ XII",
    "Ấn Độ, Ước mơ, Ở đâu, Ý kiến, Ủy viên Bộ Chính trị, Ông Nguyễn Văn Ấm.",
    "Luật Phòng, chống tham nhũng (55/2005/QH11) được Quốc hội thông qua; thuở ấy khuya khoắt.",
]


def test_tables_cover_every_vietnamese_letter():
    letters = legacy.vietnamese_letters()
    assert len(letters) == 134 and len(set(letters)) == 134
    lower = [ch for ch in letters if ch.islower()]
    assert set(lower) <= set(legacy.TCVN3_ENCODE)  # every lower-case letter has a code
    assert {ch for ch in letters if ch.isupper() and ch in legacy.TCVN3_ENCODE} == set("ĂÂÊÔƠƯĐ")
    assert set(letters) == set(legacy.VNI_ENCODE)
    # codes are unambiguous: one letter per code
    assert len(set(legacy.TCVN3_ENCODE.values())) == len(legacy.TCVN3_ENCODE)
    assert len(set(legacy.VNI_ENCODE.values())) == len(legacy.VNI_ENCODE)
    assert all(len(code) == 1 and 0xA1 <= ord(code) <= 0xFE
               for code in legacy.TCVN3_ENCODE.values())


@pytest.mark.parametrize("encoding", legacy.ENCODINGS)
def test_every_letter_round_trips(encoding):
    for letter in legacy.vietnamese_letters():
        for text in (letter, f"x{letter}y", letter * 3):
            runs = legacy.encode_runs(text, encoding)
            assert legacy.decode_runs(runs, encoding) == text, (encoding, text, runs)
        if encoding == "vni" or not legacy.needs_capital_font(letter):
            assert legacy.decode(legacy.encode(letter, encoding), encoding) == letter


@pytest.mark.parametrize("encoding", legacy.ENCODINGS)
@pytest.mark.parametrize("sentence", SENTENCES)
def test_sentences_round_trip(encoding, sentence):
    runs = legacy.encode_runs(sentence, encoding)
    assert legacy.decode_runs(runs, encoding) == sentence
    # NFD input gives the same result: everything is NFC at the boundary
    nfd = unicodedata.normalize("NFD", sentence)
    assert legacy.decode_runs(legacy.encode_runs(nfd, encoding), encoding) == sentence


def test_known_mojibake_from_the_domain_notes():
    assert legacy.encode("Thông tin sinh hoạt chi bộ", "tcvn3") == "Th«ng tin sinh ho¹t chi bé"
    assert legacy.encode("Thông tin sinh hoạt chi bộ", "vni") == "Thoâng tin sinh hoaït chi boä"
    assert legacy.decode("Th«ng tin sinh ho¹t chi bé", "tcvn3") == "Thông tin sinh hoạt chi bộ"
    assert legacy.decode("Thoâng tin sinh hoaït chi boä", "vni") == "Thông tin sinh hoạt chi bộ"
    assert legacy.decode("M\xadêng Kh\xad¬ng", "tcvn3") == "Mường Khương"


def test_capital_fonts_carry_lower_case_codes():
    runs = legacy.encode_runs("Quyết định của ỦY BAN NHÂN DÂN tỉnh Ấn", "tcvn3")
    assert runs == [("QuyÕt ®Þnh cña ", False), ("ñy ban nh©n d©n", True), (" tØnh ", False),
                    ("Ê", True), ("n", False)]
    assert legacy.decode("nghÞ quyÕt ®¶ng", "tcvn3", capitals=True) == "NGHỊ QUYẾT ĐẢNG"
    # encode() alone writes such capitals with the lower-case code (documented as lossy)
    assert legacy.encode("Ấn", "tcvn3") == "Ên"
    assert legacy.encode_runs("Ấn", "vni") == [("AÁn", False)]


def test_encode_refuses_characters_whose_code_means_a_letter():
    with pytest.raises(ValueError, match="cannot be written in tcvn3"):
        legacy.encode("5 µm", "tcvn3")
    with pytest.raises(ValueError, match="cannot be written in vni"):
        legacy.encode("mañana", "vni")
    assert legacy.encode("5 µm", "tcvn3", strict=False) == "5 ?m"
    assert legacy.encode("“Đổi mới” – 1986…", "tcvn3") == "“§æi míi” – 1986…"


def _encoded(text: str) -> str:
    return legacy.encode(text, "tcvn3")


def test_quirk_minus_and_bullet_operator():
    raw = _encoded("những người như thế, nước Mỹ đã ưu tiên").replace("\xad", "\u2212")
    raw = raw.replace("·", "\u2219")
    assert "\u2212" in raw and "\u2219" in raw
    assert legacy.decode(raw, "tcvn3") == "những người như thế, nước Mỹ đã ưu tiên"
    # a minus sign standing alone stays a minus sign
    assert legacy.decode("5 \u2212 3", "tcvn3") == "5 \u2212 3"
    assert legacy.decode("®\u22c5 cã", "tcvn3") == "đã có"


def test_quirk_soft_hyphen_is_the_code_itself():
    raw = _encoded("thương trường")
    assert "\xad" in raw
    assert legacy.decode(raw, "tcvn3") == "thương trường"


@pytest.mark.parametrize("lost", [" ", "-"])
def test_quirk_lost_u_as_space_or_hyphen(lost):
    text = "những người như thế, nước Mỹ, thương trường, chưa xong"
    raw = _encoded(text).replace("\xad", lost)
    assert legacy.decode(raw, "tcvn3") == text


def test_lost_u_repair_leaves_valid_words_alone():
    # no ư code anywhere, but every word is valid: nothing is inserted
    text = "tin sinh hoạt chi bộ, Mác - Lênin, Hồ Chí Minh"
    assert legacy.decode(_encoded(text), "tcvn3") == text
    # where ư codes are present the extractor did not lose them: spaces are real spaces
    assert legacy.decode(_encoded("nhưng ng ng"), "tcvn3") == "nhưng ng ng"


def test_nbsp_and_ligatures_are_tolerated():
    raw = "\ufb01le\u00a0Th«ng"
    assert legacy.decode(raw, "tcvn3") == "file Thông"
    cells = legacy.decode_cells(["Th", "«", "\ufb02", "oâ"], "vni")
    assert cells[2] == "fl"


def test_decode_cells_keep_one_output_per_cell():
    cells = list("hoaït")
    out = legacy.decode_cells(cells, "vni")
    assert out == ["h", "o", "ạ", "", "t"]
    caps = legacy.decode_cells(list("sè 1"), "tcvn3", capitals=[True, True, False, False])
    assert caps == ["S", "Ố", " ", "1"]


@pytest.mark.parametrize("name,expected", [
    ("AAAAAA+.VnTime", ("tcvn3", False)),
    ("BCDEFG+.VnTimeH,Bold", ("tcvn3", True)),
    ("VnTimeH-Bold", ("tcvn3", True)),
    (".VnArialH", ("tcvn3", True)),
    (".VnArial", ("tcvn3", False)),
    (".VnCentury Schoolbook", ("tcvn3", False)),
    ("VNI-Times", ("vni", False)),
    ("AAAAAB+VNI-Helve-Bold", ("vni", False)),
    ("TimesNewRomanPSMT", (None, False)),
    ("AAAAAA+LiberationSerif", (None, False)),
    ("Arial,Bold", (None, False)),
])
def test_font_names(name, expected):
    assert legacy.font_encoding(name) == expected


def test_detect_by_font_name_first():
    assert legacy.detect(["AAAAAA+.VnTime"], "Thong tin") == "tcvn3"
    assert legacy.detect(["VNI-Times"], "") == "vni"
    assert legacy.detect(["Arial", ".VnTimeH", ".VnTime"], "") == "tcvn3"


def test_detect_by_characters_when_names_say_nothing():
    text = SENTENCES[1] + " " + SENTENCES[3]
    assert legacy.detect(["F1"], legacy.encode(text, "tcvn3")) == "tcvn3"
    assert legacy.detect(["F1"], legacy.encode(text, "vni")) == "vni"
    assert legacy.detect(["F1"], text) is None  # Unicode Vietnamese
    assert legacy.detect([], "The quick brown fox jumps over the lazy dog.") is None
    assert legacy.detect([], "Ärger über Öl, Straße café naïve") is None


def test_confidence_separates_good_repairs_from_wrong_ones():
    text = " ".join(SENTENCES)
    good = legacy.decode(legacy.encode(text, "vni"), "vni")
    wrong = legacy.decode(legacy.encode(text, "vni"), "tcvn3")
    assert legacy.confidence(good) >= 0.95
    assert legacy.confidence(wrong) < legacy.MIN_CONFIDENCE
    assert legacy.confidence(legacy.encode(text, "tcvn3")) < legacy.MIN_CONFIDENCE


@pytest.mark.parametrize("word", [
    "thông", "nghiêng", "khuya", "quốc", "quyết", "giêng", "giữa", "gì", "ghế", "kỹ", "thuở",
    "khoắng", "ngoằn", "huỳnh", "oái", "uyển", "yêu", "ý", "Nguyễn", "ĐẢNG", "xoong", "được",
    "Hồ", "nước", "trường", "chuyển", "quân", "hoạch",
])
def test_valid_syllables(word):
    assert is_syllable(word)


@pytest.mark.parametrize("word", [
    "Th", "ng", "bàt",  # stop coda with a falling tone
    "ce", "ka", "ngi", "gê", "ghu", "kon",  # spelling rules
    "ănx", "oaê", "ThÔng", "hoaït", "tr", "xyz", "Ñoä", "ĐảNG",
])
def test_invalid_syllables(word):
    assert not is_syllable(word)


def test_valid_share_ignores_acronyms_and_numbers():
    assert valid_share("UBND HĐND 2024 chi bộ") == 1.0
    assert valid_share("Th«ng tin") == pytest.approx(1 / 3)  # "Th", "ng" invalid; "tin" valid


def _lose_u(text: str, lost: str = " ") -> list[tuple[str, bool]]:
    """``text`` as TCVN3 runs (capitals fonts where needed) whose ư came out as ``lost``."""
    return [(run.replace("\xad", lost), caps) for run, caps in legacy.encode_runs(text, "tcvn3")]


@pytest.mark.parametrize("text", [
    "Đại hội X của Đảng đã quyết định những việc lớn",  # TCVN3 issue ttshcb-2006-08 page 2
    "Bộ Chính trị khóa X về tổ chức, người đứng đầu",
    "Đại hội V của Đảng, Đại hội VI và khóa XIII, những người",
    "Hội nghị Trung ương 4 khóa XII như thế",
    "Mục I: những người được khen thưởng",
    "UBND xã, HĐND huyện và MTTQ tỉnh như vậy",
    "Nghị quyết số 21-NQ/TW của Ban Chấp hành TW về người",
    "Chỉ thị 05-CT/TW và Quyết định 800/QĐ-TTg, người dân",
    "In 4.000 bản, khổ 19 x 27 cm, những người",
    "năm 2020 như thế",
])
def test_lost_u_repair_leaves_numerals_abbreviations_and_numbers_alone(text):
    assert legacy.decode_runs(_lose_u(text), "tcvn3") == text


@pytest.mark.parametrize("text", [
    "Dư luận xã hội đồng tình. Dư luận", "Tư tưởng Hồ Chí Minh, người", "cư dân như thế",
    "NHƯ THẾ NÀO, người dân", "TRƯỜNG HỢP NHƯ THẾ", "những người như thế, nước Mỹ",
])
def test_lost_u_is_still_repaired_next_to_capitals(text):
    assert legacy.decode_runs(_lose_u(text), "tcvn3") == text


def test_a_page_with_u_codes_has_no_lost_u():
    """Whether spaces may be lost ư is the page's question, not one line's: a line without
    ư on a page that has ư codes is left alone."""
    cells = list(legacy.encode("khổ 19 x 27 cm, tại Công ty In Vân Hà", "tcvn3"))
    assert "".join(legacy.decode_cells(cells, "tcvn3", u_codes=True)) == (
        "khổ 19 x 27 cm, tại Công ty In Vân Hà")
    cells = list(legacy.encode("Ban Chấp hành khóa X về nh thế", "tcvn3"))
    assert "".join(legacy.decode_cells(cells, "tcvn3", u_codes=True)) == (
        "Ban Chấp hành khóa X về nh thế")
    assert "".join(legacy.decode_cells(cells, "tcvn3", u_codes=False)) == (
        "Ban Chấp hành khóa X về như thế")
    assert legacy.has_u_codes(["th\xadêng"]) and legacy.has_u_codes(["\u2212"])
    assert not legacy.has_u_codes(["Th«ng tin"])


def test_minus_sign_u_takes_the_case_of_its_font():
    """U+2212 stands for the code of lower-case ư: ư in a base font (even after a single
    capital, as in "Ban Tư tưởng"), Ư only in a capitals font."""
    raw = legacy.encode("Ban Tư tưởng – Văn hoá", "tcvn3").replace("\xad", "\u2212")
    assert legacy.decode(raw, "tcvn3") == "Ban Tư tưởng – Văn hoá"
    runs = [(run.replace("\xad", "\u2212"), caps)
            for run, caps in legacy.encode_runs("BAN TƯ TƯỞNG", "tcvn3")]
    assert legacy.decode_runs(runs, "tcvn3") == "BAN TƯ TƯỞNG"
