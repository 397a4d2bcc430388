"""The Whoosh schema of the search index and the fast paths in and out of it.

One of the three modules that import ``whoosh`` (with ``build.py`` and ``search.py``).

Why not Whoosh's own analyzers and writer: its per-token generators and per-posting sort
(a Python heap merge of every posting) cap a three-field Vietnamese index at about 200
articles/s. Here the text is analysed once (:mod:`indexer.analysis`) and its tokens are fed
to :class:`TokenField` fields as lists; :class:`BulkWriter` gathers a segment's postings per
term in arrays and writes them block by block, so the cost is per term and per block of 128
postings, not per posting. The files are ordinary Whoosh ``W3`` segments: any Whoosh reader
opens them, deletions and merges work as usual.

Fields (token fields hold analysed lists; see ``index_fields``):

========  ============================================  ========================
``x``     exact syllables, only those with a diacritic    counts (exact boost)
``f``     folded syllables and identifiers               counts, lengths (BM25)
``b``     folded bigrams ``"sinh hoat"``                  positions (phrases)
``tf``    folded title syllables                         counts, lengths
``tb``    folded title bigrams                           counts
``topic``  topic slugs (labels)                           presence
``ref``   cited-document keys                            presence
``id``    document id (articles ``…-p12-3fa9``, pages ``<issue>/<seq>``)
``c_*``   one-value attributes kept as columns (series, year, …) for filters, facets, sorting
``doc``   stored display values (title, byline, section, pages, topics, refs, …)
========  ============================================  ========================

The text itself is not stored: snippets read it from the catalog (the truth) for the ten hits
on screen, which keeps the index small and never out of step with corrections.
"""

from __future__ import annotations

from array import array
from collections import Counter
from typing import Any

import numpy as np
from whoosh import columns, fields, formats
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

SCHEMA_VERSION = "s-3"
# One-value attributes of a document, stored as columns of shared values (RefBytes).
ATTRIBUTES = ("scope", "series", "year", "month", "date", "issue", "seq", "section", "kind", "conf")
TEXT_FIELDS = ("x", "f", "b", "tf", "tb")
LIST_FIELDS = ("topic", "ref")
SEGMENT_POSTINGS = 2_500_000  # postings gathered in memory before a segment is written


class PositionsFormat(formats.Positions):
    """Positions as a native ``uint32`` array (Whoosh pickles a list per posting): a block's
    positions decode with one ``numpy.frombuffer`` for phrase checks."""

    def encode(self, poslist: list[int]) -> bytes:
        return array("I", poslist).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        a = array("I")
        a.frombytes(valuestring)
        return a.tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return len(valuestring) // 4

    def decode_weight(self, valuestring: bytes) -> float:
        return float(len(valuestring) // 4)

    def combine(self, vs: list[bytes]) -> bytes:
        merged: set[int] = set()
        for v in vs:
            merged.update(self.decode_positions(v))
        return self.encode(sorted(merged))


class TokenField(fields.FieldType):
    """A field indexed from a list of tokens already analysed by :mod:`indexer.analysis`.

    The weight of a posting is the token's count in the document. ``positional`` fields keep
    positions; the others keep only the count (``Existence`` format plus the weight).
    """

    def __init__(self, *, positional: bool = False, scorable: bool = False) -> None:
        self.format = PositionsFormat() if positional else formats.Existence()
        self.positional = positional
        self.analyzer = None
        self.scorable = scorable
        self.stored = False
        self.unique = False
        self.vector = None
        self.column_type = None

    def index(self, value: Any, **kwargs: Any) -> Any:
        tokens = list(value)
        if self.positional:
            poses: dict[str, list[int]] = {}
            for i, t in enumerate(tokens):
                poses.setdefault(t, []).append(i)
            return [(t.encode("utf-8"), len(p), float(len(p)), self.format.encode(p))
                    for t, p in poses.items()]
        return [(t.encode("utf-8"), n, float(n), b"") for t, n in Counter(tokens).items()]

    def process_text(self, qstring: str, mode: str = "", **kwargs: Any) -> Any:
        return iter([qstring])

    def self_parsing(self) -> bool:
        return False


def make_schema() -> fields.Schema:
    attrs = {f"c_{name}": fields.COLUMN(columns.RefBytesColumn()) for name in ATTRIBUTES}
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        doc=fields.STORED(),
        x=TokenField(),
        f=TokenField(scorable=True),
        b=TokenField(positional=True),
        tf=TokenField(scorable=True),
        tb=TokenField(),
        topic=TokenField(),
        ref=TokenField(),
        **attrs,
    )


class BulkWriter(SegmentWriter):
    """A segment writer for :class:`TokenField` documents that skips Whoosh's posting pool.

    Postings are gathered per field and term in arrays (documents arrive in docnum order,
    so each list is already sorted) and written block by block at commit. Commit with
    ``merge=False``: merging other segments would go through the pool, which this writer
    does not fill. ``postings`` tells the caller when to commit and start a new segment.
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self._post: dict[str, dict[str, tuple[array, array, list[bytes] | None]]] = {}
        self._lengths: dict[str, dict[int, int]] = {}
        self.postings = 0

    def add_document(self, **values: Any) -> None:
        self._check_state()
        perdoc = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        perdoc.start_doc(docnum)
        try:
            for name in sorted(values):
                value = values[name]
                if value is None:
                    continue
                field = schema[name]
                length = 0
                if isinstance(field, TokenField):
                    length = self._gather(name, field, docnum, value)
                elif field.indexed:
                    for tbytes, _freq, weight, vbytes in field.index(value):
                        self._gather_one(name, tbytes.decode("utf-8"), docnum, weight, vbytes)
                perdoc.add_field(name, field, value if field.stored else None,
                                 length if field.scorable else 0)
                if field.column_type is not None:
                    perdoc.add_column_value(name, field.column_type, field.to_column_value(value))
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _store(self, name: str) -> dict[str, tuple[array, array, list[bytes] | None]]:
        store = self._post.get(name)
        if store is None:
            store = self._post[name] = {}
        return store

    def _gather_one(self, name: str, term: str, docnum: int, weight: float, vbytes: bytes) -> None:
        store = self._store(name)
        entry = store.get(term)
        if entry is None:
            entry = store[term] = (array("I"), array("f"), [])
        entry[0].append(docnum)
        entry[1].append(weight)
        entry[2].append(vbytes or b"")  # type: ignore[union-attr]
        self.postings += 1

    def _gather(self, name: str, field: TokenField, docnum: int, tokens: list[str]) -> int:
        store = self._store(name)
        if field.scorable:
            self._lengths.setdefault(name, {})[docnum] = len(tokens)
        if field.positional:
            poses: dict[str, list[int]] = {}
            for i, t in enumerate(tokens):
                p = poses.get(t)
                if p is None:
                    poses[t] = [i]
                else:
                    p.append(i)
            for t, p in poses.items():
                entry = store.get(t)
                if entry is None:
                    entry = store[t] = (array("I"), array("f"), [])
                entry[0].append(docnum)
                entry[1].append(len(p))
                entry[2].append(array("I", p).tobytes())  # type: ignore[union-attr]
            self.postings += len(poses)
        else:
            counts = Counter(tokens)
            for t, n in counts.items():
                entry = store.get(t)
                if entry is None:
                    entry = store[t] = (array("I"), array("f"), None)
                entry[0].append(docnum)
                entry[1].append(n)
            self.postings += len(counts)
        return len(tokens)

    def _flush_segment(self) -> None:
        if len(self.pool.current) or self.pool.runs:
            raise RuntimeError("BulkWriter cannot merge segments; commit with merge=False")
        self.perdocwriter.close()
        fw = self.fieldwriter
        schema = self.schema
        for name in sorted(self._post):
            field = schema[name]
            fw.start_field(name, field)
            lengths = self._lengths.get(name)
            store = self._post[name]
            for btext, term in sorted((t.encode("utf-8"), t) for t in store):
                ids, weights, values = store[term]
                fw.start_term(btext)
                _write_postings(fw._postwriter, ids, weights, values, lengths, self.docbase)
                fw.finish_term()
            fw.finish_field()
            self._post[name] = {}
        self._post.clear()
        fw.close()


def _write_postings(pw: Any, ids: array, weights: array, values: list[bytes] | None,
                    lengths: dict[int, int] | None, docbase: int) -> None:
    """Feed one term's postings to a W3 postings writer a block at a time (its internals:
    ``_ids``, ``_weights``, ``_values`` and the block statistics, then ``_write_block``)."""
    limit = pw._blocklimit
    n = len(ids)
    for start in range(0, n, limit):
        end = min(start + limit, n)
        pw._ids = ids[start:end]
        w = weights[start:end]
        pw._weights = w
        pw._values = values[start:end] if values is not None else []
        pw._maxweight = max(w)
        if lengths is not None:
            block = [lengths.get(i, 0) for i in pw._ids]
            pw._minlength, pw._maxlength = min(block), max(block)
        else:
            pw._minlength, pw._maxlength = None, 0
        if end < n:
            pw._write_block()


# --- reading: numpy views of postings and columns -----------------------------------------

def term_postings(reader: Any, field: str, term: str, *,
                  values: bool = False) -> tuple[np.ndarray, np.ndarray, list[bytes] | None]:
    """(docnums, counts, values) of ``term`` in one segment reader: empty when absent.
    Deleted documents are included (the caller masks them).

    Reads whole blocks (one unpickle each) instead of stepping posting by posting.
    """
    try:
        m = reader.postings(field, term.encode("utf-8"))
    except Exception:  # whoosh raises TermNotFound (a KeyError); any miss means "no postings"
        return _EMPTY_IDS, _EMPTY_W, [] if values else None
    if isinstance(m, FilterMatcher) and isinstance(m.child, W3LeafMatcher):
        m = m.child  # Whoosh hides deleted documents one by one; the caller masks them at once
    if isinstance(m, W3LeafMatcher):
        id_parts: list[np.ndarray] = []
        w_parts: list[Any] = []
        v_parts: list[bytes] = []
        while True:
            if m._data is None:
                m._read_data()
            deltas, weights, vals = m._data
            id_parts.append(np.cumsum(np.asarray(deltas, dtype=np.int64)))
            count = m._blocklength
            if weights is None:
                w_parts.append(np.ones(count, dtype=np.float32))
            elif isinstance(weights, float):
                w_parts.append(np.full(count, weights, dtype=np.float32))
            else:
                w_parts.append(np.asarray(weights, dtype=np.float32))
            if values and vals:
                v_parts.extend(vals)
            if m._lastblock:
                break
            m._goto(m._nextoffset)
        ids = np.concatenate(id_parts) if len(id_parts) > 1 else id_parts[0]
        ws = np.concatenate(w_parts) if len(w_parts) > 1 else w_parts[0]
        return ids, ws, (v_parts if values else None)
    docs, ws_list, vs_list = [], [], []
    while m.is_active():
        docs.append(m.id())
        ws_list.append(m.weight())
        if values:
            vs_list.append(m.value())
        m.next()
    return (np.asarray(docs, dtype=np.int64), np.asarray(ws_list, dtype=np.float32),
            vs_list if values else None)


_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_W = np.zeros(0, dtype=np.float32)


def column_codes(reader: Any, name: str) -> tuple[np.ndarray, list[bytes]]:
    """(code per document, the distinct values) of a RefBytes column in one segment."""
    count = reader.doc_count_all()
    if not reader.has_column(name):
        return np.zeros(count, dtype=np.int32), [b""]
    cr = reader.column_reader(name, translate=False)
    if isinstance(cr, columns.RefBytesColumn.Reader):
        raw = cr._dbfile.get(cr._basepos, count * cr._itemsize)
        dtype = ">u2" if cr._itemsize == 2 else "u1"
        return np.frombuffer(raw, dtype=dtype).astype(np.int32), list(cr._uniques)
    values = list(cr)  # any other column class: slower, same answer
    uniques = sorted(set(values))
    index = {v: i for i, v in enumerate(uniques)}
    return np.fromiter((index[v] for v in values), dtype=np.int32, count=count), uniques


def field_lengths(reader: Any, field: str) -> np.ndarray:
    """Token count of ``field`` per document of one segment (Whoosh keeps it as one byte,
    an approximation above 100 that BM25 does not mind)."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    count = reader.doc_count_all()
    perdoc = reader._perdoc
    name = _lenfield(field)
    if not perdoc.has_column(name):
        return np.zeros(count, dtype=np.float32)
    cr = perdoc.column_reader(name, LENGTHS_COLUMN)
    raw = cr._dbfile.get(cr._basepos, cr._count)
    table = np.array([byte_to_length(i) for i in range(256)], dtype=np.float32)
    codes = np.zeros(count, dtype=np.uint8)
    codes[: len(raw)] = np.frombuffer(raw, dtype=np.uint8)
    return table[codes]
