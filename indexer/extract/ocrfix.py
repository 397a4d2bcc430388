"""Clean-up of Tesseract's words for Vietnamese bulletins: only fixes that cannot hurt.

Each rule here answers an error measured on scans (``bench/ocr.py``), and each is narrow
enough that it does not touch correct text:

* **Unicode**: NFC; a combining mark left over after NFC (Tesseract sometimes emits a tone
  mark on its own, or one with no letter under it) is dropped, since every Vietnamese letter
  is precomposed; zero-width characters and soft hyphens go; ligatures (ﬁ) are spelled out;
  the fraction slash ⁄ that Tesseract reads for "/" in dates (6⁄1989) becomes "/".
* **Dashes**: a spaced dash, which Vietnamese typesetting prints as an en dash (*Số 3 –
  tháng 9/1989*, *Hỏi – đáp*), comes out of Tesseract as "-", "—" or "_—_"; a word that is
  only a dash becomes "–".
* **Specks**: a low-confidence word made only of marks such as ' ` . : ; , " _ * is a speck
  of toner or dirt read as punctuation (Vietnamese sets these marks against the preceding
  word, never alone); it is dropped.
* **chi bộ**: Debian's ``vie`` model reads the *chi* of *chi bộ*, *chi ủy*, *chi đoàn* (the
  Party cell, its committee, the youth-union cell: the most frequent words of these
  bulletins) as *chỉ* on about four pages in ten; *chỉ* before those words is put back to
  *chi* unless the next word makes a phrase with *bộ* or *ủy* (*chỉ bộ phận*, *chỉ ủy ban*).
"""

from __future__ import annotations

import re
import unicodedata

from archive.vntext import nfc

VERSION = "1"  # bump when a rule changes what comes out

_DROP = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}
_REPLACE = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
            "\u2044": "/", "\u2215": "/"}
DASHES = set("-‐‑‒–—―−")
SPECK_MARKS = set("'`´‘’‚“”„\".,:;_*¬|~^°•·<>‹›«»")
SPECK_CONFIDENCE = 90.0  # a marks-only word at or above this confidence is kept
_CELL_NEXT = {"bộ", "ủy", "uỷ", "đoàn"}
# words after "chỉ bộ ..." / "chỉ ủy ..." that make it a real "only ..." phrase
_NOT_CELL = {"phận", "trưởng", "máy", "đội", "môn", "luật", "ngành", "mặt", "óc", "sách",
             "ban", "quyền", "thác", "nhiệm", "kết", "tộc", "lạc", "đồ", "áo", "quần", "ba",
             "hai", "tư", "năm"}
_WORD_CHARS = re.compile(r"\w", re.UNICODE)


def clean_word(text: str) -> str:
    """One word made safe: NFC, no stray combining marks, no invisible characters."""
    text = nfc(text)
    out = []
    for ch in text:
        if ch in _DROP or unicodedata.combining(ch):
            continue
        out.append(_REPLACE.get(ch, ch))
    return "".join(out).strip()


def is_dash(text: str) -> bool:
    """A word that is only a dash, possibly with specks around it ("-", "_—_", "-.")."""
    core = "".join(ch for ch in text if ch not in SPECK_MARKS)
    return len(core) == 1 and core in DASHES


def is_speck(text: str, conf: float) -> bool:
    """A low-confidence word of punctuation marks only."""
    return conf < SPECK_CONFIDENCE and all(ch in SPECK_MARKS for ch in text)


def fix_cell_words(texts: list[str]) -> list[str]:
    """*chỉ bộ/ủy/đoàn* → *chi ...* (see the module docstring); case kept."""
    out = list(texts)
    for i in range(len(out) - 1):
        word = out[i]
        if word.lower() != "chỉ":
            continue
        following = _bare(out[i + 1]).lower()
        if following not in _CELL_NEXT:
            continue
        after = _bare(out[i + 2]).lower() if i + 2 < len(out) else ""
        if after in _NOT_CELL:
            continue
        out[i] = {"chỉ": "chi", "Chỉ": "Chi", "CHỈ": "CHI"}.get(word, word)
    return out


def _bare(word: str) -> str:
    """The word without leading or trailing punctuation."""
    start, end = 0, len(word)
    while start < end and not _WORD_CHARS.match(word[start]):
        start += 1
    while end > start and not _WORD_CHARS.match(word[end - 1]):
        end -= 1
    return word[start:end]
