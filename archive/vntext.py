"""Vietnamese text at the boundaries: NFC, one tone placement, and folding for matching.

Every string that enters the program (PDF text, OCR output, form fields, queries, data files)
goes through :func:`nfc`. Matching (search, topic terms, titles against the truth) goes through
:func:`fold`, which removes every diacritic and maps đ/Đ to d/D; the folded form is never shown.

Two tone placements coexist in real text (*hoà*/*hòa*, *thuỷ*/*thủy*, *khoẻ*/*khỏe*);
:func:`canonical_tones` rewrites both to one placement (tone on the first vowel of an open
two-vowel syllable: *hòa*, *thủy*, *khỏe*), so an exact, diacritic-aware match treats them alike.
"""

from __future__ import annotations

import re
import unicodedata

_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền sắc ngã hỏi nặng
_QUALITY_VOWELS = set("ăâêôơưĂÂÊÔƠƯ")
_VOWELS = set("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
_WORD = re.compile(r"\w+", re.UNICODE)


def nfc(text: str) -> str:
    """Unicode NFC, the one form stored and compared anywhere in Bản tin."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower case without diacritics, đ→d: the key for matching, never for display.

    >>> fold("Đảng bộ Thành phố Hồ Chí Minh")
    'dang bo thanh pho ho chi minh'
    """
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d").replace("Đ", "D").lower()


def _split_tone(word: str) -> tuple[str, str]:
    """Return (the word without its tone mark, in NFC; the tone mark or '')."""
    tone = ""
    kept = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONE_MARKS:
            tone = ch
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_position(base: str) -> int | None:
    """Index in ``base`` (NFC, toneless) of the vowel that carries the tone, or None."""
    lower = base.lower()
    start = 0
    if lower[:2] in ("qu", "gi") and len(lower) > 2 and lower[2] in "aăâeêioôơuưy":
        start = 2
    run: list[int] = []
    for i in range(start, len(base)):
        if base[i] in _VOWELS:
            run.append(i)
        elif run:
            break
    if not run:
        return None
    for i in reversed(run):  # ươ carries the tone on ơ, hence the last marked vowel
        if base[i] in _QUALITY_VOWELS:
            return i
    if len(run) == 1:
        return run[0]
    closed = run[-1] + 1 < len(base)
    if closed:
        return run[-1]
    if len(run) == 2:
        return run[0]
    return run[1]


def canonical_word(word: str) -> str:
    """One syllable with its tone mark moved to the canonical vowel (see module doc)."""
    base, tone = _split_tone(word)
    if not tone:
        return nfc(word)
    pos = _tone_position(base)
    if pos is None:
        return nfc(word)
    decomposed = unicodedata.normalize("NFD", base[pos]) + tone
    return base[:pos] + unicodedata.normalize("NFC", decomposed) + base[pos + 1 :]


def canonical_tones(text: str) -> str:
    """NFC text with every syllable's tone in the canonical place (*hoà* → *hòa*)."""
    return _WORD.sub(lambda m: canonical_word(m.group(0)), nfc(text))


def syllables(text: str) -> list[str]:
    """The syllables (runs of letters and digits) of ``text``, in order, as written."""
    return _WORD.findall(nfc(text))


def match_key(text: str) -> str:
    """Folded text with white space collapsed: for comparing titles, terms and phrases."""
    return " ".join(syllables(fold(text)))
