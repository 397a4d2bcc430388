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
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from archive.catalog import Catalog, now
from archive.editorial import EditConflict
from archive.errors import UsageError
from archive.permalinks import issue_path
from archive.vntext import fold
from indexer.extract.ocr import read_digits
from indexer.extract.render import load_page_image
from indexer.segment.colophon import FIELDS, READER_VERSION, Colophon, Fact, number_of, read_colophon
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


def update(catalog: Catalog, issue_id: str, pages: list[PageWords], segment_key: str,
           scans: Path | None = None) -> Colophon:
    """Read the colophon of ``pages`` and store it under the segment key it came from. On an
    OCR'd page the print run is read again from its crop (digits only: see :func:`reread_run`)."""
    colophon = read_colophon(pages)
    if scans is not None and colophon.found:
        page = next((p for p in pages if p.seq == colophon.page), None)
        if page is not None and page.method == "ocr":
            colophon = reread_run(catalog, issue_id, page, colophon, scans)
    store(catalog, issue_id, colophon, f"{segment_key}|{READER_VERSION}")
    return colophon


def _run_box(page: PageWords) -> tuple[tuple[float, float, float, float], str, float] | None:
    """The box, text and lowest confidence of the number printing the run: the word(s) right
    before *bản* that look like digits (OCR may split ``35.500`` into ``35.`` and ``500``)."""
    words = list(page.words)
    numeric = re.compile(r"^[\dOoIlSs.,|]+$")
    for n in range(len(words) - 1, 0, -1):
        if not fold(words[n].text).strip(".,:;'\"").startswith(("ban", "cuon")):
            continue
        k = n - 1
        while k >= 0 and words[k].line == words[n].line and (
                numeric.match(words[k].text) or len(words[k].text) <= 10
                and sum(ch.isdigit() for ch in words[k].text) >= 2):
            k -= 1
        part = words[k + 1:n]
        if part and any(ch.isdigit() for w in part for ch in w.text):
            box = (min(w.box[0] for w in part), min(w.box[1] for w in part),
                   max(w.box[2] for w in part), max(w.box[3] for w in part))
            return box, " ".join(w.text for w in part), min(w.conf for w in part)
    return None


def reread_run(catalog: Catalog, issue_id: str, page: PageWords, colophon: Colophon, scans: Path) -> Colophon:
    """Read the print run again from its word's box on the scan, enlarged, digits only.

    Why: on faded typewritten pages the page's reading confuses ``0`` with ``9`` and ``6``
    inside numbers (``29.599`` for ``29.500``); a second reading of the number alone, told to
    expect digits, gets them right. The re-read value is kept when it parses as a number;
    its confidence is the page reading's, lowered by 10 when the two disagree. Four readings
    (two margins, two enlargements) vote; none parsing keeps the page's reading."""
    found = _run_box(page)
    row = catalog.one("SELECT p.file, p.file_page, i.source_kind FROM page p JOIN issue i ON i.id = p.issue_id"
                      " WHERE p.id = ?", (page.page_id,))
    if found is None or row is None:
        return colophon
    (x0, y0, x1, y1), shown, shown_conf = found
    try:
        image = load_page_image(scans / row["file"], row["source_kind"], row["file_page"], 300, gray=True)
    except Exception:  # an unreadable scan keeps the page's reading
        log.warning("colophon of %s: the scan could not be opened for a second reading", issue_id)
        return colophon
    w, h = image.size
    votes: Counter[int] = Counter()
    for pad in (4, 8):  # two margins, two enlargements: the value most readings agree on
        crop = image.crop((max(0, int(x0 * w) - pad), max(0, int(y0 * h) - pad), min(w, int(x1 * w) + pad),
                           min(h, int(y1 * h) + pad)))
        for scale in (2, 3):
            got = number_of(read_digits(crop.resize((crop.width * scale, crop.height * scale))).lstrip(".,"))
            if got is not None:
                votes[got[0]] += 1
    if not votes:
        return colophon
    read = votes.most_common(1)[0]
    old = colophon.facts.get("print_run")
    evidence = old.evidence if old else shown
    conf = old.conf if old else shown_conf
    if old is None or old.value != read[0]:
        conf -= 10
    facts = dict(colophon.facts)
    facts["print_run"] = Fact(read[0], evidence, colophon.page, max(0.0, conf))
    return replace(colophon, facts=facts)


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
