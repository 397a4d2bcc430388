"""The Whoosh schema of the search index and the fast paths in and out of it.

One of the three modules that import ``whoosh`` (with ``build.py`` and ``engine.py``).

Why not Whoosh's own analyzers and writer: its per-token generators and per-posting sort
(a Python heap merge of every posting) cap a three-field Vietnamese index at about 200
articles/s. Here the text is analysed once (:mod:`indexer.search.tokens`) and its tokens are fed
to :class:`TokenField` fields as lists; :class:`BulkWriter` gathers a segment's postings in
flat arrays (:mod:`indexer.search.postings`) and writes them term by term, block by block, so the
cost is per term and per block of 512 postings, not per posting. The files are ordinary
Whoosh ``W3`` segments (blocks pickled as arrays, which Whoosh's readers index like its
tuples): any Whoosh reader opens them, deletions and merges work as usual.

Fields (token fields hold analysed lists; see ``index_fields``):

========  ============================================  ========================
``x``     exact syllables, only those with a diacritic    positions (typed marks)
``f``     folded syllables and identifiers               counts, lengths (BM25)
``b``     folded bigrams ``"sinh hoat"``                  positions (phrases)
``tf``    folded title syllables                         counts, lengths
``tb``    folded title bigrams                           counts
``lw``    folded tokens OCR read below low_confidence     presence (possible hits)
``topic``  topic slugs (labels)                           presence
``ref``   cited documents (normalised identifiers)        presence
``id``    document id (articles ``…-p12-3fa9``, pages ``<issue>/<seq>``)
``c_*``   one-value attributes kept as columns (series, year, …) for filters, facets, sorting
``doc``   stored display values (title, byline, section, pages, topics, refs, …)
========  ============================================  ========================

The text itself is not stored: snippets read it from the catalog (the truth) for the hits on
screen, which keeps the index small and never out of step with corrections.

Why one module of about 400 lines: the fields and the fast paths that write and read them must
agree byte for byte; they are kept side by side.
"""

from __future__ import annotations

import zlib
from array import array
from collections import Counter
from pickle import dumps
from typing import Any

import numpy as np
from whoosh import columns, fields, formats
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3LeafMatcher, W3TermInfo
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from indexer.search.postings import FieldBuffer, PackedValues, PositionLists, SegmentPositions

SCHEMA_VERSION = "s-7"  # s-6: ``x`` keeps positions (the rule inside phrases); s-7: ``lw``
# One-value attributes of a document, stored as columns of shared values (RefBytes).
ATTRIBUTES = ("scope", "series", "year", "month", "date", "issue", "seq", "section", "kind", "conf")
SEGMENT_POSTINGS = 12_000_000  # postings gathered in memory before a segment is written
# Segments are written as separate files, not Whoosh's compound file: a reader of a compound
# file copies its postings and term files into memory (``BufferFile`` wraps the mmap in a
# ``BytesIO``), per searcher; separate files are read in place.
SEPARATE_FILES = True
INLINE_POSTINGS = 8  # posting lists this short are kept in the term's entry (_inline_term)
COMPRESSION = 1
BLOCK_POSTINGS = 512


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
    """A field indexed from a list of tokens already analysed by :mod:`indexer.search.tokens`.

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
                if t is not None:  # a gap (see FieldBuffer.add)
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
        x=TokenField(positional=True),
        f=TokenField(scorable=True),
        b=TokenField(positional=True),
        tf=TokenField(scorable=True),
        tb=TokenField(),
        lw=TokenField(),
        topic=TokenField(),
        ref=TokenField(),
        **attrs,
    )


def make_codec() -> Any:
    """Whoosh's W3 codec, with the block compression of :data:`COMPRESSION`."""
    from whoosh.codec.whoosh3 import W3Codec

    return W3Codec(blocklimit=BLOCK_POSTINGS, compression=COMPRESSION)


class BulkWriter(SegmentWriter):
    """A segment writer for :class:`TokenField` documents that skips Whoosh's posting pool.

    Postings are gathered per field in flat arrays (:class:`FieldBuffer`) and written term
    by term, block by block, at commit. Commit with ``merge=False``: merging other segments
    would go through the pool, which this writer does not fill. ``postings`` tells the caller
    when to commit and start a new segment (memory is bounded by the segment size).
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        kwargs.setdefault("codec", make_codec())
        kwargs.setdefault("compound", not SEPARATE_FILES)
        super().__init__(ix, **kwargs)
        self._buffers: dict[str, FieldBuffer] = {}
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
                    buffer = self._buffers.get(name)
                    if buffer is None:
                        buffer = self._buffers[name] = FieldBuffer(field.positional, field.scorable)
                    self.postings += buffer.add(docnum, value)
                    length = len(value)
                elif field.indexed:
                    buffer = self._buffers.get(name)
                    if buffer is None:
                        buffer = self._buffers[name] = FieldBuffer(False, False)
                    self.postings += buffer.add(docnum, [t.decode("utf-8") for t, *_r in field.index(value)])
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

    def _flush_segment(self) -> None:
        if len(self.pool.current) or self.pool.runs:
            raise RuntimeError("BulkWriter cannot merge segments; commit with merge=False")
        self.perdocwriter.close()
        fw = self.fieldwriter
        for name in sorted(self._buffers):
            buffer = self._buffers.pop(name)
            fw.start_field(name, self.schema[name])
            _write_field(fw, buffer)
            fw.finish_field()
        fw.close()


def _write_field(fw: Any, buffer: FieldBuffer) -> None:
    """Write one field's postings, terms in byte order (as Whoosh's term index requires:
    UTF-8 byte order is code point order, so the strings sort as they are)."""
    tids, docs, counts, values = buffer.postings()
    if not len(tids):
        return
    change = np.flatnonzero(tids[1:] != tids[:-1]) + 1
    # every term number 0..n-1 has postings and they are sorted by it: index by term number
    starts = np.concatenate(([0], change)).tolist()
    ends = np.concatenate((change, [len(tids)])).tolist()
    lengths = buffer.lengths if buffer.scorable else None
    doc_list = array("I", docs.astype(np.uint32).tobytes())  # compact: a segment holds millions
    weights = array("f", counts.astype(np.float32).tobytes())
    terms = buffer.terms
    for tid in sorted(range(len(terms)), key=terms.__getitem__):
        a, b = starts[tid], ends[tid]
        btext = terms[tid].encode("utf-8")
        ids = doc_list[a:b]
        if b - a <= INLINE_POSTINGS:
            _inline_term(fw, btext, ids, weights[a:b], values[a:b] if values is not None else None,
                         lengths)
        else:
            fw.start_term(btext)
            _write_postings(fw._postwriter, ids, weights[a:b], values, a, lengths)
            fw.finish_term()


def _inline_term(fw: Any, btext: bytes, ids: array, weights: array,
                 values: list[bytes] | None, lengths: dict[int, int] | None) -> None:
    """Store a short posting list inside the term's entry, as Whoosh's W3 format allows
    (its own writer never does: ``inlinelimit`` reaches a misspelt method). Most bigrams occur
    in one or two documents of a segment; this spares each a block, a pickle and a zlib call."""
    info = W3TermInfo()
    info._weight = float(sum(weights))
    info._df = len(ids)
    info._maxweight = float(max(weights))
    info._minid, info._maxid = ids[0], ids[-1]
    if lengths is not None:
        block = [lengths.get(i, 0) for i in ids]
        info._minlength, info._maxlength = min(block), max(block)
    vals = tuple(values) if values is not None else (b"",) * len(ids)  # bytes, as Whoosh's own
    info._inlined = (tuple(ids), tuple(weights), vals)
    fw._tindex.add(pack_ushort(fw._fieldid) + btext, info.to_bytes())


def _write_postings(pw: Any, ids: array, weights: array, values: SegmentPositions | None, offset: int,
                    lengths: dict[int, int] | None) -> None:
    """Write one term's postings as W3 blocks, in the block layout :func:`_write_block` makes
    (``offset``: where the term's postings start in the field's ``values``)."""
    limit = pw._blocklimit
    n = len(ids)
    for start in range(0, n, limit):
        end = min(start + limit, n)
        block_ids = ids[start:end]
        if lengths is not None:
            block = [lengths.get(i, 0) for i in block_ids]
            low, high = min(block), max(block)
        else:
            low, high = None, 0
        packed = values.packed(offset + start, offset + end) if values is not None else None
        _write_block(pw, block_ids, weights[start:end], packed, low, high, last=end == n)


def _write_block(pw: Any, ids: array, weights: array, values: PackedValues | None,
                 minlength: int | None, maxlength: int, *, last: bool) -> None:
    """One W3 posting block, written as Whoosh's own ``_write_block`` does (header, block
    info, then the data) but with the data pickled as arrays (protocol 4): ids as uint32
    deltas, weights as float32, positions as :class:`PackedValues`. Whoosh's readers iterate
    and index these like the tuples they write; unpickling is a copy instead of one object
    per posting."""
    if not pw._blockcount:
        pw._postfile.write(WHOOSH3_HEADER_MAGIC)
    pw._ids, pw._weights = ids, weights
    pw._minlength, pw._maxlength, pw._maxweight = minlength, maxlength, max(weights)
    pw._terminfo.add_block(pw)
    raw_ids = np.frombuffer(ids, dtype=np.uint32)
    deltas = array("I", np.diff(raw_ids, prepend=np.uint32(0)).astype(np.uint32).tobytes())
    all_one = all(w == 1.0 for w in weights)
    data = (deltas, None if all_one else weights, values)
    databytes = dumps(data, 4)
    comp = COMPRESSION
    if comp:
        databytes = zlib.compress(databytes, comp)
    infobytes = dumps((len(ids), ids[-1], pw._maxweight, comp, length_to_byte(minlength),
                       length_to_byte(maxlength)), 2)
    size = len(infobytes) + len(databytes)
    postfile = pw._postfile
    postfile.write_int(-size if last else size)
    postfile.write(infobytes)
    postfile.write(databytes)
    pw._blockcount += 1
    pw._new_block()


# --- reading: numpy views of postings and columns -----------------------------------------

def term_postings(reader: Any, field: str, term: str, *,
                  values: bool = False) -> tuple[np.ndarray, np.ndarray, PositionLists | None]:
    """(docnums, counts, positions) of ``term`` in one segment reader: empty when absent.
    Deleted documents are included (the caller masks them).

    Reads whole blocks (one unpickle each, arrays when this module wrote them) instead of
    stepping posting by posting.
    """
    try:
        m = reader.postings(field, term.encode("utf-8"))
    except TermNotFound:
        return _EMPTY_IDS, _EMPTY_W, PositionLists.of([]) if values else None
    if isinstance(m, FilterMatcher) and isinstance(m.child, W3LeafMatcher):
        m = m.child  # Whoosh hides deleted documents one by one; the caller masks them at once
    if isinstance(m, W3LeafMatcher):
        id_parts: list[np.ndarray] = []
        w_parts: list[np.ndarray] = []
        v_parts: list[PositionLists] = []
        base = 0
        while True:
            if m._data is None:
                m._read_data()
            deltas, weights, vals = m._data
            if isinstance(deltas, array):
                ids = np.cumsum(np.frombuffer(deltas, dtype=np.uint32), dtype=np.int64)
            else:
                ids = np.cumsum(np.asarray(deltas, dtype=np.int64))
            id_parts.append(ids)
            count = m._blocklength
            if weights is None:
                w_parts.append(np.ones(count, dtype=np.float32))
            elif isinstance(weights, float):
                w_parts.append(np.full(count, weights, dtype=np.float32))
            elif isinstance(weights, array):
                w_parts.append(np.frombuffer(weights, dtype=np.float32))
            else:
                w_parts.append(np.asarray(weights, dtype=np.float32))
            if values:
                if isinstance(vals, PackedValues):
                    ends = np.frombuffer(vals.ends, dtype=np.uint32).astype(np.int64)
                    v_parts.append(PositionLists(vals.raw, np.concatenate(([0], ends[:-1])), ends))
                else:
                    v_parts.append(PositionLists.of(list(vals or ())))
            base += count
            if m._lastblock:
                break
            m._goto(m._nextoffset)
        ids = np.concatenate(id_parts) if len(id_parts) > 1 else id_parts[0]
        ws = np.concatenate(w_parts) if len(w_parts) > 1 else w_parts[0]
        return ids, ws, (PositionLists.join(v_parts) if values else None)
    docs, ws_list, vs_list = [], [], []
    while m.is_active():
        docs.append(m.id())
        ws_list.append(m.weight())
        if values:
            vs_list.append(m.value())
        m.next()
    return (np.asarray(docs, dtype=np.int64), np.asarray(ws_list, dtype=np.float32),
            PositionLists.of(vs_list) if values else None)


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
