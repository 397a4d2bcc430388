"""What a series' calendar shows: per year, the issues held and the gaps.

An issue is *expected* when its number is within the series' ``issues_per_year`` (numbered
1..N each year, as the file names and mastheads number them). In the series' first year the
count is prorated from the month its first title started (``1989-07`` → issues 1..6 of a
monthly). The calendar runs from the first year to the last year held: beyond the last held
issue nobody can tell a gap from an issue not yet scanned. Special issues (a suffix such as
``xuan``) are held extras, never gaps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from archive.models import Issue, Series


@dataclass(frozen=True)
class Cell:
    number: int
    issue: Issue | None  # None: expected and missing (a gap)


@dataclass(frozen=True)
class Year:
    year: int
    expected: int
    cells: tuple[Cell, ...]  # numbers 1..max(expected, highest held)
    specials: tuple[Issue, ...] = ()
    other: tuple[Issue, ...] = field(default=())  # numbers that are not integers

    @property
    def held(self) -> int:
        return sum(1 for c in self.cells if c.issue is not None) + len(self.specials) + len(self.other)

    @property
    def held_expected(self) -> int:
        return sum(1 for c in self.cells if c.issue is not None and c.number <= self.expected)

    @property
    def gaps(self) -> list[int]:
        return [c.number for c in self.cells if c.issue is None]


@dataclass(frozen=True)
class Holdings:
    series: Series
    years: tuple[Year, ...]

    @property
    def held(self) -> int:
        return sum(y.held for y in self.years)

    @property
    def expected(self) -> int:
        return sum(y.expected for y in self.years)

    @property
    def missing(self) -> int:
        return sum(len(y.gaps) for y in self.years)


def start_month(series: Series) -> int:
    """Month of the first issue, from the earliest dated title (1 when unknown)."""
    for t in sorted(series.titles, key=lambda t: t.start):
        if t.start[:4] == f"{series.first_year:04d}" and len(t.start) >= 7 and t.start[5:7].isdigit():
            return max(1, min(12, int(t.start[5:7])))
    return 1


def expected_in(series: Series, year: int) -> int:
    n = max(0, series.issues_per_year)
    if n and year == series.first_year:
        return math.ceil(n * (13 - start_month(series)) / 12)
    return n


def holdings(series: Series, issues: list[Issue]) -> Holdings:
    by_year: dict[int, list[Issue]] = {}
    for issue in issues:
        by_year.setdefault(issue.year, []).append(issue)
    if not by_year:
        return Holdings(series, ())
    first = min(by_year) if not series.first_year else min(series.first_year, min(by_year))
    last = max(by_year)
    years = []
    for year in range(first, last + 1):
        held = by_year.get(year, [])
        regular: dict[int, Issue] = {}
        specials, other = [], []
        for issue in held:
            if issue.suffix:
                specials.append(issue)
            elif issue.number.isdigit():
                regular.setdefault(int(issue.number), issue)
            else:
                other.append(issue)
        expected = expected_in(series, year) if year >= series.first_year else 0
        offset = 0
        if year == series.first_year and expected < max(0, series.issues_per_year):
            # numbering may restart at 1 in the first year or continue the calendar month
            lowest = min(regular) if regular else 1
            offset = 0 if lowest <= expected else lowest - 1
        top = max([expected + offset, *regular]) if regular or expected else 0
        cells = tuple(Cell(n, regular.get(n)) for n in range(1 + offset, top + 1))
        years.append(Year(year, expected, cells, tuple(sorted(specials, key=lambda i: i.id)),
                          tuple(other)))
    return Holdings(series, tuple(years))
