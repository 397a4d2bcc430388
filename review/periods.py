"""Periods the review groups years by: single years, decades, Party Congress terms.

Why terms are counted in whole years: every number must reproduce as one search, and the
search filters by a range of years (``from``/``to``), not by months. The Congresses met in
January to early July (VII 6/1991, VIII 6–7/1996, IX 4/2001, X 4/2006, XI 1/2011, XII 1/2016,
XIII 1/2021, XIV 1/2026), so the year a Congress meets opens the new term here: term VII is
1991–1995, XIII is 2021–2025. :data:`TERMS` keeps the exact months for display
(*VI 12/1986–6/1991*), per ``shared/DOMAIN.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

BY_CHOICES = ("year", "term", "decade")


@dataclass(frozen=True)
class Period:
    """Years ``first``..``last`` inclusive (``last`` None: open-ended), with a label."""

    key: str  # stable, used in URLs and CSV: "1994", "1990s", "XI"
    label: str  # Vietnamese, for display: "1994", "1990–1999", "Khóa XI (2011–2015)"
    first: int
    last: int | None

    @property
    def short(self) -> str:
        """A label for chart axes: ``XI 2011–15`` for a term, else the label."""
        if self.label.startswith("Khóa ") and self.last is not None:
            return f"{self.key} {self.first}–{self.last % 100:02d}"
        if self.label.startswith("Khóa "):
            return f"{self.key} {self.first}–"
        return self.label

    def contains(self, year: int) -> bool:
        return self.first <= year and (self.last is None or year <= self.last)

    def clipped(self, first: int | None, last: int | None) -> tuple[int, int] | None:
        """The years of this period inside ``first``..``last`` (None: no overlap)."""
        lo = self.first if first is None else max(self.first, first)
        hi_candidates = [v for v in (self.last, last) if v is not None]
        hi = min(hi_candidates) if hi_candidates else lo
        return (lo, hi) if lo <= hi else None


@dataclass(frozen=True)
class Term:
    """A Party Congress term: the roman numeral and its exact months (display only)."""

    numeral: str
    start: str  # YYYY-MM the Congress opened the term
    end: str | None  # YYYY-MM the next Congress met; None for the current term

    @property
    def first(self) -> int:
        return int(self.start[:4])

    @property
    def months(self) -> str:
        """``12/1986–6/1991`` (``từ 1/2026`` for the open term)."""
        def mm(v: str) -> str:
            return f"{int(v[5:7])}/{v[:4]}"
        return f"{mm(self.start)}–{mm(self.end)}" if self.end else f"từ {mm(self.start)}"


TERMS: tuple[Term, ...] = (
    Term("VI", "1986-12", "1991-06"),
    Term("VII", "1991-06", "1996-06"),
    Term("VIII", "1996-06", "2001-04"),
    Term("IX", "2001-04", "2006-04"),
    Term("X", "2006-04", "2011-01"),
    Term("XI", "2011-01", "2016-01"),
    Term("XII", "2016-01", "2021-01"),
    Term("XIII", "2021-01", "2026-01"),
    Term("XIV", "2026-01", None),
)


BEFORE_TERMS = Period("truoc-VI", "Trước Khóa VI (đến 1985)", 1900, 1985)


def term_periods() -> list[Period]:
    """The terms as periods of whole years (the Congress year opens the new term; VI starts
    in 1986, the year of its Congress)."""
    out = []
    for k, t in enumerate(TERMS):
        last = TERMS[k + 1].first - 1 if k + 1 < len(TERMS) else None
        years = f"{t.first}–{last}" if last is not None else f"từ {t.first}"
        out.append(Period(t.numeral, f"Khóa {t.numeral} ({years})", t.first, last))
    return out


def term_of(year: int) -> Period | None:
    """The term period holding ``year`` (None before 1986)."""
    return next((p for p in term_periods() if p.contains(year)), None)


def decade_of(year: int) -> Period:
    start = year - year % 10
    return Period(f"{start}s", f"{start}–{start + 9}", start, start + 9)


def year_period(year: int) -> Period:
    return Period(str(year), str(year), year, year)


def periods(by: str, first: int, last: int) -> list[Period]:
    """The periods of kind ``by`` (year | term | decade) that cover ``first``..``last``, in
    order. Years before 1986 grouped by term fall in a period of their own (*trước Khóa VI*)."""
    if by not in BY_CHOICES:
        raise ValueError(f"unknown period kind {by!r}: use one of {', '.join(BY_CHOICES)}")
    if first > last:
        return []
    if by == "year":
        return [year_period(y) for y in range(first, last + 1)]
    if by == "decade":
        out: list[Period] = []
        for y in range(first, last + 1):
            p = decade_of(y)
            if not out or out[-1] != p:
                out.append(p)
        return out
    terms = term_periods()
    out = []
    if first < terms[0].first:
        out.append(BEFORE_TERMS)
    out += [p for p in terms if p.clipped(first, last) is not None]
    return out


def period_of(by: str, year: int) -> Period:
    """The period of kind ``by`` holding ``year``."""
    if by == "year":
        return year_period(year)
    if by == "decade":
        return decade_of(year)
    return term_of(year) or BEFORE_TERMS
