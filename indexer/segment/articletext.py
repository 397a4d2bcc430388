"""An article's lines → its text: paragraphs kept, words split at line ends joined again.

Paragraphs start where the page shows it: a first-line indent, extra white space above, a
previous line that stops short after a full stop, or a Q&A lead (*Hỏi:*, *Đáp:*).

Hyphenation: a line ending in ``word-`` followed by a lower-case start is joined without the
hyphen when the joined form is one Vietnamese syllable or appears unbroken elsewhere in the
issue; a soft hyphen is always dropped. A hyphen before a digit or a capital, or after a
digit, is part of the text and stays (``21-NQ/TW``, ``COVID-19``, ``Mác-Lênin``), and so does
one between two Vietnamese syllables (*Lê-nin*, *Ăng-ghen*).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from archive.vntext import fold as _fold
from archive.vntext import nfc
from indexer.segment.lines import Line

fold = lru_cache(maxsize=1 << 16)(_fold)  # the same words and lines are folded again and again

_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x)?"
    r"[aeiouy]{1,3}(ng|nh|ch|c|m|n|p|t)?$")
_QA_LEAD = re.compile(r"^(hoi|dap|tra loi|cau hoi|cau \d+|hoi \d+)\s*[:.]", re.IGNORECASE)
_SENTENCE_END = tuple(".:!?…;\"”’)»")
_HYPHENS = ("-", "\u2010", "\u2011", "\u00ad")
_TOKEN = re.compile(r"\w+", re.UNICODE)


def is_syllable(word: str) -> bool:
    """True when ``word`` (any case, with or without diacritics) can be one Vietnamese syllable."""
    return bool(_SYLLABLE.match(fold(word)))


def vocabulary(lines: Iterable[Line]) -> set[str]:
    """Folded words seen whole in these lines: evidence that a broken word is one word."""
    vocab: set[str] = set()
    for ln in lines:
        for tok in ln.text.split():
            vocab.add(fold(tok.strip(".,;:!?()\"“”'")))
    return vocab


def is_qa_lead(text: str) -> bool:
    """*Hỏi:*, *Đáp:*, *Trả lời:*, *Câu 3.*: a question or an answer starts (with a capital:
    *... kinh tế – xã / hội.* is the end of a sentence)."""
    text = text.strip()
    return text[:1].isupper() and bool(_QA_LEAD.match(fold(text)))


def starts_paragraph(prev: Line, line: Line) -> bool:
    """Whether ``line`` starts a new paragraph after ``prev`` (consecutive in the article)."""
    if is_qa_lead(line.text):
        return True
    if line.text[:1].islower():
        return False  # a paragraph starts with a capital: this line goes on a sentence
    ended = prev.text.rstrip().endswith(_SENTENCE_END)
    if line.gap > 0.45:
        return True
    indented = line.indent >= 0.8 and line.indent < 8
    if indented and (prev.indent < line.indent - 0.5 or prev.right_space > 1.5):
        return True
    return bool(ended and prev.right_space > 3.0)


def join_words(left: str, right: str, vocab: set[str]) -> str | None:
    """``left`` ends a line with a hyphen and ``right`` starts the next: the joined token, or
    None when they are two words after all."""
    if not left or left[-1] not in _HYPHENS or len(left) < 2 or not right:
        return None
    stem = left[:-1]
    if left[-1] == "\u00ad":
        return stem + right
    head = right[0]
    if stem[-1:].isdigit() or head.isdigit() or head.isupper():
        return stem + "-" + right
    if not head.isalpha():
        return None
    bare = right.rstrip(".,;:!?)\"”'")
    joined = fold(stem + bare)
    if is_syllable(joined) or joined in vocab:
        return stem + right
    if fold(stem + "-" + bare) in vocab or (is_syllable(stem) and is_syllable(bare)):
        return stem + "-" + right
    return stem + right


def paragraphs(lines: Sequence[Line], vocab: set[str] | None = None) -> list[str]:
    """The lines as paragraphs (each one string, NFC, single spaces)."""
    vocab = vocab or set()
    out: list[list[str]] = []
    prev: Line | None = None
    for ln in lines:
        tokens = ln.text.split()
        if not tokens:
            continue
        if prev is None or starts_paragraph(prev, ln):
            out.append(tokens)
        else:
            current = out[-1]
            joined = join_words(current[-1], tokens[0], vocab)
            if joined is not None:
                current[-1] = joined
                current.extend(tokens[1:])
            else:
                current.extend(tokens)
        prev = ln
    return [nfc(" ".join(p)) for p in out]


def article_text(lines: Sequence[Line], vocab: set[str] | None = None) -> str:
    """Paragraphs separated by a blank line."""
    return "\n\n".join(paragraphs(lines, vocab))


def word_count(text: str) -> int:
    """Words as Vietnamese counts them in print: syllables (runs of letters and digits)."""
    return len(_TOKEN.findall(text))
