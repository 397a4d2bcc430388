"""Editors' corrections of page text, with history, conflict detection and restore.

Why versions instead of overwriting: the review must be able to show what the machine read
and who changed it, and an editor's fix must survive a re-extraction. Version 0 of a page is
the machine output (``page_text``); each correction adds version n+1 with who, when and why;
restoring version k adds a new version with k's text. The version in force is the highest.

Two editors editing the same page: each form carries the version it started from
(``base_version``); saving over a newer version raises :class:`EditConflict` with the text in
force and a diff, so the second editor is told and shown the difference, never silently
overwritten. Each save is one SQLite transaction: a crash leaves the old or the new version.

Word boxes follow the text: the corrected words are aligned to the machine words
(:func:`align_words`) so search hits on corrected words can still be marked on the scan.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from typing import Any

from archive.catalog import Catalog, now, queue_stamp
from archive.errors import BantinError, UsageError
from archive.models import Word
from archive.vntext import nfc

_TOKEN = re.compile(r"\S+")
FAULT_ENV = "BANTIN_EDIT_FAULT"


def fault_point(name: str) -> None:
    """Fault injection for the crash tests, off unless ``BANTIN_EDIT_FAULT`` names this
    point: ``page-save`` / ``article-save`` stop a save inside its transaction (after the
    new version is written, before the commit), ``refresh`` after the commit, before the
    index catches up (:mod:`indexer.refresh`); the process then waits there to be killed."""
    if os.environ.get(FAULT_ENV) == name:
        sys.stderr.write(f"FAULT {name}\n")
        sys.stderr.flush()
        while True:
            time.sleep(1)


class EditConflict(BantinError):
    """Someone saved a newer version since this edit began."""

    def __init__(self, what: str, base: int, current: int, current_text: str, diff: str) -> None:
        self.base = base
        self.current = current
        self.current_text = current_text
        self.diff = diff
        super().__init__(f"{what} was changed by someone else (version {current}, you started "
                         f"from {base}); review their text and apply your change again")


@dataclass(frozen=True)
class PageVersion:
    page_id: str
    version: int  # 0 = machine output
    text: str
    words: tuple[Word, ...]
    author: str  # "" for the machine
    at: str
    reason: str
    method: str = ""  # for version 0: text | legacy | ocr
    confidence: float = 0.0
    restored_from: int | None = None


def _machine(catalog: Catalog, page_id: str) -> PageVersion | None:
    row = catalog.one("SELECT t.* FROM page_text t JOIN page p ON p.id = t.page_id"
                      " WHERE t.page_id = ? AND t.sha256 = p.sha256", (page_id,))
    if row is None:
        return None
    words = tuple(Word.from_row(w) for w in json.loads(row["words"]))
    return PageVersion(page_id, 0, row["text"], words, "", row["extracted_at"], "",
                       row["method"], row["confidence"])


def _version_row(row) -> PageVersion:  # type: ignore[no-untyped-def]
    words = tuple(Word.from_row(w) for w in json.loads(row["words"]))
    conf = sum(w.conf for w in words) / len(words) if words else 0.0
    return PageVersion(row["page_id"], row["version"], row["text"], words, row["author"],
                       row["at"], row["reason"], "", conf, row["restored_from"])


def effective_page(catalog: Catalog, page_id: str) -> PageVersion | None:
    """The page text in force: the latest correction, else the machine output, else None.

    Every reader of page text (segmentation, the page index, the web app, exports) goes
    through here, so a correction reaches all of them.
    """
    row = catalog.one("SELECT * FROM page_version WHERE page_id = ? ORDER BY version DESC LIMIT 1",
                      (page_id,))
    if row is not None:
        machine = _machine(catalog, page_id)
        version = _version_row(row)
        if machine is not None:
            return PageVersion(**{**version.__dict__, "method": machine.method})
        return version
    return _machine(catalog, page_id)


def effective_word_rows(catalog: Catalog, page_id: str) -> list[list[Any]] | None:
    """The words of the page text in force (see :func:`effective_page`) as the catalog stores
    them (``Word.to_row``), without making :class:`Word` objects: marking hits on a results
    page reads ~20 pages, and the objects cost more than the JSON."""
    row = catalog.one("SELECT words FROM page_version WHERE page_id = ? ORDER BY version DESC LIMIT 1",
                      (page_id,))
    if row is None:
        row = catalog.one("SELECT t.words FROM page_text t JOIN page p ON p.id = t.page_id"
                          " WHERE t.page_id = ? AND t.sha256 = p.sha256", (page_id,))
    if row is None:
        return None
    rows: list[list[Any]] = json.loads(row["words"])
    return rows


def page_history(catalog: Catalog, page_id: str) -> list[PageVersion]:
    """Every version of a page, oldest first (version 0 is the machine output)."""
    versions = []
    machine = _machine(catalog, page_id)
    if machine is not None:
        versions.append(machine)
    versions += [_version_row(r) for r in catalog.query(
        "SELECT * FROM page_version WHERE page_id = ? ORDER BY version", (page_id,))]
    return versions


def current_version(catalog: Catalog, page_id: str) -> int:
    row = catalog.one("SELECT MAX(version) v FROM page_version WHERE page_id = ?", (page_id,))
    return int(row["v"]) if row and row["v"] is not None else 0


def text_diff(old: str, new: str, old_label: str = "trước", new_label: str = "sau") -> str:
    """A unified diff, line by line, for showing an editor what changed; the labels name the
    two texts (``---`` lines are ``old``'s, ``+++`` lines ``new``'s). Both sides are NFC, so a
    syllable typed decomposed does not show as changed, and its marks draw on one glyph."""
    return "\n".join(difflib.unified_diff(nfc(old).splitlines(), nfc(new).splitlines(), old_label,
                                          new_label, lineterm="", n=1))


def correct_page(catalog: Catalog, page_id: str, text: str, *, author: str, base_version: int,
                 reason: str = "", restored_from: int | None = None) -> PageVersion:
    """Save ``text`` as the page's new version; raise EditConflict if ``base_version`` is stale."""
    text = nfc(text).replace("\r\n", "\n").replace("\r", "\n")
    if not author:
        raise UsageError("a correction needs its author")
    with catalog.transaction() as db:
        if catalog.get_page(page_id) is None:
            raise UsageError(f"no page {page_id} in the catalog")
        current = current_version(catalog, page_id)
        if current != base_version:
            in_force = effective_page(catalog, page_id)
            current_text = in_force.text if in_force else ""
            raise EditConflict(f"page {page_id}", base_version, current, current_text,
                               text_diff(current_text, text, f"bản {current} đang có hiệu lực",
                                         "bản bạn vừa sửa"))
        previous = effective_page(catalog, page_id)
        old_words = list(previous.words) if previous else []
        words = align_words(old_words, text)
        at = now()
        db.execute("INSERT INTO page_version(page_id, version, text, words, author, at, reason,"
                   " restored_from) VALUES (?,?,?,?,?,?,?,?)",
                   (page_id, current + 1, text,
                    json.dumps([w.to_row() for w in words], ensure_ascii=False), author, at,
                    nfc(reason), restored_from))
        db.execute("INSERT OR REPLACE INTO reindex_queue(doc_id, kind, at) VALUES (?, 'page', ?)",
                   (page_id, queue_stamp()))
        fault_point("page-save")
    result = effective_page(catalog, page_id)
    assert result is not None
    return result


def restore_page(catalog: Catalog, page_id: str, version: int, *, author: str, base_version: int,
                 reason: str = "") -> PageVersion:
    """Bring back version ``version``'s text as a new version (history is never rewritten)."""
    old = {v.version: v for v in page_history(catalog, page_id)}.get(version)
    if old is None:
        raise UsageError(f"page {page_id} has no version {version}")
    return correct_page(catalog, page_id, old.text, author=author, base_version=base_version,
                        reason=reason or f"khôi phục phiên bản {version}", restored_from=version)


def align_words(old: list[Word], text: str) -> list[Word]:
    """Words of the corrected ``text`` carrying the boxes of the machine words they replace.

    Equal tokens keep their word; a replaced run of n old by m new tokens shares the old run's
    span (split in proportion to length when on one line); inserted tokens borrow the
    neighbouring box with zero width. Corrected words get confidence 100 (a person read them).
    """
    new_tokens = _TOKEN.findall(text)
    old_tokens = [w.text for w in old]
    out: list[Word] = []
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(old[i1:i2])
        elif tag == "delete":
            continue
        elif tag == "replace":
            span = old[i1:i2]
            tokens = new_tokens[j1:j2]
            if len(span) == len(tokens):
                out.extend(Word(t, w.box, 100.0, w.block, w.line, w.size, w.bold)
                           for t, w in zip(tokens, span))
            else:
                out.extend(_share_span(span, tokens))
        else:  # insert
            anchor = out[-1] if out else (old[i1] if i1 < len(old) else None)
            for t in new_tokens[j1:j2]:
                if anchor is None:
                    out.append(Word(t, (0.0, 0.0, 0.0, 0.0), 100.0))
                else:
                    x = anchor.box[2]
                    out.append(Word(t, (x, anchor.box[1], x, anchor.box[3]), 100.0,
                                    anchor.block, anchor.line, anchor.size, anchor.bold))
    return out


def _share_span(span: list[Word], tokens: list[str]) -> list[Word]:
    first = span[0]
    same_line = all(w.line == first.line for w in span)
    if not same_line:
        # keep each old box for the first tokens, the rest ride on the last box
        out = []
        for k, t in enumerate(tokens):
            w = span[min(k, len(span) - 1)]
            out.append(Word(t, w.box, 100.0, w.block, w.line, w.size, w.bold))
        return out
    x0 = min(w.box[0] for w in span)
    x1 = max(w.box[2] for w in span)
    y0 = min(w.box[1] for w in span)
    y1 = max(w.box[3] for w in span)
    total = sum(len(t) for t in tokens) + (len(tokens) - 1)
    out, pos = [], 0
    for t in tokens:
        a = x0 + (x1 - x0) * pos / total
        pos += len(t)
        b = x0 + (x1 - x0) * pos / total
        pos += 1
        out.append(Word(t, (a, y0, b, y1), 100.0, first.block, first.line, first.size, first.bold))
    return out
