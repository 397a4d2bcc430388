import unicodedata

import pytest

from archive.vntext import canonical_tones, canonical_word, fold, match_key, nfc

VOWELS = "aăâeêioôơuưy"
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]


@pytest.mark.parametrize("vowel", list(VOWELS))
@pytest.mark.parametrize("tone", TONES)
def test_fold_every_vowel_and_tone(vowel: str, tone: str) -> None:
    letter = unicodedata.normalize("NFC", vowel + tone)
    base = {"ă": "a", "â": "a", "ê": "e", "ô": "o", "ơ": "o", "ư": "u"}.get(vowel, vowel)
    assert fold(letter) == base
    assert fold(letter.upper()) == base


def test_fold_d_bar_and_nfd_input() -> None:
    assert fold("Đảng đoàn") == "dang doan"
    decomposed = unicodedata.normalize("NFD", "sinh hoạt chi bộ")
    assert decomposed != "sinh hoạt chi bộ"
    assert fold(decomposed) == "sinh hoat chi bo"
    assert nfc(decomposed) == "sinh hoạt chi bộ"


@pytest.mark.parametrize("old,new", [("hoà", "hòa"), ("thuỷ", "thủy"), ("uỷ", "ủy"), ("xoá", "xóa"),
                                     ("khoẻ", "khỏe"), ("Hoà Bình", "Hòa Bình"), ("UỶ BAN", "ỦY BAN")])
def test_tone_placements_meet(old: str, new: str) -> None:
    assert canonical_tones(old) == canonical_tones(new) == new


@pytest.mark.parametrize("word", ["người", "thuận", "hoàn", "già", "quà", "ngoài", "quyết", "khuỷu", "gì"])
def test_canonical_leaves_fixed_words(word: str) -> None:
    assert canonical_word(word) == word


def test_match_key_collapses_space_and_punctuation() -> None:
    assert match_key("  Sinh hoạt\nchi bộ! ") == "sinh hoat chi bo"
