"""Who must report for a review, what they sent, and when (issue 21).

``<home>/reporters.toml`` is the register an editor keeps (the sample writes one)::

    [[review]]
    code = "tong-ket-2025"
    name = "Tổng kết việc biên soạn, phát hành và sử dụng bản tin"
    deadline = "2025-10-15"

    [[unit]]
    code = "an-lac"
    name = "Huyện ủy An Lạc"

Reports are files ``scans/reports/<review>/<unit>.<ext>`` (PDF, DOCX, DOC, ODT, RTF, or a scan:
PNG, JPEG, TIFF), dropped there or uploaded on the desk (written there too). The date a
report was received is its sidecar's ``received = "YYYY-MM-DD"`` (``<unit>.toml``, as the
board's office logs it), else the upload date, else the day the archive first saw it. A unit
is *received* when its report came by the deadline, *late* after it, *missing* when none
came (and the deadline passed or not: still missing).

This module holds the register's reader and the SQL of ``district_report`` and
``report_figure`` (``archive/schema/082_reports.sql``); reading the documents is
``indexer/reports.py``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.catalog import Catalog, now
from archive.errors import ConfigError
from archive.vntext import nfc

REGISTER = "reporters.toml"
REPORT_KINDS = {".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".odt": "odt", ".rtf": "rtf",
                ".png": "image", ".jpg": "image", ".jpeg": "image", ".tif": "image", ".tiff": "image"}
FIGURES = ("copies_received", "cells_using", "cells", "surveys")
FIGURE_LABELS = {"copies_received": "Số bản nhận", "cells_using": "Chi bộ sử dụng trong sinh hoạt",
                 "cells": "Tổng số chi bộ", "surveys": "Cuộc khảo sát đã làm"}
STATUS_LABELS = {"received": "Đã nộp đúng hạn", "late": "Nộp muộn", "missing": "Chưa nộp"}
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Review:
    code: str
    name: str
    deadline: str  # YYYY-MM-DD


@dataclass(frozen=True)
class Unit:
    code: str
    name: str


@dataclass(frozen=True)
class Register:
    reviews: tuple[Review, ...]
    units: tuple[Unit, ...]

    def review(self, code: str) -> Review | None:
        return next((r for r in self.reviews if r.code == code), None)

    def unit(self, code: str) -> Unit | None:
        return next((u for u in self.units if u.code == code), None)


def load_register(home: Path) -> Register:
    """The register of ``home`` (empty when there is none); a malformed one is ConfigError
    naming the file and the entry."""
    path = Path(home) / REGISTER
    if not path.exists():
        return Register((), ())
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML ({e}); fix the file (see README, District reports)") from e
    reviews, units = [], []
    for i, r in enumerate(data.get("review", []), 1):
        code, deadline = str(r.get("code", "")), str(r.get("deadline", ""))
        if not _CODE.match(code) or not _DATE.match(deadline):
            raise ConfigError(f"{path}: review {i} needs code (lower case, digits, '-') and deadline "
                            f"YYYY-MM-DD (has code={code!r}, deadline={deadline!r})")
        reviews.append(Review(code, nfc(str(r.get("name", code))), deadline))
    for i, u in enumerate(data.get("unit", []), 1):
        code = str(u.get("code", ""))
        if not _CODE.match(code):
            raise ConfigError(f"{path}: unit {i} needs a code of lower-case letters, digits and '-' (has {code!r})")
        units.append(Unit(code, nfc(str(u.get("name", code)))))
    return Register(tuple(reviews), tuple(units))


@dataclass(frozen=True)
class UnitStatus:
    review: str
    unit: Unit
    status: str  # received | late | missing
    received: str  # YYYY-MM-DD or ''
    days_late: int
    report: dict[str, Any] | None  # the district_report row


def statuses(catalog: Catalog, register: Register, review: str) -> list[UnitStatus]:
    """Every unit of the register against the review's deadline, in register order; reports
    from units the register does not name are listed last under their code."""
    found = register.review(review)
    if found is None:
        return []
    rows = {r["unit"]: dict(r) for r in catalog.query("SELECT * FROM district_report WHERE review = ?", (review,))}
    units = list(register.units) + [Unit(code, code) for code in sorted(rows) if register.unit(code) is None]
    out = []
    for unit in units:
        row = rows.get(unit.code)
        if row is None:
            out.append(UnitStatus(review, unit, "missing", "", 0, None))
            continue
        late = _days(row["received"]) - _days(found.deadline)
        out.append(UnitStatus(review, unit, "late" if late > 0 else "received", row["received"], max(late, 0), row))
    return out


def _days(date: str) -> int:
    from datetime import date as day

    y, m, d = (int(x) for x in date.split("-"))
    return day(y, m, d).toordinal()


def store_report(catalog: Catalog, row: dict[str, Any], figures: dict[str, tuple[int | None, str]]) -> None:
    """Write a report as read, and the figures its text states (the editors' values kept)."""
    with catalog.transaction() as db:
        old = db.execute("SELECT received, received_from FROM district_report WHERE id = ?", (row["id"],)).fetchone()
        if old is not None and row.get("received_from") == "seen":  # first seen stays the date
            row = {**row, "received": old[0], "received_from": old[1]}
        cols = ("id", "review", "unit", "path", "sha256", "kind", "received", "received_from", "pages",
                "text", "method", "confidence", "refs", "problem")
        db.execute(f"INSERT OR REPLACE INTO district_report({', '.join(cols)}, read_at) VALUES "
                   f"({', '.join('?' for _ in cols)}, ?)", (*(row[c] for c in cols), now()))
        for name in FIGURES:
            value, evidence = figures.get(name, (None, ""))
            db.execute("INSERT INTO report_figure(report_id, name, machine, evidence) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT(report_id, name) DO UPDATE SET machine = excluded.machine, "
                       "evidence = excluded.evidence", (row["id"], name, value, evidence))


def report_row(catalog: Catalog, report_id: str) -> dict[str, Any] | None:
    row = catalog.one("SELECT * FROM district_report WHERE id = ?", (report_id,))
    return dict(row) if row else None


def figures(catalog: Catalog, report_id: str) -> dict[str, dict[str, Any]]:
    """Per figure: machine value and evidence, the editor's value, and the value in force
    (``value`` when confirmed, else None: a prefill is not a figure until confirmed)."""
    out: dict[str, dict[str, Any]] = {n: {"machine": None, "evidence": "", "value": None, "confirmed_by": "",
                                          "confirmed_at": ""} for n in FIGURES}
    for r in catalog.query("SELECT * FROM report_figure WHERE report_id = ?", (report_id,)):
        out[r["name"]] = dict(r)
    return out


def confirm(catalog: Catalog, report_id: str, values: dict[str, int | None], *, author: str) -> None:
    """The editor's values (confirming a prefill is saving it unchanged)."""
    with catalog.transaction() as db:
        for name, value in values.items():
            if name not in FIGURES:
                continue
            db.execute("INSERT INTO report_figure(report_id, name, value, confirmed_by, confirmed_at) "
                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT(report_id, name) DO UPDATE SET value = excluded.value,"
                       " confirmed_by = excluded.confirmed_by, confirmed_at = excluded.confirmed_at",
                       (report_id, name, value, author, now()))
