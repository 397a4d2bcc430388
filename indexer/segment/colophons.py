"""Colophon facts in the catalog: read after segmentation, corrected by editors, read back.

Tables (``archive/schema/080_colophon.sql``; this module holds their SQL):
``colophon`` (derived: the machine's reading of each issue, redone when the issue's pages
or the reader change), ``colophon_version`` (editors' corrections with history: the highest
version is in force and holds every field) and ``party_cells`` (editors' count of the Party
cells a series reaches in a year).

:func:`issue_facts` is the one reader: the editor's value where one was saved, else the
machine's, with where each came from. The export, the distribution tables and the desk all
read through it, so they agree.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from archive.catalog import Catalog, now
from archive.editorial import EditConflict
from archive.errors import UsageError
from archive.permalinks import issue_path
from indexer.segment.colophon import FIELDS, READER_VERSION, Colophon, read_colophon
from indexer.segment.lines import PageWords

log = logging.getLogger(__name__)

INT_FIELDS = {"print_run"}


@dataclass(frozen=True)
class IssueFacts:
    """An issue's colophon facts in force."""

    issue_id: str
    found: bool  # the machine found a colophon (or an editor entered one)
    values: dict[str, Any]  # field → value or None
    sources: dict[str, str] = field(default_factory=dict)  # field → machine | editor
    evidence: dict[str, str] = field(default_factory=dict)  # field → the words read
    conf: dict[str, float] = field(default_factory=dict)  # field → 0..100 (editor: 100)
    page: int = 0
    text: str = ""  # the colophon as read
    version: int = 0  # editor's version in force (0: the machine's)
    read: bool = False  # the machine has read this issue


def store(catalog: Catalog, issue_id: str, colophon: Colophon, key: str) -> None:
    facts = {k: f.as_dict() for k, f in colophon.facts.items()}
    with catalog.transaction() as db:
        db.execute("INSERT OR REPLACE INTO colophon(issue_id, found, page, text, facts, source_key, at)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (issue_id, int(colophon.found), colophon.page, colophon.text,
                    json.dumps(facts, ensure_ascii=False), key, now()))


def stale(catalog: Catalog, issue_id: str, segment_key: str) -> bool:
    row = catalog.one("SELECT source_key FROM colophon WHERE issue_id = ?", (issue_id,))
    return row is None or row["source_key"] != f"{segment_key}|{READER_VERSION}"


def update(catalog: Catalog, issue_id: str, pages: list[PageWords], segment_key: str) -> Colophon:
    """Read the colophon of ``pages`` and store it under the segment key it came from."""
    colophon = read_colophon(pages)
    store(catalog, issue_id, colophon, f"{segment_key}|{READER_VERSION}")
    return colophon


def _latest_versions(catalog: Catalog) -> dict[str, tuple[int, dict[str, Any]]]:
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    for r in catalog.query("SELECT issue_id, version, fields FROM colophon_version ORDER BY version"):
        out[r["issue_id"]] = (r["version"], json.loads(r["fields"]))
    return out


def all_facts(catalog: Catalog) -> dict[str, IssueFacts]:
    """Facts in force for every issue the catalog holds (missing issues left out)."""
    machine = {r["issue_id"]: r for r in catalog.query("SELECT * FROM colophon")}
    edits = _latest_versions(catalog)
    return {i.id: _facts(i.id, machine.get(i.id), edits.get(i.id))
            for i in catalog.issues(include_missing=False)}


def issue_facts(catalog: Catalog, issue_id: str) -> IssueFacts:
    row = catalog.one("SELECT * FROM colophon WHERE issue_id = ?", (issue_id,))
    edit = catalog.one("SELECT version, fields FROM colophon_version WHERE issue_id = ? "
                       "ORDER BY version DESC LIMIT 1", (issue_id,))
    return _facts(issue_id, row, (edit["version"], json.loads(edit["fields"])) if edit else None)


def _facts(issue_id: str, row: Any, edit: tuple[int, dict[str, Any]] | None) -> IssueFacts:
    machine = json.loads(row["facts"]) if row is not None else {}
    values: dict[str, Any] = {k: (machine[k]["value"] if k in machine else None) for k in FIELDS}
    sources = {k: "machine" for k in FIELDS if k in machine}
    evidence = {k: machine[k]["evidence"] for k in machine if k in FIELDS}
    conf = {k: float(machine[k]["conf"]) for k in machine if k in FIELDS}
    found = bool(row["found"]) if row is not None else False
    version = 0
    if edit is not None:
        version, fields = edit
        for k in FIELDS:
            if k in fields and fields[k] != values[k]:
                values[k] = fields[k]
                sources[k] = "editor"
                conf[k] = 100.0
        found = found or any(v is not None for v in values.values())
    return IssueFacts(issue_id, found, values, sources, evidence, conf,
                      row["page"] if row is not None else 0, row["text"] if row is not None else "",
                      version, row is not None)


def history(catalog: Catalog, issue_id: str) -> list[dict[str, Any]]:
    return [{"version": r["version"], "fields": json.loads(r["fields"]), "author": r["author"],
             "at": r["at"], "reason": r["reason"]}
            for r in catalog.query("SELECT * FROM colophon_version WHERE issue_id = ? ORDER BY version DESC",
                                   (issue_id,))]


def clean_value(name: str, raw: str) -> Any:
    """A field as typed on the desk: '' is null; the print run an integer (``1.500`` = 1500)."""
    text = " ".join(raw.split())
    if not text:
        return None
    if name in INT_FIELDS:
        digits = text.replace(".", "").replace(",", "").replace(" ", "")
        if not digits.isdigit():
            raise UsageError(f"số lượng in phải là một số nguyên (đã nhập {text!r})")
        return int(digits)
    return text


def save(catalog: Catalog, issue_id: str, values: dict[str, Any], *, author: str, base_version: int,
         reason: str = "") -> int:
    """Save an editor's values (every field of ``FIELDS``; missing ones kept as in force) as a
    new version; raises ``EditConflict`` when someone saved since ``base_version``."""
    with catalog.transaction() as db:
        row = db.execute("SELECT MAX(version) FROM colophon_version WHERE issue_id = ?",
                         (issue_id,)).fetchone()
        current = row[0] or 0
        if current != base_version:
            raise EditConflict(f"the colophon of {issue_id}", base_version, current, "", "")
        now_in_force = issue_facts(catalog, issue_id).values
        fields = {k: values.get(k, now_in_force[k]) for k in FIELDS}
        db.execute("INSERT INTO colophon_version(issue_id, version, fields, author, at, reason)"
                   " VALUES (?, ?, ?, ?, ?, ?)",
                   (issue_id, current + 1, json.dumps(fields, ensure_ascii=False), author, now(), reason))
    return current + 1


def party_cells(catalog: Catalog) -> dict[tuple[str, int], int]:
    return {(r["series"], r["year"]): r["cells"] for r in catalog.query("SELECT * FROM party_cells")}


def set_party_cells(catalog: Catalog, series: str, year: int, cells: int | None, *, author: str) -> None:
    """Set (or, with None, clear) the number of Party cells a series reaches in a year."""
    with catalog.transaction() as db:
        if cells is None:
            db.execute("DELETE FROM party_cells WHERE series = ? AND year = ?", (series, year))
        else:
            if cells <= 0:
                raise UsageError("số chi bộ phải lớn hơn 0")
            db.execute("INSERT OR REPLACE INTO party_cells(series, year, cells, author, at) VALUES (?, ?, ?, ?, ?)",
                       (series, year, cells, author, now()))


ISSUE_FIELDS = ("issue", "series", "year", "number", "suffix", "date", "pages", "colophon",
                "print_run", "format", "printer", "licence", "licence_date", "deposit", "editor",
                "print_run_conf", "print_run_evidence", "print_run_source", "url")
"""``bantin export issues``: the field names are public (extend, never rename), and those of
``sample-truth/issues.jsonl``. ``colophon`` says whether one was found; a fact not printed
or not readable is null, never guessed."""


def issue_records(catalog: Catalog) -> Iterator[dict[str, Any]]:
    facts = all_facts(catalog)
    pages = {r["issue_id"]: r["n"] for r in catalog.query(
        "SELECT issue_id, COUNT(*) AS n FROM page GROUP BY issue_id")}
    for issue in catalog.issues(include_missing=False):
        f = facts[issue.id]
        yield {"issue": issue.id, "series": issue.series, "year": issue.year, "number": issue.number,
               "suffix": issue.suffix, "date": issue.date[:7] if issue.date else None,
               "pages": pages.get(issue.id, 0), "colophon": f.found, **f.values,
               "print_run_conf": f.conf.get("print_run"),
               "print_run_evidence": f.evidence.get("print_run"),
               "print_run_source": f.sources.get("print_run"), "url": issue_path(issue.id)}
