"""Marks that are not words, taken out of an OCR read; a contents page's numbers read again.

Why: on phone photos most of what is left wrong after reading order is not misread words but
marks Tesseract read as words (seed 1's photos: a third of the wrong characters):

* **a column of marks read as a vertical line**: Tesseract's automatic layout takes a narrow
  column of short marks for one line of vertical text, a "line" many lines tall and one or
  two characters wide, its "words" stacked one above the other. On a contents page that is
  the column of page numbers (read ``"l1 `1 ƠI C2 22 ©``: each entry lost its number); at the
  edge of a photographed sheet it is the paper's edge or its shadow (``mm... “nh``).
* **a rule read as a word**: a thin horizontal line under a masthead, read as a flat "word"
  (a box much lower than the page's lines) with almost no confidence (``Ca xv. ng cà``).

Both are dropped. A column of marks that held a digit and stands right of two or more lines
of text (a contents list: entries left, their numbers right) is read again, alone: that
strip of the page, its rules (the contents box's border) blanked, as a block of digits
(``--psm 6``, a digit whitelist). Each number read goes to the end of the entry line whose
row it is on, nearest first; the numbers must grow down the page, as a contents list's do,
or none is kept. Only pages with such a column pay the extra run (a fraction of a second on
a strip of a few hundred by a few dozen pixels); on other pages this is a pass over the words.

Pure geometry on word boxes in one unit (the prepared image's pixels), as
:mod:`indexer.extract.ocrorder`; :data:`VERSION` is part of the OCR settings key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import median
from typing import TypeVar

import numpy as np
from PIL import Image, ImageOps

from indexer.extract import preprocess

VERSION = "1"  # part of the OCR settings key (indexer.extract.ocr.settings_key)
NARROW_LINE = 3.0  # a line at most this × the median line height wide is a column of marks...
STACKED_LINE = 1.5  # ... when taller than this × it with words one above another
TALL_LINE = 3.0  # ... or taller than this × it, read with a mean confidence below:
STACK_CONF = 50.0
FLAT_WORD = 0.4  # a word lower than this × the median line height...
FLAT_CONF = 20.0  # ... read below this confidence is a rule, not a word
ENTRY_GAP = 1.0  # a contents entry ends at least this × line height left of its number
LIST_GAP = 0.8  # the entries of one list stand less than this × line height apart
RULE_INK = 0.75  # a pixel row or column of the strip this much ink is a rule (a box border)
RULE_SPREAD = 3  # ... counting ink this many pixels either side (a rule a little aslant)
MIN_NUMBER_CONF = 40.0  # a number re-read below this confidence is not kept
_NUMBER = re.compile(r"\d{1,4}")
_DASHES = frozenset("-–—")

W = TypeVar("W")
Rect = tuple[float, float, float, float]
# (text, box, line, confidence): box x0, y0, x1, y1 with y downwards, in the image's pixels
Geometry = tuple[str, Rect, int, float]


@dataclass(frozen=True)
class Number:
    """A page number read again, to go at the end of word ``after``'s line."""

    after: int  # index (in the words given) of the entry line's last word
    text: str
    box: tuple[int, int, int, int]
    conf: float


@dataclass(frozen=True)
class Marks:
    drop: frozenset[int]  # indices of the words that are marks
    numbers: tuple[Number, ...]  # contents numbers read again
    columns: int  # columns of marks found


def find(words: Sequence[W], geometry: Callable[[W], Geometry], image: Image.Image | None,
         read: Callable[[Image.Image], list[tuple[str, Rect, float]]] | None = None) -> Marks:
    """The marks among ``words`` (in reading order) and the contents numbers read again from
    ``image`` with ``read`` (a strip → numbers with boxes in the strip's pixels and
    confidences; default :func:`read_strip`). ``image`` None: marks only."""
    geo = [geometry(w) for w in words]
    if not geo:
        return Marks(frozenset(), (), 0)
    lines: dict[int, list[int]] = {}
    for i, g in enumerate(geo):
        lines.setdefault(g[2], []).append(i)
    rects = {ln: _rect(members, geo) for ln, members in lines.items()}
    height = float(median(r[3] - r[1] for r in rects.values()))
    drop: set[int] = set()
    columns: list[tuple[int, Rect]] = []
    for ln, members in lines.items():
        x0, y0, x1, y1 = rects[ln]
        if x1 - x0 <= NARROW_LINE * height and (
                y1 - y0 > STACKED_LINE * height and _stacked([geo[i][1] for i in members]) or
                y1 - y0 > TALL_LINE * height and
                sum(geo[i][3] for i in members) / len(members) < STACK_CONF):
            drop.update(members)
            columns.append((ln, rects[ln]))
    for i, (text, box, _ln, conf) in enumerate(geo):
        if conf < FLAT_CONF and box[3] - box[1] < FLAT_WORD * height and \
                not all(c in _DASHES for c in text):
            drop.add(i)
    numbers: list[Number] = []
    if image is not None:
        for ln, rect in columns:
            if any(c.isdigit() for i in lines[ln] for c in geo[i][0]):
                numbers.extend(_contents_numbers(rect, lines, geo, drop, height, image,
                                                 read or read_strip))
    return Marks(frozenset(drop), tuple(numbers), len(columns))


def _stacked(boxes: list[Rect]) -> bool:
    """Whether two of the boxes stand one above the other (no vertical overlap)."""
    boxes = sorted(boxes, key=lambda b: b[1])
    return any(b[1] >= a[3] for a, b in zip(boxes, boxes[1:]))


def _rect(indices: list[int], geo: list[Geometry]) -> Rect:
    return (min(geo[i][1][0] for i in indices), min(geo[i][1][1] for i in indices),
            max(geo[i][1][2] for i in indices), max(geo[i][1][3] for i in indices))


def _contents_numbers(column: Rect, lines: dict[int, list[int]], geo: list[Geometry],
                      drop: set[int], height: float, image: Image.Image,
                      read: Callable[[Image.Image], list[tuple[str, Rect, float]]]
                      ) -> list[Number]:
    """The numbers of a column of marks read again, each on its entry's line; [] when the
    column is not a contents list's numbers (fewer than two entries left of it, numbers that
    do not grow down the page)."""
    cx0, cy0, cx1, cy1 = column
    candidates = {}
    for ln, members in lines.items():
        kept = [i for i in members if i not in drop]
        if kept:
            rect = _rect(kept, geo)
            if rect[2] <= cx0 - ENTRY_GAP * height:
                candidates[ln] = (max(kept, key=lambda i: geo[i][1][2]), rect)
    chosen = {ln for ln, (_i, r) in candidates.items()
              if cy0 - height <= (r[1] + r[3]) / 2 <= cy1 + height}
    if not chosen:
        return []
    # the whole list: lines level with those on the left, each close under or over the last
    edge = float(median(candidates[ln][1][0] for ln in chosen))
    grown = True
    while grown:
        top = min(candidates[ln][1][1] for ln in chosen)
        bottom = max(candidates[ln][1][3] for ln in chosen)
        more = {ln for ln, (_i, r) in candidates.items() if ln not in chosen and
                abs(r[0] - edge) <= height and r[1] - bottom <= LIST_GAP * height and
                top - r[3] <= LIST_GAP * height}
        chosen |= more
        grown = bool(more)
    entries = sorted(((candidates[ln][1][1] + candidates[ln][1][3]) / 2, candidates[ln][0],
                      candidates[ln][1]) for ln in chosen)
    if len(entries) < 2:
        return []
    left = max(cx0 - height, max(e[2][2] for e in entries) + height / 2)
    box = (round(left), round(max(0.0, min(cy0, min(e[2][1] for e in entries)) - height / 2)),
           round(min(float(image.width), cx1 + height)),
           round(min(float(image.height), max(cy1, max(e[2][3] for e in entries)) + height / 2)))
    if box[2] - box[0] < 4 or box[3] - box[1] < 4:
        return []
    found = []
    for text, (x0, y0, x1, y1), conf in read(_clean_strip(image.crop(box))):
        digits = text.strip(".")
        if _NUMBER.fullmatch(digits) and conf >= MIN_NUMBER_CONF:
            found.append((digits, (x0 + box[0], y0 + box[1], x1 + box[0], y1 + box[1]), conf))
    found.sort(key=lambda f: f[1][1])
    if len(found) == len(entries):  # one number an entry: in order (a number set a little
        pairs = list(zip(found, range(len(entries))))  # off its entry's row stays its own)
    else:
        pairs, taken = [], set()
        for digits, nbox, conf in found:
            middle = (nbox[1] + nbox[3]) / 2
            near = [(abs(e[0] - middle), k) for k, e in enumerate(entries)
                    if k not in taken and abs(e[0] - middle) <= 0.75 * height]
            if near:
                taken.add(min(near)[1])
                pairs.append(((digits, nbox, conf), min(near)[1]))
    out = [Number(entries[k][1], digits, (round(nbox[0]), round(nbox[1]), round(nbox[2]),
                                          round(nbox[3])), conf)
           for (digits, nbox, conf), k in pairs]
    values = [int(n.text) for n in sorted(out, key=lambda n: n.box[1])]
    if len(out) < 2 or any(b < a for a, b in zip(values, values[1:])):
        return []
    return out


def _clean_strip(strip: Image.Image) -> Image.Image:
    """The strip with its rules (rows or columns mostly ink: a box's border) made paper, and
    a white margin, as Tesseract reads a block best."""
    grey = np.asarray(strip.convert("L"), dtype=np.uint8).copy()
    ink = grey < preprocess.otsu(grey)
    for axis in (0, 1):  # a rule a little aslant spreads over a few pixel columns (rows)
        spread = np.zeros_like(ink)
        for shift in range(-RULE_SPREAD, RULE_SPREAD + 1):
            spread |= np.roll(ink, shift, axis=1 - axis)
        rule = np.flatnonzero(spread.mean(axis=axis) > RULE_INK)
        for shift in range(-RULE_SPREAD, RULE_SPREAD + 1):
            at = np.clip(rule + shift, 0, grey.shape[1 - axis] - 1)
            if axis == 0:
                grey[:, at] = 255
            else:
                grey[at, :] = 255
    return ImageOps.expand(Image.fromarray(grey), border=20, fill=255)


def read_strip(strip: Image.Image) -> list[tuple[str, Rect, float]]:
    """Numbers in a strip cut from a page (``--psm 6``, digits only), each with its box in
    the strip's pixels (less the 20-pixel margin :func:`_clean_strip` adds) and confidence;
    [] when Tesseract is missing or fails."""
    import pytesseract

    try:
        tsv = str(pytesseract.image_to_data(
            strip, config="--psm 6 -c tessedit_char_whitelist=0123456789.", timeout=30))
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, RuntimeError,
            OSError):
        return []
    rows = tsv.splitlines()
    if not rows:
        return []
    col = {name: i for i, name in enumerate(rows[0].split("\t"))}
    out: list[tuple[str, Rect, float]] = []
    for row in rows[1:]:
        cells = row.split("\t")
        if len(cells) < len(col) or cells[col["level"]] != "5":
            continue
        try:
            x0, y0 = int(cells[col["left"]]) - 20, int(cells[col["top"]]) - 20
            w, h, conf = int(cells[col["width"]]), int(cells[col["height"]]), float(cells[col["conf"]])
        except ValueError:
            continue
        if cells[col["text"]].strip() and conf >= 0:
            out.append((cells[col["text"]].strip(), (x0, y0, x0 + w, y0 + h), conf))
    return out
