"""The register of known documents (``documents.toml``): identifiers, titles, dates issued.

Why: a citation in a bulletin gives an identifier and sometimes a date; the review needs the
date each document was issued (to measure how fast it reached Party cells), its title, and
the documents never mentioned at all. Editors keep the register as a data file; this module
loads it (errors name the line) and answers :meth:`Register.lookup`.

Identity is number + type + body, plus the year for State documents, so ``21-NQ/TW`` and
``21-NQ/TU``, ``01/2006/TT-NHNN`` and ``01/2007/TT-NHNN`` are different documents. Party
numbers are also reused from one Congress term to the next (``04-NQ/TW`` of 2006 and of 2016):
the register may hold both under one identifier when their dates differ, and
:meth:`Register.lookup` with a date picks the one in force (the latest issued on or before it).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from archive.vntext import fold, nfc
from indexer.analyze.datafile import DataFileError, read_toml
from indexer.analyze.docid import normalize_id, parse_id

SHIPPED = Path(__file__).with_name("documents.toml")
FIX = "correct the entry; see the field list at the top of documents.toml"

_FIELDS = {"id", "kind", "number", "doc_type", "body", "issuer", "title", "date", "aliases",
           "fictional", "uncertain", "note"}
_REQUIRED = ("id", "kind", "date")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Document:
    """One registered document. ``date`` is ISO (YYYY-MM-DD, or shorter when only the year or
    month is known); ``aliases`` are names running text uses for it (matched folded)."""

    id: str
    kind: str
    number: str
    doc_type: str
    body: str
    issuer: str
    title: str
    date: str
    aliases: tuple[str, ...] = ()
    fictional: bool = False
    uncertain: bool = False
    line: int = 0

    @property
    def year(self) -> int:
        return int(self.date[:4])


@dataclass(frozen=True)
class Register:
    documents: tuple[Document, ...]
    digest: str = ""  # sha256 of the file; part of the citation rules' version
    path: str = ""

    @classmethod
    def empty(cls) -> Register:
        return cls(())

    @cached_property
    def _by_id(self) -> dict[str, list[Document]]:
        out: dict[str, list[Document]] = {}
        for d in sorted(self.documents, key=lambda d: d.date):
            out.setdefault(d.id, []).append(d)
        return out

    def __iter__(self) -> Iterator[Document]:
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)

    def lookup(self, doc_id: str, date: str | None = None) -> Document | None:
        """The registered document with this identifier, or None.

        ``date`` (YYYY, YYYY-MM or YYYY-MM-DD: the date the text gives for the document, or
        the date of the article citing it) picks among documents sharing an identifier: one
        issued on exactly that date, else the latest issued on or before it; None when every
        one was issued after it (the text cites another document of the same number).
        Without a date the latest is returned.
        """
        found = self._by_id.get(doc_id)
        if not found:
            return None
        if not date:
            return found[-1]
        exact = [d for d in found if d.date == date]
        if exact:
            return exact[0]
        before = [d for d in found if d.date[: len(date)] <= date]
        return before[-1] if before else None

    def candidates(self, number: str, doc_type: str) -> list[Document]:
        """Documents with this number and type, any body (for shorthand such as *NQ21*)."""
        key = number.lstrip("0") or "0"
        return [d for d in self.documents
                if (d.number.lstrip("0") or "0") == key and fold(d.doc_type) == fold(doc_type)]

    @cached_property
    def names(self) -> tuple[tuple[tuple[str, ...], Document], ...]:
        """(folded syllables of a name, document) for every title of a law and every alias,
        longest first: what :mod:`indexer.analyze.citations` looks for in running text."""
        out = []
        for d in self.documents:
            names = list(d.aliases)
            if d.kind in ("Luật", "Bộ luật", "Hiến pháp", "Pháp lệnh") and d.title:
                names.append(d.title)
            for name in names:
                key = tuple(_WORD.findall(fold(name)))
                # A name that is only "Luật" + year is not a name; one syllable is too loose.
                if len(key) >= 2:
                    out.append((key, d))
        return tuple(sorted(out, key=lambda p: -len(p[0])))

    @cached_property
    def names_by_first(self) -> dict[str, list[tuple[tuple[str, ...], list[Document]]]]:
        """:attr:`names` grouped by first syllable, then by name (longest first); a name
        shared by several documents (two versions of a law) lists all of them."""
        grouped: dict[tuple[str, ...], list[Document]] = {}
        for key, doc in self.names:
            grouped.setdefault(key, []).append(doc)
        out: dict[str, list[tuple[tuple[str, ...], list[Document]]]] = {}
        for key, docs in grouped.items():
            out.setdefault(key[0], []).append((key, docs))
        return out


def load_register(path: str | Path | None = None) -> Register:
    """Read and validate ``documents.toml``; any fault raises DataFileError naming the line."""
    f = read_toml(path or SHIPPED, fix=FIX)
    for key in f.data:
        if key != "document":
            raise DataFileError(f.path, f.find_key(key), f"unknown key {key!r} at the top level",
                                "each document is a [[document]] block")
    raw = f.data.get("document", [])
    if not isinstance(raw, list):
        raise DataFileError(f.path, f.find_key("document"), "`document` must be [[document]] blocks",
                            FIX)
    headers = f.array_headers("document")
    docs: list[Document] = []
    seen: dict[tuple[str, str], int] = {}
    for i, entry in enumerate(raw):
        start = headers[i] if i < len(headers) else 0
        end = f.block_end(start, "document") if start else len(f.lines) + 1
        doc = _document(f, entry, start, end)
        doc_key = (doc.id, doc.date)
        if doc_key in seen:
            raise DataFileError(f.path, f.find_key("id", start, end),
                                f"{doc.id} dated {doc.date} is already registered at line "
                                f"{seen[doc_key]}", "keep one entry per document")
        seen[doc_key] = start
        docs.append(doc)
    digest = hashlib.sha256(f.text.encode("utf-8")).hexdigest()
    return Register(tuple(docs), digest, str(f.path))


def register_path(home: str | Path | None = None) -> Path:
    """``<home>/documents.toml`` when an editor put one there, else the shipped register."""
    if home is not None:
        local = Path(home) / "documents.toml"
        if local.is_file():
            return local
    return SHIPPED


def _document(f: Any, entry: Any, start: int, end: int) -> Document:
    if not isinstance(entry, dict):
        raise DataFileError(f.path, start, "each document must be a [[document]] table", FIX)
    for key in entry:
        if key not in _FIELDS:
            raise DataFileError(f.path, f.find_key(key, start, end), f"unknown field {key!r}",
                                "allowed: " + ", ".join(sorted(_FIELDS)))
    for key in _REQUIRED:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise DataFileError(f.path, f.find_key(key, start, end) if key in entry else start,
                                f"document without a `{key}`" if key not in entry
                                else f"`{key}` must be a non-empty string", FIX)
    for key in ("number", "doc_type", "body", "issuer", "title", "note"):
        if key in entry and not isinstance(entry[key], str):
            raise DataFileError(f.path, f.find_key(key, start, end), f"`{key}` must be a string",
                                FIX)
    line = f.find_key("id", start, end)
    raw_id = nfc(entry["id"].strip())
    doc_id = normalize_id(raw_id)
    if doc_id is None:
        raise DataFileError(f.path, line, f"{raw_id!r} is not a document identifier",
                            'write it as "21-NQ/TW", "800/QĐ-TTg" or "36/2018/QH14"')
    if doc_id != raw_id:
        raise DataFileError(f.path, line, f"identifier {raw_id!r} is not in its normal form",
                            f"write {doc_id!r}")
    date = entry["date"].strip()
    m = _DATE.match(date)
    if not m or not _valid_date(m):
        raise DataFileError(f.path, f.find_key("date", start, end),
                            f"date {date!r} is not YYYY-MM-DD", 'e.g. "2022-06-16"')
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise DataFileError(f.path, f.find_key("aliases", start, end),
                            "`aliases` must be a list of strings", FIX)
    for flag in ("fictional", "uncertain"):
        if flag in entry and not isinstance(entry[flag], bool):
            raise DataFileError(f.path, f.find_key(flag, start, end),
                                f"`{flag}` must be true or false", FIX)
    parts = parse_id(doc_id)
    return Document(
        id=doc_id, kind=nfc(entry["kind"].strip()),
        number=nfc(entry.get("number") or parts.number), doc_type=nfc(entry.get("doc_type") or parts.doc_type),
        body=nfc(entry.get("body") or parts.body), issuer=nfc(entry.get("issuer", "")),
        title=nfc(entry.get("title", "")), date=date,
        aliases=tuple(nfc(a) for a in aliases), fictional=bool(entry.get("fictional", False)),
        uncertain=bool(entry.get("uncertain", False)), line=start)


def _valid_date(m: re.Match[str]) -> bool:
    month, day = m.group(2), m.group(3)
    if month and not 1 <= int(month) <= 12:
        return False
    return not (day and not 1 <= int(day) <= 31)
