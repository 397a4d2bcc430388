"""Putting back the TCVN3 ``ư`` that PDF extractors lose.

Why a module of its own: TCVN3 codes ``ư`` as 0xAD, the Latin-1 soft hyphen, and real
extractors report it as that, as U+2212 (a minus sign), as a hyphen or as a space. The
minus sign is unambiguous next to a letter; a space or hyphen is a guess, made only where
the words on either side are not syllables and the word with ``ư`` is, and never on Roman
numerals, abbreviations, numbers or document identifiers, which are not syllables either
(``Đại hội X của``, ``TW``, ``19 x 27``, ``21-NQ/TW``). Works on the decoded cells of one
line (one string per extracted character), as :func:`indexer.extract.legacy.decode_cells` does.
"""

from __future__ import annotations

from collections.abc import Sequence

from indexer.extract.syllable import is_syllable

MINUS = "\u2212"  # U+2212 stands for ư next to a letter, else it stays a minus
LOST_U = (" ", "-", "\u2010", "\u2011")  # what a lost ư may have become
_ROMAN = frozenset("IVXLCDM")


def _span(out: list[str], k: int, step: int) -> tuple[str, int]:
    """The letters next to cell ``k`` going left (step -1) or right (+1), and the index of
    the first cell beyond them."""
    parts: list[str] = []
    j = k + step
    while 0 <= j < len(out):
        c = out[j]
        if c and not c.isalpha():
            break
        parts.append(c)
        j += step
    return "".join(reversed(parts) if step < 0 else parts), j


def _word_after(out: list[str], k: int, step: int) -> str:
    """The letters of the first word going ``step`` from cell ``k``, past spaces."""
    j = k + step
    while 0 <= j < len(out) and out[j] in (" ", "\u00a0"):
        j += step
    return _span(out, j - step, step)[0]


def _fragment(out: list[str], k: int, step: int) -> str:
    """The letters next to cell ``k`` going left (step -1) or right (+1)."""
    return _span(out, k, step)[0]


def repair_lost_u(out: list[str], flags: Sequence[bool], *, spaces_too: bool) -> None:
    """Put back TCVN3 ``ư`` that an extractor turned into a minus sign, a space or a hyphen.

    A minus sign touching a letter is always ``ư`` (``Ư`` in a capitals font: the base
    fonts have their own code for ``Ư``). Spaces and hyphens are suspects only when
    ``spaces_too`` (the text shows no ``ư`` code at all, as happens when the extractor
    loses them): one is ``ư`` when the text on either side is not a syllable and the text
    with ``ư`` is, first inside words (``ng êi`` -> ``người``), then at word ends
    (``nh  thÕ`` -> ``như thế``), so that a fragment is not claimed by the wrong neighbour.
    A double space next to a fragment that takes ``ư`` is one too (``®·  u`` -> ``đã ưu``).
    Never repaired (see :func:`_not_a_word`): Roman numerals (``khóa X của``), abbreviations
    (``TW``, ``UBND``), letters beside numbers (``19 x 27``), identifiers (``21-NQ/TW``)."""
    for k, c in enumerate(out):
        if c == MINUS:
            around = _fragment(out, k, -1) + _fragment(out, k, +1)
            if around:
                out[k] = "Ư" if flags[k] else "ư"
    if not spaces_too:
        return
    seps = [k for k, c in enumerate(out) if c in LOST_U]
    for k in seps:  # inside a word
        left, right = _fragment(out, k, -1), _fragment(out, k, +1)
        u = _lost_u(flags[k], left + right)
        if (left and right and is_syllable(left + u + right)
                and not (is_syllable(left) and is_syllable(right))
                and not _not_a_word(out, k, -1) and not _not_a_word(out, k, +1)):
            out[k] = u
    for k in seps:  # at the end or the start of a word
        if out[k] not in LOST_U:
            continue
        left, right = _fragment(out, k, -1), _fragment(out, k, +1)
        u = _lost_u(flags[k], left + right)
        double = out[k] == " " and (
            (k > 0 and out[k - 1] == " ") or (k + 1 < len(out) and out[k + 1] == " "))
        if (left and (double or not is_syllable(left)) and is_syllable(left + u)
                and not _not_a_word(out, k, -1)):
            out[k] = u + (" " if right else "")  # "nh thÕ" or "nh  thÕ" -> "như thế"
        elif (right and (double or not is_syllable(right)) and is_syllable(u + right)
              and not _not_a_word(out, k, +1)):
            out[k] = (" " if left else "") + u  # "®i íc" -> "đi ước"


def _lost_u(capital_font: bool, around: str) -> str:
    """The case of a lost ``ư``: capital in a capitals font or between capitals (``NH THẾ``
    -> ``NHƯ THẾ``), not after one capital alone (``T tưởng`` -> ``Tư tưởng``)."""
    return "Ư" if capital_font or (len(around) > 1 and around.isupper()) else "ư"


def _not_a_word(out: list[str], k: int, step: int) -> bool:
    """Whether the fragment beside separator ``k`` (going ``step``) must not take a lost
    ``ư``: a fragment among digits or in an identifier (``19 x 27``, ``21-NQ/TW``), an
    abbreviation (two or more capitals, ``TW``, ``UBND``, unless the words around are in
    capitals too, as in a heading) or a Roman numeral after a word in lower case
    (``Đại hội X của``, ``khóa V``)."""
    frag, j = _span(out, k, step)
    beyond = out[j] if 0 <= j < len(out) else ""  # touching the fragment's far end
    across = out[k - step] if 0 <= k - step < len(out) else ""  # touching the separator
    if any(c[:1].isdigit() or c[-1:].isdigit() for c in (beyond, across)) or beyond in (
            "/", "-", "\u2010", "\u2011"):
        return True
    if len(frag) >= 2 and frag.isupper():
        around = (_word_after(out, k, -step), _word_after(out, j - step, step))
        return not any(len(w) > 1 and w.isupper() for w in around)
    if len(frag) == 1 and frag in _ROMAN:
        before = _span(out, k, -1)[0] if step > 0 else (
            _span(out, j, -1)[0] if beyond == " " else "")
        return bool(before) and before[-1].islower()
    return False
