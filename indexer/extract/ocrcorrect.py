"""Post-OCR correction that knows Vietnamese and knows this archive.

The language model is the archive itself: the syllables of its born-digital and legacy-font
pages (``page_text`` rows with method ``text`` or ``legacy``: thousands of clean pages in the
same register and vocabulary as the scans), counted one by one and in pairs. A word read by
OCR is changed only where the evidence is strong:

* **an invalid or unknown syllable** (not a well-formed Vietnamese syllable, or never seen on
  a clean page) whose one-edit neighbours include syllables the archive uses in this context
  (the previous and next words): the best is taken when the context supports it clearly;
* **a valid syllable the context strongly rejects**: read with less than
  :data:`DOUBT_CONF` confidence, never seen between its neighbours, while a one-edit
  neighbour is seen there often (*cân, kiệm, tiêm, chính* → *cần, kiệm, liêm, chính*);
* **a speck read as a mark** (*'xã*, *.chữ*, *ruộng. đồng*, *thôn,:*, *mới.'*), **two
  syllables joined by one** (*xuất,phải*, *hành.nội*: split where the clean pages write
  the pair) and **a capital in mid-line** (*Làm*: a typewriter's *l*) where the clean pages
  never write it so; **a case no word is written with** (*cHáu*, *THu*).

On a **noisy copy** (read with Tesseract's heavy noise reduction, ``textord_heavy_nr=1``:
typewriter and letterpress photocopies) the noise reduction also cleans away faint dots
and thin dashes, and the LSTM is confidently wrong more often, so there (and only there):

* **a full stop lost at the end of a line** is put back before a word the clean pages
  start sentences with and never capitalise in mid-sentence, when the line is body text
  (it reaches the block's right edge, or it ends a paragraph after a full line);
* **a dash lost between two words** the clean pages write with one (*kinh tế – xã hội*);
* **a valid syllable read with confidence** is replaced when neither pair it makes is
  ever seen and a one-edit neighbour is seen with both neighbours (*tà* → *là*), and a
  capital at a line start is put in lower case where the pair continues (*đảng / Viên*).

Thresholds were set on seeds 1 and 4 of the sample (``bench/ocr_correct.py``; README,
"Old scans").
A one-edit neighbour is one change of a precomposed letter (so *â*→*ầ*, a tone or a hat, is
one edit, as OCR makes it), one letter added or dropped. Words with digits, identifiers and
words in capitals inside a line of capitals are left alone; case is kept. A split or a
dash put back makes one word hold two tokens (*chính sách*, *tế –*), in the box OCR saw.

Nothing is lost: the raw words are kept (``ocr_raw`` in ``archive/schema/047_ocr_raw.sql``),
each correction is listed with its word index, and an editor's undo of a correction (raw →
corrected on a page) is kept apart (``ocr_undo``) and honoured by every later run.
:data:`VERSION` is part of the OCR settings key (``indexer.extract.ocr.settings_key``).

Why one module of about 700 lines: the syllable model learned from the clean pages and the rules
that use it must change together (the corrector's version is part of the settings key); the
catalog step that applies them and the editors' undo work on the same Correction rows.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from archive.catalog import Catalog, now, queue_stamp
from archive.models import Word, words_json
from archive.vntext import nfc
from indexer.extract.syllable import is_syllable

VERSION = "3"  # bump when a rule or a threshold changes what comes out
DOUBT_CONF = 93.0  # a valid syllable read above this confidence is never replaced
MIN_CONTEXT = 3  # times the candidate must be seen next to a neighbour (valid words)
MIN_CONTEXT_INVALID = 1  # the same for an unknown or invalid syllable
MARGIN = 4.0  # natural-log score a candidate must win by over the reading (valid words)
MARGIN_INVALID = 1.0  # the same for an invalid syllable
MIN_CONTEXT_UNSEEN = 2  # a valid syllable never seen on clean pages: between the two
MARGIN_UNSEEN = 3.0
UNSEEN_CONF = 95.0  # and read with less confidence than this
RUNNER_UP = 2.0  # and over the second-best candidate
MIN_VOCAB_COUNT = 2  # a syllable seen fewer times on clean pages is not a candidate
# a valid syllable read with confidence (≥ DOUBT_CONF) is replaced only when neither pair it
# makes is ever seen and the candidate is seen this often with each neighbour, winning by
MIN_SIDE_SURE = 2
MIN_ONE_SIDE_SURE = 20  # or this often with one of them (*quản / tý* → *quản lý*)
MARGIN_SURE = 6.0

_LETTERS = re.compile(r"^([^\w]*)([^\W\d_]+)([^\w]*)$", re.UNICODE)
# two syllables joined by a speck read as a mark: "xuất,phải", "hành.nội", "tiêu-phát"
_JOINED = re.compile(r"^([^\w]*)([^\W\d_]+)([.,:;'\-]{1,2})([^\W\d_]+)([^\w]*)$", re.UNICODE)
_SENTENCE_END = (".", "!", "?")
_DASHES = ("–", "-", "—")
_ROMAN = re.compile(r"^[IVXLCDM]+$")


@dataclass
class SyllableModel:
    """What the clean pages say: syllable counts (lower case), counts of neighbouring pairs
    within a paragraph, how often a syllable is capitalised in mid-sentence, which marks
    start a word, and which syllables a mark follows before a word in lower case."""

    unigrams: Counter[str] = field(default_factory=Counter)
    bigrams: Counter[tuple[str, str]] = field(default_factory=Counter)
    mid_lower: Counter[str] = field(default_factory=Counter)  # lower case in mid-sentence
    mid_title: Counter[str] = field(default_factory=Counter)  # Capitalised in mid-sentence
    leading: Counter[str] = field(default_factory=Counter)  # first mark of a word ("“")
    mark_before_lower: Counter[tuple[str, str]] = field(default_factory=Counter)
    trailing: Counter[str] = field(default_factory=Counter)  # marks that end a word (each one)
    sentence_start: Counter[str] = field(default_factory=Counter)  # Capitalised after . ! ?
    pair_mark: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (a, ",", b)
    dash_pair: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (a, "–", b)
    tokens: int = 0
    fingerprint: str = ""
    _deletes: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _total: int = 0

    @property
    def total(self) -> int:
        return self._total

    def add_text(self, text: str) -> None:
        """Count the syllables of ``text`` and the pairs of neighbours within a paragraph
        (across line breaks and punctuation: *cần, kiệm, liêm, chính* are pairs)."""
        for para in re.split(r"\n\s*\n", nfc(text)):
            prev, prev_trail, dashed = "", ".", ("", "")
            for line in para.splitlines():
                for k, token in enumerate(line.split()):
                    self.tokens += 1
                    m = _LETTERS.match(token)
                    if m is None:
                        dashed = (prev, token) if token in _DASHES and prev and \
                            not prev_trail else ("", "")
                        prev, prev_trail = "", token[-1:]
                        continue
                    lead, core, trail = m.groups()
                    word = core.lower()
                    if dashed[0] and not lead:
                        self.dash_pair[(dashed[0], dashed[1], word)] += 1
                    dashed = ("", "")
                    if lead:
                        self.leading[lead[0]] += 1
                    for ch in set(trail):
                        self.trailing[ch] += 1
                    self.unigrams[word] += 1
                    if prev_trail[-1:] in _SENTENCE_END and not lead and _title(core):
                        self.sentence_start[word] += 1
                    if prev:
                        self.bigrams[(prev, word)] += 1
                        if prev_trail:
                            self.pair_mark[(prev, prev_trail[-1], word)] += 1
                        if prev_trail and core[:1].islower():
                            self.mark_before_lower[(prev, prev_trail[-1])] += 1
                    # mid-sentence: a word before it on the same line, nothing between (a
                    # line break may end a heading or a masthead line without a mark)
                    if k > 0 and prev and not lead and not prev_trail:
                        if core.islower():
                            self.mid_lower[word] += 1
                        elif core[:1].isupper() and core[1:].islower():
                            self.mid_title[word] += 1
                    prev, prev_trail = word, trail

    def finish(self) -> SyllableModel:
        """Index the vocabulary for one-edit lookups (call after the last add_text)."""
        deletes: dict[str, list[str]] = {}
        for word, count in self.unigrams.items():
            if count < MIN_VOCAB_COUNT:
                continue
            for d in _deletes1(word):
                deletes.setdefault(d, []).append(word)
        self._deletes = deletes
        self._total = sum(self.unigrams.values())
        if not self.fingerprint:
            h = hashlib.sha256()
            for word, count in sorted(self.unigrams.items()):
                h.update(f"{word}\t{count}\n".encode())
            h.update(repr(sorted(self.leading.items())).encode())
            self.fingerprint = h.hexdigest()[:12]
        return self

    def known(self, word: str) -> bool:
        return self.unigrams.get(word, 0) >= MIN_VOCAB_COUNT

    def neighbours(self, word: str) -> set[str]:
        """Vocabulary syllables at one edit (substitution, insertion or deletion) of ``word``."""
        found: set[str] = set()
        shorter = _deletes1(word)
        for d in {word, *shorter}:
            for cand in self._deletes.get(d, ()):
                if cand != word and one_edit(word, cand):
                    found.add(cand)
        found.update(d for d in shorter if self.known(d))
        return found


def _title(core: str) -> bool:
    return core[:1].isupper() and (len(core) == 1 or core[1:].islower())


def build_model(texts: Iterable[str]) -> SyllableModel:
    model = SyllableModel()
    for text in texts:
        model.add_text(text)
    return model.finish()


def _deletes1(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one character changed, added or dropped."""
    if a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    if abs(len(a) - len(b)) != 1:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


@dataclass(frozen=True)
class Correction:
    index: int  # the word's index on the page
    raw: str  # as OCR read it (the whole token, punctuation included)
    corrected: str
    reason: str  # "invalid", "unseen" (valid, never on a clean page) or "context"

    def to_row(self) -> list[object]:
        return [self.index, self.raw, self.corrected, self.reason]

    @classmethod
    def from_row(cls, row: Sequence[object]) -> Correction:
        return cls(int(str(row[0])), str(row[1]), str(row[2]), str(row[3]))


def _recase(like: str, word: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _score(model: SyllableModel, prev: str, word: str, nxt: str) -> tuple[float, int]:
    """log P(word) + log P(word | prev) + log P(next | word), add-one smoothed; and the
    number of times the word is seen next to either neighbour."""
    v = len(model.unigrams) + 1
    total = model.total + v
    uni = model.unigrams.get(word, 0)
    score = math.log((uni + 1) / total)
    context = 0
    if prev:
        n = model.bigrams.get((prev, word), 0)
        context += n
        score += math.log((n + 1) / (model.unigrams.get(prev, 0) + v))
        score -= math.log((uni + 1) / total)  # conditional replaces the unigram term
    if nxt:
        n = model.bigrams.get((word, nxt), 0)
        context += n
        score += math.log((n + 1) / (uni + v))
    return score, context


def correct(tokens: Sequence[str], confs: Sequence[float], lines: Sequence[int],
            blocks: Sequence[int], model: SyllableModel, *,
            undone: frozenset[tuple[str, str]] = frozenset(),
            boxes: Sequence[tuple[float, float, float, float]] | None = None,
            noisy: bool = False) -> list[Correction]:
    """Corrections for one page's words (tokens in reading order with their confidence,
    line and block numbers). ``undone``: (raw, corrected) pairs an editor has undone on this
    page. ``noisy``: the page was read with Tesseract's heavy noise reduction (a noisy copy,
    ``textord_heavy_nr=1``), which cleans away faint dots and thin dashes with the specks;
    on such a page, and with the words' ``boxes`` (x0, y0, x1, y1, any unit), a full stop
    lost at the end of a line (:func:`_lost_stop`) and a dash lost between two words
    (:func:`_lost_dash`) are put back."""
    if not model.unigrams:
        return []
    parsed: list[tuple[str, str, str] | None] = []
    for token in tokens:
        m = _LETTERS.match(token)
        parsed.append((m.group(1), m.group(2), m.group(3)) if m else None)
    # the letters first, each judged by its neighbours as read; then marks and case,
    # judged by the neighbours as corrected (*chính. trì* → *chính trị*)
    syllables = [_syllable(model, parsed, lines, blocks, confs, i, noisy)
                 if p is not None else None for i, p in enumerate(parsed)]
    fixed_parsed = [(p[0], s[0], p[2]) if p is not None and s is not None else p
                    for p, s in zip(parsed, syllables)]
    out: list[Correction] = []
    for i, p in enumerate(parsed):
        if p is None:
            new, reason = _split(model, tokens[i]), "split"
            if new is not None and new != tokens[i] and (tokens[i], new) not in undone:
                out.append(Correction(i, tokens[i], new, reason))
            continue
        lead, core, trail = p
        reasons = []
        new_lead, new_trail = _marks(model, fixed_parsed, lines, blocks,
                                     boxes if noisy else None, i)
        if (new_lead, new_trail) != (lead, trail):
            reasons.append("mark")
        new_core = core
        fixed = syllables[i]
        if fixed is not None:
            new_core, reason = fixed
            reasons.append(reason)
        if _lower_case(model, parsed, lines, blocks, confs, i, new_core, noisy):
            new_core = new_core.lower()
            reasons.append("case")
        elif _mixed(new_core) and model.known(new_core.lower()) and \
                is_syllable(new_core[0] + new_core[1:].lower()):
            new_core = new_core[0] + new_core[1:].lower()  # not *ThS*, *TTg*: not syllables
            reasons.append("case")
        new = new_lead + new_core + new_trail
        dash = _lost_dash(model, parsed, lines, i) if noisy and not new_trail else ""
        if dash:
            new += " " + dash
            reasons.append("dash")
        if not reasons or new == tokens[i] or (tokens[i], new) in undone:
            continue
        out.append(Correction(i, tokens[i], new, "+".join(reasons)))
    return out


STRAY_LEAD = 1e-4  # a mark that starts fewer than this share of clean words is a speck
STRAY_MARKS = ".:;"  # marks after a word that a following lower-case word can disprove
SPECK_MARKS = ":"  # the same, disproved only by the pair itself (never written with it)
MIN_BARE_PAIR = 5  # times the clean pages write the pair with nothing between, for the above
# a comma is disproved only inside a word of two syllables the clean pages write together
# this often and never with a comma (*chi, bộ*, *đảng, viên*): a comma may end any clause
MIN_BARE_COMPOUND = 50
MIN_SENTENCE_START = 10  # times a word starts a sentence before a lost stop is put back
FULL_LINE = 0.08  # a line ending this share of the block's width from its right edge is full
# letters whose capital has the small one's shape: OCR guesses their case from their height,
# so after a full stop *các*, *ông*, *ở* may be *Các*, *Ông*, *Ở* misread (the stop is kept
# where the clean pages end a sentence between the two words: *nhân dân. Chi bộ*)
_SAME_SHAPE = frozenset("cosuvwxz")


def _same_shape(core: str) -> bool:
    return unicodedata.normalize("NFD", core[:1].lower())[:1] in _SAME_SHAPE


def _strip_rare(model: SyllableModel, trail: str) -> str:
    if not model.tokens:
        return trail
    return "".join(ch for ch in trail if model.trailing.get(ch, 0) >= STRAY_LEAD * model.tokens)


def _bare(model: SyllableModel, a: str, b: str) -> int:
    """Times the clean pages write ``a b`` with no mark between."""
    n = model.bigrams.get((a, b), 0)
    if n:
        n -= sum(model.pair_mark.get((a, m, b), 0) for m in _PAIR_MARKS)
    return n


_PAIR_MARKS = ".,:;!?-–)”\"'"


def _marks(model: SyllableModel, parsed: Sequence[tuple[str, str, str] | None],
           lines: Sequence[int], blocks: Sequence[int],
           boxes: Sequence[tuple[float, float, float, float]] | None,
           i: int) -> tuple[str, str]:
    """The word's leading and trailing marks without specks of toner read as punctuation:
    a leading or trailing mark the clean pages almost never start or end a word with
    (*'xã*, *.chữ*, *mới.'*); a trailing *.* *:* *;* before a word in lower case where the
    clean pages join the two words often and never put that mark after the first
    (*ruộng. đồng*); a trailing *,* *:* the clean pages never write between the two words
    while they often write them with nothing between (*đưa, vào*). And a full stop lost at
    the end of a sentence (a faint dot Tesseract drops), put back before a word that starts
    sentences and is never capitalised in mid-sentence (*khác hẳn Thực hiện*)."""
    p = parsed[i]
    assert p is not None
    lead, core, trail = p
    if lead and model.tokens:
        while lead and model.leading.get(lead[0], 0) < STRAY_LEAD * model.tokens:
            lead = lead[1:]
    trail = _strip_rare(model, trail)
    if len(trail) == 2 and trail[0] in ",.;:" and trail[1] in STRAY_MARKS:
        trail = trail[0]  # "thôn,:" — a speck after a mark
    nxt_p = parsed[i + 1] if i + 1 < len(parsed) and blocks[i + 1] == blocks[i] else None
    word = core.lower()
    if len(trail) == 1 and nxt_p is not None and not nxt_p[0] and nxt_p[1][:1].islower() \
            and not (trail in _SENTENCE_END and _same_shape(nxt_p[1]) and
                     model.pair_mark.get((word, trail, nxt_p[1].lower()), 0) > 0):
        nxt = nxt_p[1].lower()
        never_after = model.mark_before_lower.get((word, trail), 0) == 0
        never_between = model.pair_mark.get((word, trail, nxt), 0) == 0
        if (trail in STRAY_MARKS and never_after
                and model.bigrams.get((word, nxt), 0) >= MIN_CONTEXT) or \
                (trail in SPECK_MARKS and never_between
                 and _bare(model, word, nxt) >= MIN_BARE_PAIR) or \
                (trail == "," and never_between
                 and _bare(model, word, nxt) >= MIN_BARE_COMPOUND):
            trail = ""
    if not trail and boxes is not None and _lost_stop(model, parsed, lines, blocks, boxes, i):
        trail = "."
    return lead, trail


def _lost_stop(model: SyllableModel, parsed: Sequence[tuple[str, str, str] | None],
               lines: Sequence[int], blocks: Sequence[int],
               boxes: Sequence[tuple[float, float, float, float]], i: int) -> bool:
    """A full stop lost at the end of a line of body text: the word ends its line, the next
    line starts with a word the clean pages start sentences with and never capitalise in
    mid-sentence, and the line is a paragraph's: it reaches the block's right edge (the
    sentence ended there) with the next line in the same block, or it is a paragraph's
    last line after a full one. A short line alone (a heading, a masthead) is left."""
    p = parsed[i]
    assert p is not None
    core = p[1]
    if not core.islower() or not is_syllable(core) or not model.known(core):
        return False
    if i + 1 >= len(parsed) or lines[i + 1] == lines[i]:
        return False
    q = parsed[i + 1]
    if q is None or q[0] or len(q[1]) < 2 or not _title(q[1]) or q[2][:1] == ":":
        return False  # not a sentence, or a label (*Hỏi:*)
    if i + 2 < len(parsed) and parsed[i + 2] is None:
        return False  # a label before a number: *Số 3*, *Điều 5*
    nxt = q[1].lower()
    starts = model.sentence_start.get(nxt, 0)
    if starts < MIN_SENTENCE_START or model.mid_title.get(nxt, 0) * 100 > starts:
        return False
    right = max(boxes[j][2] for j in range(len(boxes)) if blocks[j] == blocks[i])
    width = right - min(boxes[j][0] for j in range(len(boxes)) if blocks[j] == blocks[i])
    full = boxes[i][2] >= right - FULL_LINE * width
    if full:
        return blocks[i + 1] == blocks[i]
    # a short line: the last of a paragraph when the line before it, in the same block,
    # was full and did not end a sentence, and this line goes on with that sentence (a
    # line that starts one stands alone: a title under an article's last line that lost
    # its own full stop, *Nông dân Yên Phúc khẩn trương xuống đồng*)
    k = i
    while k >= 0 and lines[k] == lines[i]:
        k -= 1
    if k < 0 or blocks[k] != blocks[i] or boxes[k][2] < right - FULL_LINE * width:
        return False
    prev = parsed[k]
    return prev is not None and not prev[2] and not _starts_sentence(model, prev,
                                                                     parsed[k + 1])


def _starts_sentence(model: SyllableModel, before: tuple[str, str, str],
                     p: tuple[str, str, str] | None) -> bool:
    """A word at a line's start that begins a sentence rather than going on with the one the
    line above left open: capitalised, the clean pages start sentences with it more often
    than they capitalise it in mid-sentence, and never write it after the word above."""
    if p is None or p[0] or not _title(p[1]):
        return False
    word = p[1].lower()
    starts = model.sentence_start.get(word, 0)
    return (starts >= MIN_SENTENCE_START and model.mid_title.get(word, 0) <= starts
            and not model.bigrams.get((before[1].lower(), word), 0))


MIN_DASH = 3  # times the clean pages write "a – b" before a lost dash is put back


def _lost_dash(model: SyllableModel, parsed: Sequence[tuple[str, str, str] | None],
               lines: Sequence[int], i: int) -> str:
    """The dash Tesseract drops between two words on a noisy copy (a thin stroke cleaned
    away as noise: *kinh tế xã hội*, *Ban Tư tưởng Văn hóa*): put back where the clean
    pages write the two words with a dash between at least :data:`MIN_DASH` times and four
    times as often as without. Returns the dash, or ''."""
    p = parsed[i]
    assert p is not None
    if i + 1 >= len(parsed) or lines[i + 1] != lines[i]:
        return ""
    q = parsed[i + 1]
    if q is None or q[0]:
        return ""
    a, b = p[1].lower(), q[1].lower()
    best = max(((n, d) for d in _DASHES if (n := model.dash_pair.get((a, d, b), 0))),
               default=(0, ""))
    if best[0] < MIN_DASH or best[0] < 4 * model.bigrams.get((a, b), 0):
        return ""
    return best[1]


def _split(model: SyllableModel, token: str) -> str | None:
    """Two syllables joined by a speck read as a mark (*xuất,phải*, *hành.nội*,
    *tiêu-phát*): split when the clean pages write the pair often; the mark is kept
    (followed by a space) only where they write it between the two."""
    m = _JOINED.match(token)
    if m is None:
        return None
    lead, a, mark, b, trail = m.groups()
    if not b[:1].islower():
        return None  # *Mác-Lênin*, *Nam.Định*: names, not specks
    if not (is_syllable(a) and is_syllable(b) and model.known(a.lower())
            and model.known(b.lower())):
        return None
    la, lb = a.lower(), b.lower()
    if model.bigrams.get((la, lb), 0) < MIN_CONTEXT:
        return None
    kept = mark[:1] if mark[:1] in ",;:" else ""
    if kept and model.pair_mark.get((la, kept, lb), 0) < max(MIN_CONTEXT, _bare(model, la, lb)):
        kept = ""
    return f"{lead}{a}{kept} {b}{trail}"


def _syllable(model: SyllableModel, parsed: Sequence[tuple[str, str, str] | None],
              lines: Sequence[int], blocks: Sequence[int], confs: Sequence[float],
              i: int, noisy: bool = False) -> tuple[str, str] | None:
    """(the corrected letters, the reason) when a one-edit neighbour is clearly the word.
    On a noisy copy Tesseract is confidently wrong often enough (a worn *l* read as *t*
    at 96) that a valid syllable read with confidence is judged too, on stronger evidence;
    elsewhere a confident reading stands."""
    p = parsed[i]
    assert p is not None
    core = p[1]
    word = core.lower()
    if len(word) > 7:
        return None
    if core.isupper() and len(core) > 1 and _caps_line(parsed, lines, i):
        return None  # headings in capitals: too few of them on clean pages to judge
    if _ROMAN.match(core):
        return None  # a Roman numeral (khóa XIII) is not a syllable
    well_formed = is_syllable(core)
    valid = well_formed and model.known(word)
    sure = valid and confs[i] >= DOUBT_CONF
    if sure and not noisy:
        return None
    prev = _context(parsed, blocks, i, -1)
    nxt = _context(parsed, blocks, i, +1)
    if not prev and not nxt or sure and not (prev and nxt):
        return None
    candidates = model.neighbours(word)
    if not candidates:
        return None
    base, base_ctx = _score(model, prev, word, nxt)
    scored = sorted(((*_score(model, prev, c, nxt), c) for c in candidates), reverse=True)
    best, best_ctx, cand = scored[0]
    second = scored[1][0] if len(scored) > 1 else -math.inf
    if sure:
        # read with confidence: both neighbours must reject the reading and take the other
        reason = "context"
        left, right = model.bigrams.get((prev, cand), 0), model.bigrams.get((cand, nxt), 0)
        ok = (base_ctx == 0 and best - base >= MARGIN_SURE
              and (min(left, right) >= MIN_SIDE_SURE or max(left, right) >= MIN_ONE_SIDE_SURE))
    elif valid:
        reason = "context"
        ok = (base_ctx == 0 and best_ctx >= MIN_CONTEXT and best - base >= MARGIN)
    elif well_formed:
        reason = "unseen"
        ok = (confs[i] < UNSEEN_CONF and best_ctx >= MIN_CONTEXT_UNSEEN and
              best - base >= MARGIN_UNSEEN)
    else:
        reason = "invalid"
        ok = best_ctx >= MIN_CONTEXT_INVALID and best - base >= MARGIN_INVALID
    if not ok or best - second < RUNNER_UP:
        return None
    return _recase(core, cand), reason


MIN_LOWER = 20  # mid-sentence uses in lower case before a capital is called a misreading


def _lower_case(model: SyllableModel, parsed: Sequence[tuple[str, str, str] | None],
                lines: Sequence[int], blocks: Sequence[int], confs: Sequence[float], i: int,
                core: str, noisy: bool = False) -> bool:
    """A Capitalised word in mid-sentence (a lower-case word before it, nothing between)
    that the clean pages write in lower case there often and capitalised never
    (*Làm*, *Lợi*: OCR reads a typewriter's *l* as *L*). At the start of a line (which may
    start a heading) only on a noisy copy, where the clean pages write the pair and seldom
    start a sentence with the word (*đảng / Viên*)."""
    p = parsed[i]
    assert p is not None
    if len(core) < 2 or not (core[0].isupper() and core[1:].islower()) or p[0]:
        return False
    if i == 0 or blocks[i - 1] != blocks[i]:
        return False
    line_start = lines[i - 1] != lines[i]
    if line_start and not noisy:
        return False
    if i + 1 < len(parsed) and parsed[i + 1] is None:
        return False  # a label before a number or a mark: *Số 3*, *Điều 5*
    q = parsed[i - 1]
    if q is None or q[2] or not q[1].islower():
        return False
    word = core.lower()
    if model.mid_lower.get(word, 0) < MIN_LOWER or model.mid_title.get(word, 0) != 0:
        return False
    if confs[i] < DOUBT_CONF and not line_start:
        return True
    # read with confidence, or at a line start: only where the clean pages write the pair itself and seldom
    # start a sentence with the word (a capital after a lost full stop is right)
    return (model.bigrams.get((q[1].lower(), word), 0) >= MIN_CONTEXT
            and model.sentence_start.get(word, 0) < MIN_SENTENCE_START)


def _mixed(core: str) -> bool:
    """Capitals after a small letter (*cHáu*, *ánH*) or small letters between capitals
    (*THu*): no Vietnamese word is written so; OCR guesses the case of letters whose
    capital has the small one's shape (*h* is not one, but a worn one is) by height."""
    rest = core[1:]
    return len(core) >= 2 and not rest.isupper() and not rest.islower() and \
        any(c.isupper() for c in rest) or (core[:1].islower() and any(c.isupper() for c in rest))


def _context(parsed: Sequence[tuple[str, str, str] | None], blocks: Sequence[int], i: int,
             step: int) -> str:
    """The neighbouring syllable within the block, as the model counts pairs."""
    j = i + step
    if j < 0 or j >= len(parsed) or blocks[j] != blocks[i]:
        return ""
    p = parsed[j]
    return p[1].lower() if p is not None else ""


def _caps_line(parsed: Sequence[tuple[str, str, str] | None], lines: Sequence[int],
               i: int) -> bool:
    same = [p for j, p in enumerate(parsed) if lines[j] == lines[i] and p is not None]
    return sum(p[1].isupper() for p in same) * 2 > len(same)


def apply(tokens: Sequence[str], corrections: Iterable[Correction]) -> list[str]:
    out = list(tokens)
    for c in corrections:
        if out[c.index] == c.raw:
            out[c.index] = c.corrected
    return out


def retext(text: str, tokens: Sequence[str]) -> str:
    """``text`` (whose white-space-separated tokens are the page's words, as OCR pages are
    built) with its tokens replaced by ``tokens``, line and block breaks kept."""
    parts = re.split(r"(\s+)", text)
    out, k = [], 0
    for part in parts:
        if part and not part.isspace():
            out.append(tokens[k] if k < len(tokens) else part)
            k += 1
        else:
            out.append(part)
    return nfc("".join(out)) if k == len(tokens) else nfc(" ".join(tokens))


def key(model: SyllableModel) -> str:
    """What a page's corrections depend on besides its raw words."""
    return f"ocrcorrect{VERSION}@{model.fingerprint}"


# --- the catalog: a step at the end of the extract stage ----------------------------------

MIN_MODEL_SYLLABLES = 300  # fewer distinct syllables on clean pages: too little to judge by


@dataclass
class CorrectReport:
    pages: int = 0  # OCR pages (re)corrected in this run
    current: int = 0
    words: int = 0  # words on the pages corrected
    corrections: int = 0
    model: str = ""


def model_from_catalog(catalog: Catalog) -> SyllableModel:
    """The language model: the archive's own born-digital and legacy-font pages."""
    return build_model(r["text"] for r in catalog.query(
        "SELECT text FROM page_text WHERE method IN ('text', 'legacy') ORDER BY page_id"))


def noisy_read(note: str) -> bool:
    """Whether a page was read with Tesseract's heavy noise reduction (its note, written by
    ``indexer.extract.ocr``, says ``textord_heavy_nr=1``)."""
    return "textord_heavy_nr=1" in note


def _undone(catalog: Catalog) -> dict[str, frozenset[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    for r in catalog.query("SELECT page_id, raw, corrected FROM ocr_undo"):
        out.setdefault(r["page_id"], set()).add((r["raw"], r["corrected"]))
    return {k: frozenset(v) for k, v in out.items()}


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def raw_words_json(page_text_row: sqlite3.Row, raw_row: sqlite3.Row | None) -> str:
    """The raw OCR words (JSON) of a page: ``ocr_raw``'s when page_text holds what the
    corrector wrote from that read, else page_text's own (a read not corrected yet)."""
    if (raw_row is not None and raw_row["sha256"] == page_text_row["sha256"]
            and raw_row["settings_key"] == page_text_row["settings_key"]
            and raw_row["applied_sha"] == _sha(page_text_row["text"])):
        return str(raw_row["words"])
    return str(page_text_row["words"])


def run_corrections(catalog: Catalog, *, page_ids: Iterable[str] | None = None,
                    model: SyllableModel | None = None) -> CorrectReport:
    """Correct every OCR page whose raw read, model or undo list changed since it was last
    corrected (or ``page_ids``); page_text gets the corrected words, ocr_raw the raw ones.
    One transaction per page."""
    model = model if model is not None else model_from_catalog(catalog)
    usable = len(model.unigrams) >= MIN_MODEL_SYLLABLES
    report = CorrectReport(model=key(model) if usable else "none")
    undone = _undone(catalog)
    wanted = set(page_ids) if page_ids is not None else None
    rows = catalog.query(
        "SELECT t.page_id, t.sha256, t.settings_key, t.text, t.words, t.note, r.sha256 AS raw_sha,"
        " r.settings_key AS raw_key, r.text AS raw_text, r.words AS raw_words, r.corrector,"
        " r.applied_sha FROM page_text t LEFT JOIN ocr_raw r ON r.page_id = t.page_id"
        " WHERE t.method = 'ocr'")
    for r in rows:
        page_id = r["page_id"]
        if wanted is not None and page_id not in wanted:
            continue
        undo = undone.get(page_id, frozenset())
        state = f"{report.model}|undo={_sha(repr(sorted(undo)))[:8] if undo else '-'}"
        fresh = (r["raw_sha"] is None or r["raw_sha"] != r["sha256"] or
                 r["raw_key"] != r["settings_key"] or r["applied_sha"] != _sha(r["text"]))
        if not fresh and r["corrector"] == state:
            report.current += 1
            continue
        raw_text, raw_json = ((r["text"], r["words"]) if fresh else
                              (r["raw_text"], r["raw_words"]))
        words = [Word.from_row(w) for w in json.loads(raw_json)]
        fixes = (correct([w.text for w in words], [w.conf for w in words],
                         [w.line for w in words], [w.block for w in words], model,
                         undone=undo, boxes=[w.box for w in words],
                         noisy=noisy_read(r["note"])) if usable else [])
        if fixes:
            texts = apply([w.text for w in words], fixes)
            new_words = [replace(w, text=t) for w, t in zip(words, texts)]
            text = retext(raw_text, texts)
            stored = words_json(new_words)
        else:
            text, stored = raw_text, raw_json
        with catalog.transaction() as db:
            db.execute("UPDATE page_text SET text = ?, words = ? WHERE page_id = ? AND sha256 = ?",
                       (text, stored, page_id, r["sha256"]))
            db.execute(
                "INSERT OR REPLACE INTO ocr_raw(page_id, sha256, settings_key, text, words,"
                " corrector, corrections, applied_sha) VALUES (?,?,?,?,?,?,?,?)",
                (page_id, r["sha256"], r["settings_key"], raw_text, raw_json, state,
                 json.dumps([f.to_row() for f in fixes], ensure_ascii=False), _sha(text)))
        report.pages += 1
        report.words += len(words)
        report.corrections += len(fixes)
    return report


def page_corrections(catalog: Catalog, page_id: str) -> list[Correction]:
    """The automatic corrections in force on a page (empty when none or not corrected)."""
    row = catalog.one("SELECT corrections FROM ocr_raw WHERE page_id = ?", (page_id,))
    return [Correction.from_row(c) for c in json.loads(row["corrections"])] if row else []


def page_undos(catalog: Catalog, page_id: str) -> list[tuple[str, str, str, str]]:
    """(raw, corrected, author, at) of the corrections an editor undid on a page."""
    return [(r["raw"], r["corrected"], r["author"], r["at"]) for r in catalog.query(
        "SELECT raw, corrected, author, at FROM ocr_undo WHERE page_id = ? ORDER BY at",
        (page_id,))]


def raw_page(catalog: Catalog, page_id: str) -> tuple[str, list[Word]] | None:
    """The raw OCR text and words of a corrected page, or None."""
    row = catalog.one("SELECT text, words FROM ocr_raw WHERE page_id = ?", (page_id,))
    if row is None:
        return None
    return row["text"], [Word.from_row(w) for w in json.loads(row["words"])]


def undo_correction(catalog: Catalog, page_id: str, raw: str, corrected: str, *,
                    author: str) -> bool:
    """An editor undoes the correction ``raw`` → ``corrected`` on a page: kept for good and
    applied at once (the page's machine text gets the raw word back). False when the page
    has no such correction."""
    if not any(c.raw == raw and c.corrected == corrected
               for c in page_corrections(catalog, page_id)):
        return False
    with catalog.transaction() as db:
        db.execute("INSERT OR IGNORE INTO ocr_undo(page_id, raw, corrected, author, at)"
                   " VALUES (?,?,?,?,?)", (page_id, raw, corrected, author, now()))
        db.execute("INSERT OR REPLACE INTO reindex_queue(doc_id, kind, at) VALUES (?, 'page', ?)",
                   (page_id, queue_stamp()))
    run_corrections(catalog, page_ids=[page_id])
    return True


def redo_correction(catalog: Catalog, page_id: str, raw: str, corrected: str) -> bool:
    """Withdraw an editor's undo: the corrector may make that correction again."""
    with catalog.transaction() as db:
        gone = db.execute("DELETE FROM ocr_undo WHERE page_id = ? AND raw = ? AND corrected = ?",
                          (page_id, raw, corrected)).rowcount
        if gone:
            db.execute("INSERT OR REPLACE INTO reindex_queue(doc_id, kind, at)"
                       " VALUES (?, 'page', ?)", (page_id, queue_stamp()))
    if gone:
        run_corrections(catalog, page_ids=[page_id])
    return bool(gone)
