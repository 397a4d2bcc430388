"""Evaluating a query tree on whole posting lists with numpy: matching, BM25, filters.

No search engine is imported here: :class:`Snapshot` is what one index generation offers
(postings as arrays, per-document attributes, lengths, live documents), filled by the
engine's reader (``indexer/search/engine.py`` over Whoosh), and :class:`Evaluator` turns a tree of
:mod:`indexer.search.query` into sorted document numbers with scores.

Why arrays: Whoosh walks postings one Python call per document and recomputes a filter on
every query; here a term in every one of 250,000 articles, a phrase of common syllables or a
filter over the whole archive all cost a few array operations. Phrases are matched on
syllable bigrams and their positions; filters are boolean masks cached per generation.

The matching rule, per word (issue 13): a word typed with any diacritic (or đ) matches only
that word (the ``x`` field: lower case, NFC, one tone placement); a word typed without any
matches every spelling (the folded ``f`` field). Inside a phrase the same holds word by
word: the folded bigrams give the candidate places and the exact positions of the marked
words (``x`` keeps positions in the same numbering) keep those where the marked words are
written as typed. A near spelling (``~``, *tìm gần đúng*) is the deliberate exception: it
searches the folded field.

Possible hits: an :class:`Evaluator` given ``low`` (documents whose OCR is below the
low-confidence setting) also lets a marked word match its folded form in those documents,
and in any document where that folded word was read below the setting (the ``lw`` field,
filled at indexing from the page words' confidences), so :func:`certain_and_possible` can
report the documents found only that way apart from the certain ones (OCR may have dropped
or changed a mark there).

Ranking is BM25 (k1 1.2, b 0.75), plus: title matches, adjacent query words found side by
side. Every statistic comes from the live documents only, so a request gives the same
scores whether the index was built in one run or updated piece by piece.

Why one module of about 700 lines: matching (certain and possible), ranking and filtering walk
the same query tree over the same snapshot arrays; split, every function would pass those arrays
and the tree across a module boundary. It is the next module to split (matching apart from
ranking) when it grows again.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property, reduce
from typing import Any

import numpy as np

from archive.vntext import match_key
from indexer.search.postings import PositionLists
from indexer.search.query import And, Everything, Node, Not, Or, Phrase, SearchRequest, Term
from indexer.search.tokens import bigrams, ref_key

K1, B = 1.2, 0.75
TITLE_BOOST = 0.5  # a match in the title counts this much more
EXACT_BOOST = 1.5  # extra for the exact spelling of a word typed with diacritics
NEAR_BOOST = 8.0  # extra when two words typed side by side are side by side in the text
FUZZY_WEIGHT = 0.6  # a near spelling (``~``) counts this much of an exact one
CITED_WEIGHT = 0.5  # an article citing a searched document (analysis stage), once, in any words
FUZZY_MIN_CHARS = 4  # shorter syllables have too many neighbours at one edit


# *nghị quyết 21*, *chỉ thị số 05*: the kind of a document in words, then its number
DOC_KINDS = {
    ("nghi", "quyet"): ("nq",), ("chi", "thi"): ("ct",), ("ket", "luan"): ("kl",),
    ("quy", "dinh"): ("qdi", "qd"), ("huong", "dan"): ("hd",), ("ke", "hoach"): ("kh",),
    ("thong", "bao"): ("tb",), ("quyet", "dinh"): ("qd",), ("nghi", "dinh"): ("nd",),
    ("thong", "tu"): ("tt",), ("chuong", "trinh"): ("ctr",), ("de", "an"): ("da",),
}


Names = dict[tuple[str, ...], tuple[str, ...]]  # folded words of a name → identifier tokens


@dataclass(frozen=True)
class Mention:
    """Words ``items[start:end]`` of a query that name a document: by a name the register
    knows (``keys``: *nghị quyết trung ương 4 khóa XII*), or by kind and number
    (``doc_types`` and ``number``: *nghi quyet 21*)."""

    start: int
    end: int
    keys: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    number: str = ""


def _plain(node: Node) -> str | None:
    return node.folded if isinstance(node, Term) and not node.fuzzy else None


def document_mentions(items: tuple[Node, ...], names: Names | None = None) -> list[Mention]:
    """Runs of plain words naming a document: a register name (longest first), or a kind
    and a number (*nghi quyet 21*, *chỉ thị số 5*; the number as identifiers write it)."""
    names = names or {}
    words = [_plain(n) for n in items]
    longest = max(map(len, names), default=0)
    out: list[Mention] = []
    i = 0
    while i < len(items):
        run = next((tuple(words[i:i + n]) for n in range(min(longest, len(items) - i), 1, -1)
                    if tuple(words[i:i + n]) in names), None)
        if run is not None:
            out.append(Mention(i, i + len(run), keys=names[run]))  # type: ignore[index]
            i += len(run)
            continue
        kinds = DOC_KINDS.get((words[i] or "", words[i + 1] or "")) if i + 2 < len(items) else None
        j = i + 3 if kinds and words[i + 2] == "so" and i + 3 < len(items) else i + 2
        number = words[j] if kinds else None
        if kinds and number is not None and number.isdigit() and len(number) <= 4:
            out.append(Mention(i, j + 1, doc_types=kinds, number=f"{int(number):02d}"))
            i = j + 1
            continue
        i += 1
    return out


ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii",
         "xiv", "xv", "xvi", "xvii", "xviii", "xix", "xx"]
NUMERAL_AFTER = ("khoa", "hoi", "uong", "nghi", "thu")  # khóa, đại hội, trung ương, hội nghị, lần thứ


def numeral_twins(items: tuple[Node, ...]) -> dict[int, Term]:
    """Congress terms and plenums in the other numerals: *khóa 13* is *khóa XIII*, *đại hội
    XIII* is *đại hội 13*, *trung ương 4* is *trung ương IV* (after *khóa*, *đại hội*, *trung
    ương*, *hội nghị*, *lần thứ*; 1 to 20). Index of the word → its twin."""
    out: dict[int, Term] = {}
    for k in range(1, len(items)):
        prev, word = _plain(items[k - 1]), _plain(items[k])
        if prev not in NUMERAL_AFTER or word is None:
            continue
        if word.isdigit() and 1 <= int(word) <= len(ROMAN):
            twin = ROMAN[int(word) - 1]
        elif word in ROMAN:
            twin = str(ROMAN.index(word) + 1)
        else:
            continue
        out[k] = Term(twin, twin)
    return out


def arabic_numerals(words: tuple[str, ...]) -> tuple[str, ...]:
    """``words`` with the Roman numerals that :func:`numeral_twins` pairs written in Arabic
    (*khoa xi* → *khoa 11*): how register names are also looked up."""
    return tuple(str(ROMAN.index(w) + 1) if k and w in ROMAN and words[k - 1] in NUMERAL_AFTER
                 else w for k, w in enumerate(words))


# --- matches: sorted document numbers with scores ------------------------------------------

@dataclass
class Match:
    ids: np.ndarray  # int64, sorted, unique (global docnums)
    scores: np.ndarray  # float64, aligned

    def __len__(self) -> int:
        return len(self.ids)


def empty() -> Match:
    return Match(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


def union(parts: list[Match]) -> Match:
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty()
    if len(parts) == 1:
        return parts[0]
    ids, inverse = np.unique(np.concatenate([p.ids for p in parts]), return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate([p.scores for p in parts]))
    return Match(ids, scores)


def intersect(a: Match, b: Match) -> Match:
    ids, ia, ib = np.intersect1d(a.ids, b.ids, assume_unique=True, return_indices=True)
    return Match(ids, a.scores[ia] + b.scores[ib])


def minus(a: Match, ids: np.ndarray) -> Match:
    keep = np.isin(a.ids, ids, assume_unique=True, invert=True)
    return Match(a.ids[keep], a.scores[keep])


def boost(a: Match, ids: np.ndarray, scores: np.ndarray) -> Match:
    """``a`` with ``scores`` added where its documents are among ``ids``."""
    if not len(ids) or not len(a):
        return a
    _common, ia, ib = np.intersect1d(a.ids, ids, assume_unique=True, return_indices=True)
    out = a.scores.copy()
    out[ia] += scores[ib]
    return Match(a.ids, out)


@dataclass
class Postings:
    """Live postings of a term: documents, counts, and (positional fields) positions."""

    ids: np.ndarray
    tf: np.ndarray
    values: PositionLists | None = None


@dataclass
class Attribute:
    codes: np.ndarray  # int32 per docnum, into ``values`` (sorted, so codes order like values)
    values: list[str]


class Snapshot:
    """One index generation as arrays, shared by all threads (the engine's reader fills it).

    ``size`` document numbers; ``live`` marks those not deleted; ``attrs`` the one-value
    attributes (codes into sorted values); ``numbers`` year, month and confidence per
    document; ``lengths`` token counts of ``f`` and ``tf``; ``multi`` (documents, codes,
    values) of the many-valued ``topic`` and ``ref``; ``rank`` the date order.
    """

    size: int
    live: np.ndarray
    live_count: int
    attrs: dict[str, Attribute]
    numbers: dict[str, np.ndarray]
    lengths: dict[str, np.ndarray]
    avg: dict[str, float]
    multi: dict[str, tuple[np.ndarray, np.ndarray, list[str]]]
    rank: np.ndarray

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._filters: OrderedDict[tuple[Any, ...], np.ndarray] = OrderedDict()

    def postings(self, fname: str, term: str, values: bool = False) -> Postings:
        """Live postings of ``term`` in field ``fname`` (the engine's reader provides it)."""
        raise NotImplementedError

    def stored(self, docnum: int) -> dict[str, Any]:
        """The stored fields of document ``docnum`` (the engine's reader knows how)."""
        raise NotImplementedError

    def terms_near(self, term: str) -> list[str]:
        """Folded terms one edit from ``term`` (the engine's reader provides it)."""
        raise NotImplementedError

    def terms_from(self, prefix: str) -> list[str]:
        """Folded terms that start with ``prefix`` (the engine's reader provides it)."""
        raise NotImplementedError

    def identifiers(self, doc_types: tuple[str, ...], number: str) -> list[str]:
        """Identifier tokens of documents of one of ``doc_types`` (folded codes: ``nq``)
        numbered ``number``, in the text or cited: ``21-nq/tw``, ``21-nq/tu``, ``21/nq-cp``,
        ``15/2020/nd-cp``."""
        wanted = re.compile(rf"^{number}(?:-(?:{'|'.join(doc_types)})/[a-z0-9]+"
                            rf"|(?:/(?:19|20)[0-9]{{2}})?/(?:{'|'.join(doc_types)})-[a-z0-9]+)$")
        found = {t for t in self.terms_from(f"{number}-") + self.terms_from(f"{number}/")
                 if wanted.match(t)}
        found.update(k for k in self.ref_keys if wanted.match(k))
        return sorted(found)

    @cached_property
    def ref_keys(self) -> list[str]:
        """The token of each cited-document value of ``multi["ref"]``, in the same order
        (normalised once per generation, not at every identifier a query holds)."""
        return [ref_key(v) for v in self.multi["ref"][2]]

    def citing(self, key: str) -> np.ndarray:
        """Live documents whose cited documents (``article_ref``) include the identifier
        whose token is ``key``: found by the citation analysis even where the text names
        it in words (*Luật Phòng, chống tham nhũng*) or OCR damaged the number."""
        docs, codes, _values = self.multi["ref"]
        wanted = [i for i, k in enumerate(self.ref_keys) if k == key]
        if not wanted:
            return np.zeros(0, dtype=np.int64)
        found = np.unique(docs[np.isin(codes, wanted)]).astype(np.int64)
        return found[self.live[found]]

    def filter_mask(self, request: SearchRequest) -> np.ndarray:
        """Documents allowed by the request's filters and target (cached per generation)."""
        key = (request.target, request.series, request.year_from, request.year_to, request.month,
               match_key(request.section), request.kind, request.topic, request.ref_key,
               request.min_conf)
        with self._lock:
            mask = self._filters.get(key)
            if mask is not None:
                self._filters.move_to_end(key)
                return mask
        mask = self._build_mask(request)
        with self._lock:
            self._filters[key] = mask
            while len(self._filters) > 64:
                self._filters.popitem(last=False)
        return mask

    def _build_mask(self, r: SearchRequest) -> np.ndarray:
        mask = self.live.copy()
        scopes = ("article", "orphan") if r.target == "articles" else ("page", "orphan")
        mask &= self._codes_in("scope", scopes)
        if r.series:
            mask &= self._codes_in("series", (r.series,))
        if r.year_from is not None:
            mask &= self.numbers["year"] >= r.year_from
        if r.year_to is not None:
            mask &= self.numbers["year"] <= r.year_to
        if r.month is not None:
            mask &= self.numbers["month"] == r.month
        if r.section:
            wanted = match_key(r.section)
            mask &= self._codes_in("section", [v for v in self.attrs["section"].values
                                               if v and match_key(v) == wanted])
        if r.kind:
            mask &= self._codes_in("kind", (r.kind,))
        if r.min_conf is not None:
            mask &= self.numbers["conf"] >= r.min_conf
        for fname, wanted in (("topic", r.topic), ("ref", r.ref)):
            if wanted:
                docs, codes, values = self.multi[fname]
                key = (lambda v: v) if fname == "topic" else _ref_match
                hit = [i for i, v in enumerate(values) if key(v) == key(wanted)]
                has = np.zeros(self.size, dtype=bool)
                has[docs[np.isin(codes, hit)]] = True
                mask &= has
        return mask

    def _codes_in(self, name: str, values: Any) -> np.ndarray:
        attr = self.attrs[name]
        wanted = [i for i, v in enumerate(attr.values) if v in set(values)]
        return np.isin(attr.codes, wanted)



def int_or_zero(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


def _ref_match(value: str) -> str:
    return ref_key(value)


# --- evaluation ---------------------------------------------------------------------------

class Evaluator:
    """Evaluates one query tree on one generation."""

    def __init__(self, gen: Snapshot, names: Names | None = None,
                 low: np.ndarray | None = None, *, scope: np.ndarray | None = None,
                 cache: dict[tuple[str, str, bool], Postings] | None = None) -> None:
        self.gen = gen
        self.names = names or {}
        self.n = max(gen.live_count, 1)
        # documents (bool per docnum) where a marked word may also match its folded form:
        # set only to find the possible hits (see certain_and_possible)
        self.low = low
        # only these documents are looked at (bool per docnum; None: all)
        self.scope = scope
        # posting lists read in this request, shared by the evaluators of one search
        self.cache: dict[tuple[str, str, bool], Postings] = {} if cache is None else cache
        # expansions used, highlighted too: near spellings (~), identifiers of a document
        # named in words (nghị quyết 21 → 21-nq/tw)
        self.near_terms: set[str] = set()
        self.notes: list[str] = []  # what the reader should know about how the query was read

    def postings(self, fname: str, term: str, values: bool = False) -> Postings:
        """Live postings (read once per request), limited to ``scope``."""
        p = self.cache.get((fname, term, values))
        if p is None:
            p = self.cache[(fname, term, values)] = self.gen.postings(fname, term, values)
        if self.scope is not None and len(p.ids):
            keep = self.scope[p.ids]
            if not keep.all():
                idx = np.flatnonzero(keep)
                p = Postings(p.ids[idx], p.tf[idx], p.values.subset(idx) if p.values is not None else None)
        return p

    def bm25(self, tf: np.ndarray, docs: np.ndarray, df: int, fname: str = "f") -> np.ndarray:
        if not len(docs):
            return np.zeros(0, dtype=np.float64)
        idf = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
        lengths = self.gen.lengths[fname][docs].astype(np.float64)
        tf = tf.astype(np.float64)
        norm = K1 * (1 - B + B * lengths / self.gen.avg[fname])
        return idf * tf * (K1 + 1) / (tf + norm)

    def run(self, node: Node) -> Match:
        if isinstance(node, Term):
            return self.term(node)
        if isinstance(node, Phrase):
            return self.phrase(node)
        if isinstance(node, Everything):
            return self.everything()
        if isinstance(node, Not):
            return minus(self.everything(), self.excluded(node.item).ids)
        if isinstance(node, Or):
            return union([self.run(i) for i in node.items])
        if isinstance(node, And):
            return self.conjunction(node)
        raise TypeError(node)

    def everything(self) -> Match:
        live = self.gen.live if self.scope is None else self.gen.live & self.scope
        ids = np.flatnonzero(live).astype(np.int64)
        return Match(ids, np.zeros(len(ids), dtype=np.float64))

    def conjunction(self, node: And, *, mentions: bool = True) -> Match:
        found = document_mentions(node.items, self.names) if node.implicit and mentions else []
        if found:
            return self._with_mentions(node, found)
        twins = numeral_twins(node.items) if node.implicit else {}
        self.near_terms.update(t.folded for t in twins.values())
        positive = [union([self.run(i), self.term(twins[k])]) if k in twins else self.run(i)
                    for k, i in enumerate(node.items) if not isinstance(i, Not)]
        negative = [self.excluded(i.item) for i in node.items if isinstance(i, Not)]
        match = reduce(intersect, sorted(positive, key=len)) if positive else self.everything()
        for neg in negative:
            match = minus(match, neg.ids)
        if node.implicit:
            for k, (a, b) in enumerate(zip(node.items, node.items[1:])):
                if isinstance(a, Term) and isinstance(b, Term) and not (a.fuzzy or b.fuzzy):
                    for second in (b, twins.get(k + 1)):
                        if second is None:
                            continue
                        p = self.postings("b", f"{a.folded} {second.folded}")
                        match = boost(match, p.ids, NEAR_BOOST * self.bm25(p.tf, p.ids, len(p.ids)))
        return match

    def _with_mentions(self, node: And, mentions: list[Mention]) -> Match:
        """An implicit AND holding *nghị quyết 21* or a register name: each such run matches
        its words as typed or the identifiers it stands for (any of that kind and number:
        ``21-NQ/TW``, ``21/NQ-CP``; or the named document's), so that an article that writes
        only *Nghị quyết số 21-NQ/TW* is found (its ``21`` is inside the identifier token)."""
        items: list[Node] = []
        alternatives: list[Match] = []
        i = 0
        for mention in mentions:
            start, end = mention.start, mention.end
            items += node.items[i:start]
            typed = And(node.items[start:end], implicit=True)
            keys = mention.keys or self.gen.identifiers(mention.doc_types, mention.number)
            if not keys:
                words = " ".join(_plain(n) or "" for n in node.items[start:end])
                self.notes.append(f"Không có văn bản nào mang số hiệu “{words}” trong chỉ mục; "
                                  "các kết quả dưới đây chỉ khớp các từ đã gõ.")
            ids = [Term(k, k) for k in keys]
            self.near_terms.update(t.folded for t in ids)
            # the identifier stands for every word of the run, side by side: it earns the
            # score of each and of each adjacent pair, so it ranks above the words scattered
            # (*10* in a date, *nghị quyết* elsewhere)
            named = [self.term(t) for t in ids]
            weight = (end - start) + NEAR_BOOST * (end - start - 1)
            alternatives.append(union([self.conjunction(typed, mentions=False)] + [
                Match(m.ids, m.scores * weight) for m in named]))
            i = end
        items += node.items[i:]
        rest = And(tuple(items), implicit=True) if items else None
        match = reduce(intersect, sorted(alternatives, key=len))
        if rest is not None:
            if all(isinstance(x, Not) for x in items):
                for neg in items:
                    match = minus(match, self.excluded(neg.item).ids)  # type: ignore[union-attr]
            else:
                match = intersect(self.conjunction(rest, mentions=False), match)
        return match

    def excluded(self, node: Node) -> Match:
        """What ``NOT node`` removes: the documents ``node`` matches under the rule (``-số``
        removes *số* and keeps *cơ sở*), never widened to the possible ones."""
        low, self.low = self.low, None
        try:
            return self.run(node)
        finally:
            self.low = low

    def term(self, term: Term) -> Match:
        if term.marked and not term.fuzzy:
            return self._exact_term(term)
        words = [(term.folded, 1.0)]
        if term.fuzzy and len(term.folded) >= FUZZY_MIN_CHARS and "/" not in term.folded:
            near = self.gen.terms_near(term.folded)
            self.near_terms.update(near)
            words += [(w, FUZZY_WEIGHT) for w in near]
        parts = []
        for word, weight in words:
            p = self.postings("f", word)
            match = Match(p.ids, weight * self.bm25(p.tf, p.ids, len(p.ids)))
            t = self.postings("tf", word)
            match = boost(match, t.ids, weight * TITLE_BOOST * self.bm25(t.tf, t.ids, len(t.ids), "tf"))
            parts.append(match)
        if "/" in term.folded:  # a document identifier: also the articles that cite it by name
            cited = self.gen.citing(term.folded)
            ones = np.ones(len(cited), dtype=np.float32)
            parts.append(Match(cited, CITED_WEIGHT * self.bm25(ones, cited, len(cited))))
        return union(parts)

    def _exact_term(self, term: Term) -> Match:
        """A word typed with diacritics: the documents holding that very word."""
        ids, tf = self.term_counts(term)
        match = Match(ids, self.bm25(tf, ids, len(ids)))
        t = self.postings("tf", term.folded)  # only boosts documents already found
        return boost(match, t.ids, TITLE_BOOST * self.bm25(t.tf, t.ids, len(t.ids), "tf"))

    def term_counts(self, term: Term) -> tuple[np.ndarray, np.ndarray]:
        """(documents, occurrences) of a marked word under the rule: its exact spelling,
        plus (with ``low``) its folded form in the low-confidence documents."""
        x = self.postings("x", term.exact)
        if self.low is None:
            return x.ids, x.tf
        f = self.postings("f", term.folded)
        low = self.uncertain(term.folded)
        keep = low[f.ids]
        sure = ~low[x.ids]  # a low document counts its folded occurrences (they include
        loose = union([Match(x.ids[sure], x.tf[sure].astype(np.float64)),  # the exact ones)
                       Match(f.ids[keep], f.tf[keep].astype(np.float64))])
        return loose.ids, loose.scores.astype(np.float32)

    def uncertain(self, folded: str) -> np.ndarray:
        """Documents (bool per docnum) where ``folded`` may stand for a word whose marks OCR
        lost: read below the low-confidence setting as a whole, or holding that word among
        the words read below it (the ``lw`` field)."""
        assert self.low is not None
        ids = self.gen.postings("lw", folded).ids  # whole index: a mask
        if not len(ids):
            return self.low
        out = self.low.copy()
        out[ids] = True
        return out

    def phrase(self, phrase: Phrase) -> Match:
        if len(phrase.terms) == 1:
            t = phrase.terms[0]
            return self.term(Term(t.exact, t.folded, t.marked))
        ids, tf = self.phrase_counts(phrase)
        match = Match(ids, self.bm25(tf, ids, len(ids)))
        grams = bigrams([t.folded for t in phrase.terms])
        titled = [self.postings("tb", g).ids for g in grams]
        in_title = reduce(lambda a, b: np.intersect1d(a, b, assume_unique=True), titled)
        return boost(match, in_title, np.full(len(in_title), TITLE_BOOST, dtype=np.float64))

    def phrase_counts(self, phrase: Phrase) -> tuple[np.ndarray, np.ndarray]:
        """(documents, times the phrase occurs) under the rule, word by word: the folded
        bigrams follow one another and every marked word is written as typed there."""
        grams = bigrams([t.folded for t in phrase.terms])
        marked = [(j, t) for j, t in enumerate(phrase.terms) if t.marked]
        if len(grams) == 1 and not marked:
            p = self.postings("b", grams[0])
            return p.ids, p.tf
        keys = self._phrase_keys(grams)
        for j, t in marked:
            if not len(keys):
                break
            x = self.postings("x", t.exact, values=True)
            keep = np.zeros(len(keys), dtype=bool)
            rows = np.flatnonzero(_members(x.ids, _sorted_unique(keys >> 32)))
            if len(rows):
                assert x.values is not None
                counts, pos = x.values.take(rows)  # only the candidate documents' positions
                docs = np.repeat(x.ids[rows], counts)
                ok = pos >= j
                keep = _members(keys, _ascending((docs[ok] << 32) | (pos[ok] - j)))
            if self.low is not None:
                keep |= self.uncertain(t.folded)[keys >> 32]
            keys = keys[keep]
        if not len(keys):
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        return _doc_counts(keys)

    def _positional(self, grams: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Documents where the bigrams follow one another, with the number of times the
        phrase occurs (folded, as written)."""
        keys = self._phrase_keys(grams)
        if not len(keys):
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        return _doc_counts(keys)

    def _phrase_keys(self, grams: list[str]) -> np.ndarray:
        """Where the bigrams follow one another: sorted (doc << 32 | position of the first
        word) keys, positions compared as keys."""
        lists = [self.postings("b", g, values=True) for g in grams]
        if any(not len(p.ids) for p in lists):
            return np.zeros(0, np.int64)
        cand = reduce(lambda a, b: np.intersect1d(a, b, assume_unique=True),
                      [p.ids for p in sorted(lists, key=lambda p: len(p.ids))])
        keys: np.ndarray | None = None
        for j, p in enumerate(lists):
            if not len(cand):
                break
            rows = np.searchsorted(p.ids, cand)
            assert p.values is not None
            counts, pos = p.values.take(rows)
            docs = np.repeat(cand, counts)
            ok = pos >= j
            k = _ascending((docs[ok] << 32) | (pos[ok] - j))
            keys = k if keys is None else keys[_members(keys, k)]
            cand = _sorted_unique(keys >> 32)
        if keys is None:
            return np.zeros(0, np.int64)
        return keys

    def leaf_counts(self, leaf: Term | Phrase) -> tuple[np.ndarray, np.ndarray]:
        """(documents, occurrences) of one term or phrase as the search matches it (term
        trends count these)."""
        if isinstance(leaf, Phrase) and len(leaf.terms) == 1:
            leaf = leaf.terms[0]
        if isinstance(leaf, Phrase):
            return self.phrase_counts(leaf)
        if leaf.marked and not leaf.fuzzy:
            return self.term_counts(leaf)
        words = [leaf.folded]
        if leaf.fuzzy and len(leaf.folded) >= FUZZY_MIN_CHARS and "/" not in leaf.folded:
            words += self.gen.terms_near(leaf.folded)
        parts = [self.postings("f", w) for w in words]
        merged = union([Match(p.ids, p.tf.astype(np.float64)) for p in parts])
        return merged.ids, merged.scores.astype(np.float32)


# Phrase keys (doc << 32 | position) come out of the posting lists already sorted (documents
# ascending, positions ascending within one): sorted arrays are compared by binary search and
# deduplicated by neighbours, instead of np.unique / np.isin, which sort or hash them again.

def _ascending(keys: np.ndarray) -> np.ndarray:
    """``keys`` sorted and unique (as the postings give them; sorted here if not)."""
    if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):
        return np.unique(keys)
    return keys


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array."""
    if len(a) < 2:
        return a
    return a[np.concatenate(([True], a[1:] != a[:-1]))]


def _members(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether each value of ``a`` is in the sorted array ``b`` (bool per value of ``a``)."""
    if not len(b) or not len(a):
        return np.zeros(len(a), dtype=bool)
    at = np.searchsorted(b, a)
    return b[np.minimum(at, len(b) - 1)] == a


def _doc_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(documents, keys per document) of sorted phrase keys."""
    docs = keys >> 32
    starts = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1])))
    counts = np.diff(np.append(starts, len(docs)))
    return docs[starts], counts.astype(np.float32)


def suggestion(gen: Snapshot, tree: Node) -> str:
    """A close spelling that the index holds, for a query that finds little: each word the
    index does not know, split into two syllables it knows that stand side by side somewhere
    (``thamnhung`` → ``tham nhung``). '' when there is nothing to suggest."""
    changed, out = False, []
    for t in _terms(tree):
        if t.fuzzy or "/" in t.folded or len(gen.postings("f", t.folded).ids):
            out.append(t.exact if t.marked else t.folded)
            continue
        best: tuple[int, str] | None = None
        for k in range(2, len(t.folded) - 1):
            a, b = t.folded[:k], t.folded[k:]
            df = len(gen.postings("b", f"{a} {b}").ids)
            if df and (best is None or df > best[0]):
                best = (df, f"{a} {b}")
        if best is None:
            return ""
        out.append(best[1])
        changed = True
    return " ".join(out) if changed else ""


def _terms(node: Node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    if isinstance(node, And) and node.implicit and all(isinstance(i, Term) for i in node.items):
        return [i for i in node.items if isinstance(i, Term)]
    return []  # operators, phrases: the query was written with care, no suggestion


def has_marked(node: Node) -> bool:
    """Whether the tree holds a word typed with diacritics (outside a near-spelling search),
    the only words whose possible hits differ from the certain ones."""
    if isinstance(node, Term):
        return node.marked and not node.fuzzy
    if isinstance(node, Phrase):
        return any(t.marked for t in node.terms)
    if isinstance(node, (And, Or)):
        return any(has_marked(i) for i in node.items)
    return False  # Not: exclusions never widen; Everything


def certain_and_possible(gen: Snapshot, tree: Node, names: Names | None,
                         low_confidence: float | None) -> tuple[Evaluator, Match, Match]:
    """(the evaluator of the certain hits, the certain hits, the possible hits): possible are
    the documents found only because a marked word matched its folded form in a document
    whose OCR confidence is below ``low_confidence`` (None: no possible hits)."""
    evaluator = Evaluator(gen, names)
    certain = evaluator.run(tree)
    if low_confidence is None or not has_marked(tree):
        return evaluator, certain, empty()
    low = gen.live & (gen.numbers["conf"] < low_confidence)
    scope = low.copy()  # only there can the rule read a marked word loosely
    for word in _marked_words(tree):
        scope[gen.postings("lw", word).ids] = True
    if not scope.any():
        return evaluator, certain, empty()
    loose = Evaluator(gen, names, low, scope=scope, cache=evaluator.cache).run(tree)
    return evaluator, certain, minus(loose, certain.ids)


def _marked_words(node: Node) -> set[str]:
    """Folded forms of the words typed with diacritics (outside NOT and near spellings)."""
    if isinstance(node, Term):
        return {node.folded} if node.marked and not node.fuzzy else set()
    if isinstance(node, Phrase):
        return {t.folded for t in node.terms if t.marked}
    if isinstance(node, (And, Or)):
        return set().union(*(_marked_words(i) for i in node.items))
    return set()
