"""A segment's postings while it is written, and positions as read back: flat arrays.

No search engine is imported here (``indexer/search/schema.py`` feeds these to Whoosh's segment
files and reads them back). Why flat arrays: a segment gathers about 12 million postings;
one Python object per posting would cost several times the memory and a Python step each,
where here a document adds its term numbers with ``array.extend`` and a numpy sort groups
them by term when the segment is written.
"""

from __future__ import annotations

from array import array
from collections import Counter
from itertools import repeat
from typing import Any

import numpy as np


class PackedValues:
    """A block's posting values (positions) in one byte string plus their end offsets.

    Whoosh keeps a block's values as a tuple of small byte strings, unpickled one object per
    posting; this is indexable the same way (``values[i]``, what Whoosh's matchers use) but
    pickles as two byte strings, and :func:`term_postings` reads it without splitting.
    """

    __slots__ = ("raw", "ends")

    def __init__(self, raw: bytes, ends: bytes) -> None:
        self.raw = raw
        self.ends = array("I")
        self.ends.frombytes(ends)

    def __getitem__(self, i: int) -> bytes:
        start = self.ends[i - 1] if i else 0
        return self.raw[start:self.ends[i]]

    def __len__(self) -> int:
        return len(self.ends)

    def __reduce__(self) -> tuple[Any, tuple[bytes, bytes]]:
        return (PackedValues, (self.raw, self.ends.tobytes()))


class PositionLists:
    """Positions of many postings: ``raw`` (little-endian uint32) and, per posting, the byte
    ``starts`` and ``ends`` in it (a subset of postings is a subset of the two arrays)."""

    __slots__ = ("raw", "starts", "ends")

    def __init__(self, raw: bytes, starts: np.ndarray, ends: np.ndarray) -> None:
        self.raw = raw
        self.starts = starts
        self.ends = ends

    def take(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(count per row, all their positions in row order) for the postings ``rows``."""
        first = self.starts[rows] // 4
        counts = (self.ends[rows] - self.starts[rows]) // 4
        total = int(counts.sum())
        before = np.cumsum(counts) - counts
        index = np.arange(total, dtype=np.int64) - np.repeat(before, counts) + np.repeat(first, counts)
        return counts, np.frombuffer(self.raw, dtype="<u4")[index].astype(np.int64)

    @classmethod
    def join(cls, parts: list[PositionLists]) -> PositionLists:
        if len(parts) == 1:
            return parts[0]
        shift, starts, ends = 0, [], []
        for p in parts:
            starts.append(p.starts + shift)
            ends.append(p.ends + shift)
            shift += len(p.raw)
        return cls(b"".join(p.raw for p in parts), np.concatenate(starts), np.concatenate(ends))

    @classmethod
    def of(cls, values: list[bytes]) -> PositionLists:
        lengths = np.fromiter((len(v) for v in values), dtype=np.int64, count=len(values))
        ends = np.cumsum(lengths)
        return cls(b"".join(values), ends - lengths, ends)

    def subset(self, rows: np.ndarray) -> PositionLists:
        return PositionLists(self.raw, self.starts[rows], self.ends[rows])


class FieldBuffer:
    """One field's postings of the segment being written, as flat arrays.

    Each document adds its term numbers (a dict lookup per distinct term, the rest is
    ``array.extend`` in C); the postings are grouped by term with one numpy sort at flush.
    Positional fields keep one entry per token occurrence (term, document, position).
    """

    def __init__(self, positional: bool, scorable: bool) -> None:
        self.positional = positional
        self.scorable = scorable
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []
        self.tids = array("I")
        self.docs = array("I")
        self.counts = array("I")  # per posting (non-positional) or position (positional)
        self.lengths: dict[int, int] = {}

    def _id(self, term: str) -> int:
        tid = self.ids[term] = len(self.terms)
        self.terms.append(term)
        return tid

    def _numbers(self, tokens: Any) -> list[int]:
        numbers = list(map(self.ids.get, tokens))  # C speed; None for terms not seen yet
        if None in numbers:
            numbers = [n if n is not None else (self.ids.get(t) if t in self.ids else self._id(t))
                       for n, t in zip(numbers, tokens)]
        return numbers  # type: ignore[return-value]

    def add(self, docnum: int, tokens: list[str | None]) -> int:
        """Add one document's tokens; returns the postings added. In a positional field a
        ``None`` holds a position without a token (the exact field skips unmarked words
        but keeps every word's place in the text, so its positions line up with ``b``)."""
        if self.scorable:
            self.lengths[docnum] = len(tokens)
        if self.positional:
            if None in tokens:  # a gap: the position is counted, nothing is indexed there
                where = [i for i, t in enumerate(tokens) if t is not None]
                tokens = [tokens[i] for i in where]
            else:
                where = range(len(tokens))  # type: ignore[assignment]
            self.tids.extend(self._numbers(tokens))
            self.docs.extend(repeat(docnum, len(tokens)))
            self.counts.extend(where)
            return len(tokens)
        counts = Counter(tokens)
        self.tids.extend(self._numbers(counts))
        self.docs.extend(repeat(docnum, len(counts)))
        self.counts.extend(counts.values())
        return len(counts)

    def postings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, SegmentPositions | None]:
        """(term number, docnum, count) per posting, by term then docnum, and for positional
        fields where each posting's positions are."""
        tids = np.frombuffer(self.tids, dtype=np.uint32)
        docs = np.frombuffer(self.docs, dtype=np.uint32)
        counts = np.frombuffer(self.counts, dtype=np.uint32)
        if not self.positional:
            order = np.lexsort((docs, tids))
            return tids[order], docs[order], counts[order], None
        order = np.lexsort((counts, docs, tids))
        tids, docs, pos = tids[order], docs[order], counts[order]
        change = np.flatnonzero((tids[1:] != tids[:-1]) | (docs[1:] != docs[:-1])) + 1
        starts = np.concatenate(([0], change))
        ends = np.concatenate((change, [len(tids)]))
        where = SegmentPositions(pos.astype("<u4").tobytes(), starts, ends)
        return tids[starts], docs[starts], (ends - starts).astype(np.uint32), where


class SegmentPositions:
    """The positions of a segment's postings in one buffer; bytes per posting made only
    when its term is written (millions of small bytes objects at once would dominate memory)."""

    def __init__(self, raw: bytes, starts: np.ndarray, ends: np.ndarray) -> None:
        self.raw = raw
        self.starts = starts
        self.ends = ends

    def __getitem__(self, span: slice) -> list[bytes]:
        raw = self.raw
        return [raw[4 * a:4 * b] for a, b in zip(self.starts[span].tolist(), self.ends[span].tolist())]

    def packed(self, first: int, end: int) -> PackedValues:
        """Postings ``first`` to ``end`` (exclusive) as one :class:`PackedValues`."""
        base = int(self.starts[first])
        stop = int(self.ends[end - 1])
        offsets = ((self.ends[first:end] - base) * 4).astype(np.uint32)
        return PackedValues(self.raw[4 * base:4 * stop], offsets.tobytes())
