"""How well colophons are read: the archive's facts against ``sample-truth/issues.jsonl``.

Shared by ``bench/coverage.py`` (a table per seed) and the tests. Issues are grouped by how
the page the colophon is printed on was read: ``text`` (a PDF text layer, a legacy font
repaired, a Word file) or ``ocr``. A print run is *exact* when the integer read equals the
truth; an issue printed without a print run counts as right only when nothing was read
(a number there would be a guess).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from archive.catalog import Catalog
from indexer.segment.colophons import FIELDS, all_facts


@dataclass
class Tally:
    issues: int = 0  # issues with a print run in the truth
    exact: int = 0  # of them, read exactly
    absent: int = 0  # issues printed without a print run (or without a colophon)
    absent_right: int = 0  # of them, nothing read
    fields: dict[str, list[int]] = field(default_factory=dict)  # field → [right, printed]
    wrong: list[str] = field(default_factory=list)  # "issue: read X, truth Y"
    unread: int = 0  # issues with pages not read yet (left out of the counts)

    @property
    def share(self) -> float:
        return self.exact / self.issues if self.issues else 1.0


def load_truth(home: Path) -> dict[str, dict[str, object]]:
    path = home / "sample-truth" / "issues.jsonl"
    return {r["issue"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if r}


def evaluate(catalog: Catalog, home: Path) -> dict[str, Tally]:
    """Tallies by reading method of the colophon's page (``text``, ``ocr``) and ``all``."""
    truth = load_truth(home)
    facts = all_facts(catalog)
    methods = {r["page_id"]: r["method"] for r in catalog.query("SELECT page_id, method FROM page_text")}
    last = {r["issue_id"]: r["seq"] for r in catalog.query(
        "SELECT issue_id, MAX(seq) AS seq FROM page GROUP BY issue_id")}
    unread = {r["issue_id"] for r in catalog.query(
        "SELECT p.issue_id FROM page p LEFT JOIN page_text t ON t.page_id = p.id WHERE t.page_id IS NULL")}
    out = {"text": Tally(), "ocr": Tally(), "all": Tally()}
    for issue_id, t in truth.items():
        f = facts.get(issue_id)
        if f is None:
            continue
        if not f.read or issue_id in unread:
            out["all"].unread += 1
            continue
        seq = f.page or last.get(issue_id, 1)
        kind = "ocr" if methods.get(f"{issue_id}/{seq}") == "ocr" else "text"
        read = f.values.get("print_run")
        for tally in (out[kind], out["all"]):
            if t["print_run"] is None:
                tally.absent += 1
                tally.absent_right += read is None
                if read is not None:
                    tally.wrong.append(f"{issue_id}: read {read}, none printed")
            else:
                tally.issues += 1
                tally.exact += read == t["print_run"]
                if read != t["print_run"]:
                    tally.wrong.append(f"{issue_id}: read {read}, truth {t['print_run']}")
            for name in FIELDS:
                if t.get(name) is None:
                    continue
                right_printed = tally.fields.setdefault(name, [0, 0])
                right_printed[1] += 1
                right_printed[0] += f.values.get(name) == t[name]
    for tally in out.values():
        tally.wrong = sorted(set(tally.wrong))
    return out
