"""Is this a well-formed Vietnamese syllable? The yardstick for legacy-font repair.

Why: a TCVN3 or VNI text layer decoded with the right table gives ordinary Vietnamese, in
which almost every word is a valid syllable; decoded with the wrong table (or not at all) it
gives fragments such as ``Th«ng``/``ng``/``Thoâng`` that are not. The share of valid
syllables therefore measures how much a repair can be trusted (:func:`valid_share`), picks
the encoding when font names say nothing, and tells a genuine Unicode text layer from an
invisible OCR layer full of garbage.

A syllable is onset + rhyme + tone, written under the spelling rules:

* onset: ``b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x`` or none;
  ``k gh ngh`` only before ``e ê i y``, ``c g ng`` never before ``e ê`` (``c`` nor before ``i y``);
* rhyme: an optional medial (``o``/``u``), a nucleus and an optional coda, from the closed
  inventory :data:`RHYMES` (toneless, lower case);
* tone: at most one of the five marks; a rhyme closed by ``p t c ch`` takes only sắc or nặng.

Only the letters are judged: callers pass words of letters (no digits or punctuation).
Case must be lower, Title or UPPER (mixed case is what mojibake decoded wrongly looks like).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền sắc ngã hỏi nặng
_STOP_TONES = {"\u0301", "\u0323"}

_RHYME_TEXT = """
a ai ao au ay am an ang anh ap at ac ach
ăm ăn ăng ăp ăt ăc
âm ân âng âp ât âc âu ây
e em en eng ep et ec eo
ê êm ên ênh êp êt êch êu
i im in inh ip it ich iu ia
iêm iên iêng iêp iêt iêc iêu
yêm yên yêt yêu y
o om on ong op ot oc oi oong ooc
ô ôm ôn ông ôp ôt ôc ôi
ơ ơm ơn ơp ơt ơi
u um un ung up ut uc ui
ư ưm ưng ưt ưc ưi ưu
uôm uôn uông uôt uôc uôi ua
ươm ươn ương ươp ươt ươc ươi ươu ưa
oa oai oay oan oang oanh oat oac oach oam oap oao
oăn oăng oăt oăc oăm
oe oen oet oeo oem
uân uâng uât uây
uê uên uênh uêt uêch
uy uyn uynh uyt uych uyu uya uyên uyêt uyp
uơ
"""
RHYMES: frozenset[str] = frozenset(_RHYME_TEXT.split())

_ONSETS = ("ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
           "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x")
_FRONT = ("e", "ê", "i", "y")
_STOP_CODAS = ("p", "t", "c", "ch")
_VOWELS = set("aăâeêioôơuưy")
_LETTERS = re.compile(r"[^\W\d_]+")


def split_tone(word: str) -> tuple[str, str]:
    """(the word in lower case without its tone mark, NFC; the tone mark or '').

    Returns ('', '') when the word carries two tone marks, which no syllable does."""
    tone = ""
    kept = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES:
            if tone:
                return "", ""
            tone = ch
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _rhyme_ok(onset: str, rhyme: str) -> bool:
    if onset == "qu":  # the u belongs to the onset: no second medial
        if rhyme in RHYMES and rhyme[0] not in "ou":
            return True
        return rhyme[:1] == "y" and "u" + rhyme in RHYMES
    if onset == "gi":  # gi + iêng is written giêng, gi + in is gìn
        return rhyme in RHYMES or "i" + rhyme in RHYMES or rhyme == ""
    if rhyme not in RHYMES:
        return False
    first = rhyme[0]
    if onset in ("k", "gh", "ngh"):
        return first in _FRONT
    if onset == "c":
        return first not in _FRONT
    if onset in ("g", "ng"):
        return first not in ("e", "ê") and (onset == "g" or first != "i")
    return True


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """True when ``word`` (letters only) is a well-formed Vietnamese syllable."""
    if not word or not (word.islower() or word.isupper() or word.istitle()):
        return False
    base, tone = split_tone(word)
    if not base or not any(ch in _VOWELS for ch in base):
        return False
    for onset in _ONSETS + ("",):
        if not base.startswith(onset):
            continue
        rhyme = base[len(onset):]
        if onset == "gi" and not rhyme:
            ok = True  # gì, gi
        elif not rhyme:
            continue
        else:
            ok = _rhyme_ok(onset, rhyme)
        if ok:
            if tone and tone not in _STOP_TONES and rhyme.endswith(_STOP_CODAS):
                continue
            return True
    return False


def letter_words(text: str) -> list[str]:
    """The runs of letters in ``text`` (digits, punctuation and spaces split them)."""
    return _LETTERS.findall(text)


_ACRONYM = re.compile(r"[A-ZĐ]{2,6}")


def _judged(word: str) -> bool:
    """Whether a word counts in :func:`valid_share`: single letters (list markers, initials)
    and capital acronyms (UBND, HĐND, MTTQ, XIII) say nothing either way."""
    if len(word) < 2:
        return False
    return is_syllable(word) or not _ACRONYM.fullmatch(word)


def valid_counts(text: str) -> tuple[int, int]:
    """(valid syllables, judged words) in ``text``."""
    judged = [w for w in letter_words(text) if _judged(w)]
    return sum(1 for w in judged if is_syllable(w)), len(judged)


def valid_share(text: str) -> float:
    """Share (0..1) of the judged words of ``text`` that are valid syllables; 0 when none."""
    valid, judged = valid_counts(text)
    return valid / judged if judged else 0.0
