"""Typesetting: words measured with the font they are drawn in, broken into lines, aligned.

Sizes and positions are in points (1/72 inch). Vietnamese is not hyphenated at line ends
(syllables are short, and the bulletins do not do it), so a line breaks only between words;
a word wider than the measure stays whole on its own line.

A :class:`Span` is one word (or a run of words) in one face, with the trailing space that
separates it from the next word kept in its text: a PDF text layer then carries real
spaces, so extractors split words the same way whatever the justification gaps are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Measure(Protocol):
    """Width in points of ``text`` set in ``face`` (a layout role) at ``size`` points."""

    def width(self, text: str, face: str, size: float) -> float: ...


@dataclass(frozen=True)
class Span:
    text: str  # as printed (Unicode NFC); may end with one space
    x: float  # left edge, points from the left of the enclosing box (column or page)
    face: str  # regular | bold | italic | bold-italic | display
    size: float  # points


@dataclass(frozen=True)
class Word:
    text: str
    face: str


def words_of(text: str, face: str) -> list[Word]:
    return [Word(w, face) for w in text.split()]


def paragraph_words(text: str, face: str = "regular") -> list[Word]:
    """Words of a body paragraph; a Q&A paragraph's leading "Hỏi:"/"Đáp:" is set in bold."""
    words = words_of(text, face)
    if words and words[0].text in ("Hỏi:", "Đáp:"):
        words[0] = Word(words[0].text, "bold")
    return words


def break_lines(words: list[Word], size: float, width: float, measure: Measure,
                first_indent: float = 0.0) -> list[list[tuple[Word, float]]]:
    """Greedy line breaking: each line as many words as fit ``width`` (the first line
    ``first_indent`` narrower). Returns lines of (word, its width)."""
    space = measure.width(" ", "regular", size)
    lines: list[list[tuple[Word, float]]] = []
    current: list[tuple[Word, float]] = []
    used = 0.0
    limit = width - first_indent
    for word in words:
        w = measure.width(word.text, word.face, size)
        need = w if not current else used + space + w
        if current and need > limit + 1e-6:
            lines.append(current)
            current, used, limit = [(word, w)], w, width
        else:
            current.append((word, w))
            used = need
    if current:
        lines.append(current)
    return lines


def set_line(line: list[tuple[Word, float]], size: float, width: float, measure: Measure,
             align: str = "left", justify: bool = False, indent: float = 0.0,
             x0: float = 0.0) -> tuple[Span, ...]:
    """Position the words of one line in a box ``width`` wide starting at ``x0``.

    ``align`` is left, center or right; ``justify`` stretches the gaps to fill the width
    (never used for a line of one word)."""
    space = measure.width(" ", "regular", size)
    natural = sum(w for _, w in line) + space * (len(line) - 1)
    avail = width - indent
    gap = space
    if justify and len(line) > 1:
        gap = space + (avail - natural) / (len(line) - 1)
        start = x0 + indent
    elif align == "center":
        start = x0 + indent + (avail - natural) / 2
    elif align == "right":
        start = x0 + indent + avail - natural
    else:
        start = x0 + indent
    spans = []
    x = start
    for i, (word, w) in enumerate(line):
        last = i == len(line) - 1
        spans.append(Span(word.text if last else word.text + " ", round(x, 3), word.face, size))
        x += w + gap
    return tuple(spans)


def set_text(text: str, face: str, size: float, width: float, measure: Measure,
             align: str = "left", justify: bool = False, x0: float = 0.0) -> list[tuple[Span, ...]]:
    """Break and set a short text (a title, a byline, a masthead line)."""
    words = words_of(text, face)
    lines = break_lines(words, size, width, measure)
    return [set_line(ln, size, width, measure, align=align,
                     justify=justify and i < len(lines) - 1, x0=x0)
            for i, ln in enumerate(lines)]


def fit_size(text: str, face: str, size: float, width: float, measure: Measure,
             smallest: float = 8.0) -> float:
    """The largest size ≤ ``size`` (half-point steps) at which ``text`` fits on one line."""
    while size > smallest and measure.width(text, face, size) > width:
        size -= 0.5
    return size
