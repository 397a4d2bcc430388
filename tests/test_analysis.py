"""Vietnamese analysis for search: folding, tone placement, NFD, identifiers, no stop words."""

from __future__ import annotations

import unicodedata

import pytest

from indexer.search.tokens import (
    bigrams,
    has_diacritics,
    identifier_at,
    identifier_key,
    identifiers,
    normalize_identifier,
    ref_key,
    scan,
    terms,
)

VOWELS = "aăâeêioôơuưy"
BASE = {"ă": "a", "â": "a", "ê": "e", "ô": "o", "ơ": "o", "ư": "u"}
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]


@pytest.mark.parametrize("vowel", list(VOWELS))
@pytest.mark.parametrize("tone", TONES)
def test_every_vowel_with_every_tone_folds_in_any_case(vowel: str, tone: str) -> None:
    letter = unicodedata.normalize("NFC", vowel + tone)
    word = "t" + letter + "n"  # inside a syllable, as in running text
    for written in (word, word.upper(), word.capitalize()):
        (tok,) = scan(written)
        assert tok.folded == "t" + BASE.get(vowel, vowel) + "n"
        assert tok.exact == word  # lower case, marks kept
    assert has_diacritics(letter) == (letter != BASE.get(vowel, vowel))


def test_d_bar_is_folded_to_d_only_in_the_folded_form() -> None:
    exact, folded = terms("ĐẢNG đoàn Đảng")
    assert folded == ["dang", "doan", "dang"]
    assert exact == ["đảng", "đoàn", "đảng"]
    assert has_diacritics("đ") and not has_diacritics("dang")


def test_decomposed_input_gives_the_same_tokens_and_offsets_into_nfc() -> None:
    text = "Sinh hoạt chi bộ ở Hoà Bình"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert scan(nfd) == scan(text)
    tokens = scan(nfd)
    assert [text[t.start:t.end] for t in tokens] == text.split()


@pytest.mark.parametrize("old,new", [("hoà", "hòa"), ("thuỷ", "thủy"), ("uỷ", "ủy"), ("xoá", "xóa"),
                                     ("khoẻ", "khỏe"), ("Hoà Bình", "Hòa Bình"), ("UỶ BAN", "ủy ban")])
def test_both_tone_placements_give_one_exact_token(old: str, new: str) -> None:
    assert terms(old) == terms(new)
    assert terms(old)[0] != terms(old)[1]  # the exact form keeps its marks


def test_no_stop_words_and_no_minimum_length() -> None:
    exact, folded = terms("An ở ý do a và là")
    assert exact == ["an", "ở", "ý", "do", "a", "và", "là"]
    assert folded == ["an", "o", "y", "do", "a", "va", "la"]


SPELLINGS = {
    "21-NQ/TW": ["21-NQ/TW", "21 - NQ/TW", "21/NQ-TW", "NQ21", "nq21", "21-nq/tw", "2l-NQ/TW",
                 "21 – NQ/TW", "21-NQ/TƯ", "21 NQ/TW"],
    "05-CT/TW": ["05-CT/TW", "5-CT/TW", "05 - CT/TW", "CT05", "O5-CT/TW", "05 CT/TW"],
    "08-QĐi/TW": ["08-QĐi/TW", "8-QĐI/TW", "08-qđi/tw", "08/QĐi-TW"],
    "43/2022/QH15": ["43/2022/QH15", "43 / 2022 / QH15", "43/2022/qh15"],
    "11/NQ-CP": ["11/NQ-CP", "11 / NQ-CP"],
}


@pytest.mark.parametrize("norm", sorted(SPELLINGS))
def test_identifiers_in_every_spelling_normalise_to_one_token(norm: str) -> None:
    key = identifier_key(norm)
    assert "/" in key and key == key.lower()
    for written in SPELLINGS[norm]:
        assert normalize_identifier(written) == norm, written
        assert ref_key(written) == key, written
        text = f"Theo Nghị quyết số {written}, ngày 16/6/2022 của Trung ương"
        tokens = scan(text)
        idents = [t for t in tokens if t.ident]
        assert [t.exact for t in idents] == [key], written
        assert idents[0].folded == key
        assert text[idents[0].start:idents[0].end] == written
        assert list(identifiers(text)) == [norm]
    # the words around it stay syllables; the date is not an identifier
    assert terms(f"Nghị quyết {norm} ngày 16/6/2022")[1] == ["nghi", "quyet", key, "ngay", "16", "6", "2022"]


def test_identifier_glued_to_so_and_state_party_slash() -> None:
    tokens = scan("số21-NQ/TW")
    assert [t.folded for t in tokens] == ["so", "21-nq/tw"]
    # a Party body with the wrong slash is a Party document; a State body keeps its slash
    assert normalize_identifier("21/NQ-TW") == "21-NQ/TW"
    assert normalize_identifier("800/QĐ-TTg") == "800/QĐ-TTg"
    assert normalize_identifier("sinh hoạt") is None
    assert normalize_identifier("16/6/2022") is None


def test_identifier_at_reads_a_spaced_identifier_in_a_query() -> None:
    q = "chi bo 21 - nq/tw nam 2022"
    end, norm = identifier_at(q, 7)  # type: ignore[misc]
    assert (q[7:end], norm) == ("21 - nq/tw", "21-NQ/TW")
    assert identifier_at(q, 0) is None
    assert identifier_at("x21-NQ/TW", 1) is None  # not at a word start


def test_bigrams_follow_the_folded_tokens() -> None:
    _exact, folded = terms("Sinh hoạt chi bộ")
    assert bigrams(folded) == ["sinh hoat", "hoat chi", "chi bo"]
    assert bigrams(["a"]) == []


def test_punctuation_and_line_breaks_are_not_tokens() -> None:
    text = "sinh hoạt\nchi bộ, (đảng viên)!"
    assert terms(text)[1] == ["sinh", "hoat", "chi", "bo", "dang", "vien"]
    assert [text[t.start:t.end] for t in scan(text)] == ["sinh", "hoạt", "chi", "bộ", "đảng", "viên"]
