"""A fast reader of PDF content streams for pdfminer's page interpreter.

Why: reading a text layer spends three quarters of its time in pdfminer's tokenizer, a
character-by-character state machine in Python with a debug-log call per token. Here a
content stream is cut into tokens by one regular expression, and arrays, dictionaries
and strings are built as pdfminer builds them (same object types, same quirks: an unknown
escape drops its character, a lone hex digit is its own value), so the interpreter sees
exactly the operands and operators it would have seen, about three times faster.

Streams with inline images (``BI … ID … EI``, binary data inside the stream) are left to
pdfminer's own parser. :func:`interpreter_class` gives the interpreter to use; the result
is checked against pdfminer's on the sample archive and the tests' PDFs
(tests/test_contentstream.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

_WHITE = rb"\x00\t\n\x0c\r "
_DELIM = rb"()<>\[\]{}/%"
_TOKEN = re.compile(
    rb"[" + _WHITE + rb"]+"
    rb"|%[^\r\n]*"
    rb"|(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"
    rb"|/(?P<name>[^" + _WHITE + _DELIM + rb"]*)"
    rb"|(?P<open><<|\[|\{)"
    rb"|(?P<close>>>|\]|\})"
    rb"|<(?P<hex>[0-9A-Fa-f" + _WHITE + rb"]*)>"
    rb"|(?P<str>\()"
    rb"|(?P<kw>[^" + _WHITE + _DELIM + rb"]+)")
_STRING_STOP = re.compile(rb"[()\\]")
_NAME_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_HEX_WHITE = re.compile(rb"[" + _WHITE + rb"]+")
_HEX_PAIR = re.compile(rb"[0-9a-fA-F]{2}|.")
_INLINE_IMAGE = re.compile(rb"(?:^|[" + _WHITE + rb"])BI[" + _WHITE + rb"/]")
_ESCAPES = {ord("b"): 8, ord("t"): 9, ord("n"): 10, ord("f"): 12, ord("r"): 13,
            ord("("): 40, ord(")"): 41, ord("\\"): 92}


class Unsupported(Exception):
    """The stream holds something this reader leaves to pdfminer."""


def _string(data: bytes, i: int) -> tuple[bytes, int]:
    """The literal string starting after the ``(`` at ``i``: (its bytes, end index)."""
    out = bytearray()
    depth = 1
    n = len(data)
    while True:
        m = _STRING_STOP.search(data, i)
        if m is None:
            out += data[i:]
            return bytes(out), n
        j = m.start()
        out += data[i:j]
        c = data[j]
        if c == 0x28:  # (
            depth += 1
            out.append(c)
            i = j + 1
        elif c == 0x29:  # )
            depth -= 1
            if depth == 0:
                return bytes(out), j + 1
            out.append(c)
            i = j + 1
        else:  # backslash
            k = j + 1
            if k >= n:
                return bytes(out), n
            e = data[k]
            if 0x30 <= e <= 0x37:  # up to three octal digits
                end = k
                while end < n and end < k + 3 and 0x30 <= data[end] <= 0x37:
                    end += 1
                out.append(int(data[k:end], 8) & 0xFF)
                i = end
            elif e in _ESCAPES:
                out.append(_ESCAPES[e])
                i = k + 1
            elif e == 0x0D and k + 1 < n and data[k + 1] == 0x0A:
                i = k + 2  # a line continuation
            else:
                i = k + 1  # as pdfminer: an unknown escape drops its character


def objects(data: bytes) -> Iterator[Any]:
    """The top-level objects of a content stream, in order, as pdfminer's parser yields
    them: numbers, bytes, PSLiteral names, lists, dicts, booleans and PSKeyword operators."""
    from pdfminer.psparser import KWD, LIT, PSLiteral

    open_: list[tuple[bytes, list[Any]]] = []  # arrays, dictionaries, procedures being read
    i, n = 0, len(data)
    match = _TOKEN.match
    while i < n:
        m = match(data, i)
        if m is None:
            raise Unsupported(f"cannot read the content stream at byte {i}")
        i = m.end()
        kind = m.lastgroup
        value: Any
        if kind is None:  # white space or a comment
            continue
        if kind == "num":
            text = m.group("num")
            value = float(text) if b"." in text else int(text)
        elif kind == "name":
            raw = m.group("name")
            if b"#" in raw:
                raw = _NAME_HEX.sub(lambda h: bytes((int(h.group(1), 16),)), raw)
            try:
                value = LIT(raw.decode("utf-8"))
            except UnicodeDecodeError:
                value = LIT(raw)  # type: ignore[arg-type]
        elif kind == "str":
            value, i = _string(data, i)
        elif kind == "hex":
            value = _HEX_PAIR.sub(lambda h: bytes((int(h.group(0), 16),)),
                                  _HEX_WHITE.sub(b"", m.group("hex")))
        elif kind == "open":
            open_.append((m.group("open"), []))
            continue
        elif kind == "close":
            if not open_:
                continue  # as pdfminer: an unmatched close is ignored
            shape, items = open_.pop()
            if shape == b"<<":
                if len(items) % 2:
                    raise Unsupported("a dictionary with an odd number of items")
                value = {(k.name if isinstance(k, PSLiteral) else k): v
                         for k, v in zip(items[::2], items[1::2]) if v is not None}
            else:
                value = items
        else:  # keyword
            word = m.group("kw")
            if word == b"true":
                value = True
            elif word == b"false":
                value = False
            else:
                if open_:
                    raise Unsupported("an operator inside an array or dictionary")
                value = KWD(word)
        if open_:
            open_[-1][1].append(value)
        else:
            yield value


@lru_cache(maxsize=1)
def interpreter_class() -> type:
    """pdfminer's page interpreter with :func:`objects` in place of its tokenizer."""
    from pdfminer import settings
    from pdfminer.pdfinterp import PDFInterpreterError, PDFPageInterpreter
    from pdfminer.pdftypes import PDFStream, stream_value
    from pdfminer.psparser import PSKeyword

    class FastInterpreter(PDFPageInterpreter):  # type: ignore[misc]
        def execute(self, streams: Sequence[object]) -> None:
            valid: list[PDFStream] = []
            for obj in streams:
                stream = stream_value(obj)
                if stream.objid is None or stream.objid in self.parent_stream_ids:
                    return super().execute(streams)  # pdfminer warns and skips these
                valid.append(stream)
            data = b"\n".join(s.get_data() for s in valid)
            if _INLINE_IMAGE.search(data):
                return super().execute(streams)
            try:
                tokens = list(objects(data))
            except Unsupported:
                return super().execute(streams)
            self.stream_ids.clear()
            self.stream_ids.update(s.objid for s in valid if s.objid is not None)
            for obj in tokens:
                if isinstance(obj, PSKeyword):
                    name = obj.name.decode("latin-1") if isinstance(obj.name, bytes) else obj.name
                    method = getattr(self, "do_" + name.replace("*", "_a").replace('"', "_w")
                                     .replace("'", "_q"), None)
                    if method is None:
                        if settings.STRICT:
                            raise PDFInterpreterError(f"Unknown operator: {name!r}")
                        continue
                    nargs = method.__code__.co_argcount - 1
                    if nargs:
                        args = self.pop(nargs)
                        if len(args) == nargs:
                            method(*args)
                    else:
                        method()
                else:
                    self.push(obj)
            return None

    return FastInterpreter
