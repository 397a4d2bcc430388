"""What every review view is asked for: series, a range of years, and how to group them.

One value shared by the web pages (URL parameters), ``bantin stats``/``bantin report``
(options) and the report, so the same filters give the same numbers everywhere. The URL form
(:meth:`Filters.params`) is the permalink of a coverage table or chart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from archive.errors import UsageError
from review.corpus import Corpus
from review.periods import BY_CHOICES, Period, periods

FIRST_YEAR, LAST_YEAR = 1900, 2100


@dataclass(frozen=True)
class Filters:
    """``series`` empty means all series; years are inclusive; ``by`` is year|term|decade."""

    series: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    by: str = "year"

    def __post_init__(self) -> None:
        if self.by not in BY_CHOICES:
            raise UsageError(f"cách nhóm {self.by!r} không hợp lệ: dùng year, term hoặc decade")
        for year in (self.year_from, self.year_to):
            if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
                raise UsageError(f"năm {year} không hợp lệ: dùng năm bốn chữ số, ví dụ 2012")
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise UsageError(f"khoảng năm ngược: từ {self.year_from} đến {self.year_to}")
        object.__setattr__(self, "series", tuple(dict.fromkeys(s.strip() for s in self.series if s.strip())))

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, by_default: str = "year") -> Filters:
        """From URL parameters (``series`` repeated or comma-separated, ``from``, ``to``,
        ``by``); malformed values raise :class:`UsageError` with a Vietnamese message."""
        getlist = getattr(args, "getlist", None)
        raw = getlist("series") if getlist else [args.get("series", "")]
        series = [s for value in raw for s in str(value or "").split(",")]
        by = str(args.get("by") or by_default)
        return cls(tuple(series), _year(args.get("from")), _year(args.get("to")), by)

    def params(self) -> list[tuple[str, str]]:
        """The URL parameters in a fixed order (empty ones left out)."""
        out = [("series", s) for s in self.series]
        if self.year_from is not None:
            out.append(("from", str(self.year_from)))
        if self.year_to is not None:
            out.append(("to", str(self.year_to)))
        out.append(("by", self.by))
        return out

    def with_(self, **changes: Any) -> Filters:
        return replace(self, **changes)

    def chosen_series(self, corpus: Corpus) -> list[str]:
        """The series asked for that the archive holds (all held series when none asked)."""
        codes = corpus.series_codes()
        if not self.series:
            return codes
        return [s for s in self.series if s in codes]

    def span(self, corpus: Corpus, series: str | None = None) -> tuple[int, int] | None:
        """The years to show: the filter range within the years held (of one series)."""
        held = corpus.years(series)
        if held is None:
            return None
        found = corpus.get_series(series) if series else None
        if found is not None and 0 < found.first_year < held[0]:
            held = (found.first_year, held[1])  # expected issues before the first one held
        lo = max(held[0], self.year_from) if self.year_from is not None else held[0]
        hi = min(held[1], self.year_to) if self.year_to is not None else held[1]
        return (lo, hi) if lo <= hi else None

    def periods(self, corpus: Corpus, series: str | None = None) -> list[Period]:
        span = self.span(corpus, series)
        return periods(self.by, *span) if span else []

    def bounds_within(self, period: Period, corpus: Corpus, series: str | None = None) -> tuple[int, int | None]:
        """:meth:`bounds` starting no earlier than the series was published (its
        ``series.toml`` first year, else its first issue held): a Congress term that began
        before the series counts, and links to, only the years it exists."""
        lo, hi = self.bounds(period)
        span = self.span(corpus, series)
        if span is None:
            return (lo if lo is not None else period.first), hi
        return max(lo if lo is not None else span[0], span[0]), hi

    def bounds(self, period: Period) -> tuple[int | None, int | None]:
        """The years of ``period`` a link searches: the period within the filter range."""
        lo = max(period.first, self.year_from) if self.year_from is not None else period.first
        hi = period.last
        if self.year_to is not None:
            hi = min(hi, self.year_to) if hi is not None else self.year_to
        return lo, hi

    def label(self) -> str:
        """The filters in words, for captions."""
        parts = []
        if self.year_from is not None or self.year_to is not None:
            parts.append(f"{self.year_from or '…'}–{self.year_to or 'nay'}")
        by = {"year": "theo năm", "term": "theo nhiệm kỳ Đại hội", "decade": "theo thập niên"}
        parts.append(by[self.by])
        return ", ".join(parts)


def _year(raw: Any) -> int | None:
    text = str(raw or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"năm {text!r} không hợp lệ: dùng năm bốn chữ số, ví dụ 2012") from None


def in_years(year: int, lo: int | None, hi: int | None) -> bool:
    return (lo is None or year >= lo) and (hi is None or year <= hi)


def series_list(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(s for v in values for s in v.split(",") if s.strip())
