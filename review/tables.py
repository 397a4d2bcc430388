"""Tables: the one form every number takes on its way to a web page, a CSV file or a report.

Why one form: the coverage pages, their CSV downloads and the DOCX/HTML report must show the
same numbers for the same filters, so they all render the same :class:`Table` values made
by one computation (``review/structure.py``, ``coverage.py``, ...). Numbers are rounded once,
where they are computed (shares in percent with one decimal), so every rendering shows the
same digits; only the separators differ (``12.5`` in CSV, ``12,5 %`` on screen).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from archive import csvcells
from archive.vnformat import number
from review.evidence import Evidence

KINDS = ("text", "int", "float", "percent", "month", "date", "year")


@dataclass(frozen=True)
class Column:
    key: str  # CSV header and JSON field: stable, ASCII
    label: str  # Vietnamese header
    kind: str = "text"  # one of KINDS; how the value is displayed
    decimals: int = 0


@dataclass(frozen=True)
class Cell:
    """A value (int, float, str or None for "not applicable") and the evidence behind it."""

    value: Any
    link: Evidence | None = None
    flag: str = ""  # e.g. "empty", "thin", "nodata": how a heatmap cell is marked
    text: str = ""  # display text when it differs from the value (a series' title for its code)


@dataclass(frozen=True)
class Table:
    name: str  # stable identifier: the CSV file name and the page anchor
    title: str  # Vietnamese caption
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""  # how to read it (Vietnamese)
    index_version: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def column(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def values(self, key: str) -> list[Any]:
        k = self.column(key)
        return [r[k].value for r in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts of raw values (JSON output), links as ``<key>_url`` paths."""
        out = []
        for row in self.rows:
            rec: dict[str, Any] = {}
            for col, cell in zip(self.columns, row):
                rec[col.key] = cell.value
                if cell.link is not None:
                    rec[f"{col.key}_url"] = cell.link.path
                    if cell.link.query_key:
                        rec[f"{col.key}_query_key"] = cell.link.query_key
                if cell.flag:
                    rec[f"{col.key}_flag"] = cell.flag
            out.append(rec)
        return out

    def linked_columns(self) -> list[int]:
        """Columns holding links, leaving out those whose links repeat an earlier column's."""
        out: list[int] = []
        for i in range(len(self.columns)):
            links = [r[i].link for r in self.rows]
            if any(links) and not any(links == [r[j].link for r in self.rows] for j in out):
                out.append(i)
        return out

    def to_csv(self, base_url: str = "") -> str:
        """CSV (UTF-8 text; callers add a BOM for spreadsheets): the values as computed, then
        for each column holding links its URL (absolute under ``base_url``) and query key,
        and the index version every number was computed against."""
        buffer = io.StringIO()
        writer = csvcells.writer(buffer, lineterminator="\n")
        linked = self.linked_columns()
        flagged = [i for i in range(len(self.columns)) if any(r[i].flag for r in self.rows)]
        header = [c.key for c in self.columns]
        header += [f"{self.columns[i].key}_flag" for i in flagged]
        for i in linked:
            header += [f"{self.columns[i].key}_url", f"{self.columns[i].key}_query_key"]
        header.append("index_version")
        writer.writerow(header)
        for row in self.rows:
            line = [csv_value(cell.value) for cell in row]
            line += [row[i].flag for i in flagged]
            for i in linked:
                link = row[i].link
                line += [link.url(base_url) if link else "", link.query_key if link else ""]
            line.append(self.index_version)
            writer.writerow(line)
        return buffer.getvalue()


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def share(part: float, whole: float) -> float | None:
    """``part`` as a percentage of ``whole``, one decimal; None when ``whole`` is zero."""
    if not whole:
        return None
    return round(100.0 * part / whole, 1)


def ratio(part: float, whole: float, decimals: int = 1) -> float | None:
    if not whole:
        return None
    return round(part / whole, decimals)


def display(column: Column, cell: Cell) -> str:
    """The cell as shown on screen and in the report: Vietnamese separators (``1.234``,
    ``12,5 %``), months as ``7/2012``; '' for no value."""
    if cell.text:
        return cell.text
    value = cell.value
    if value is None or value == "":
        return ""

    if column.kind == "int":
        return number(value)
    if column.kind == "float":
        return number(value, column.decimals)
    if column.kind == "percent":
        return f"{number(value, column.decimals)} %"
    if column.kind == "month":
        text = str(value)
        return f"{int(text[5:7])}/{text[:4]}" if len(text) >= 7 else text
    if column.kind == "date":
        text = str(value)
        if len(text) >= 10:
            return f"{int(text[8:10])}/{int(text[5:7])}/{text[:4]}"
        return f"{int(text[5:7])}/{text[:4]}" if len(text) >= 7 else text
    return str(value)
