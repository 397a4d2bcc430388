"""Periods (years, decades, Party Congress terms) and the filters every review view takes."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from archive.errors import UsageError
from review.filters import Filters
from review.periods import TERMS, period_of, periods, term_of


@pytest.mark.parametrize(("year", "numeral"), [
    (1986, "VI"), (1990, "VI"), (1991, "VII"), (1995, "VII"), (1996, "VIII"), (2000, "VIII"),
    (2001, "IX"), (2006, "X"), (2010, "X"), (2011, "XI"), (2016, "XII"), (2020, "XII"),
    (2021, "XIII"), (2025, "XIII"), (2026, "XIV"), (2040, "XIV"),
])
def test_a_congress_year_opens_the_new_term(year: int, numeral: str) -> None:
    assert term_of(year).key == numeral  # type: ignore[union-attr]
    assert period_of("term", year).key == numeral


def test_terms_keep_their_exact_months_for_display() -> None:
    assert [t.months for t in TERMS[:2]] == ["12/1986–6/1991", "6/1991–6/1996"]
    assert TERMS[-1].months == "từ 1/2026"
    assert term_of(1985) is None
    assert period_of("term", 1985).key == "truoc-VI"


def test_periods_cover_the_years_asked_in_order() -> None:
    assert [p.key for p in periods("term", 1989, 2024)] == [
        "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII"]
    assert [p.key for p in periods("term", 1984, 1987)] == ["truoc-VI", "VI"]
    assert [p.key for p in periods("decade", 1989, 2004)] == ["1980s", "1990s", "2000s"]
    assert [p.label for p in periods("decade", 1999, 2000)] == ["1990–1999", "2000–2009"]
    assert [p.key for p in periods("year", 2011, 2013)] == ["2011", "2012", "2013"]
    assert periods("year", 2013, 2011) == []
    with pytest.raises(ValueError, match="unknown period kind"):
        periods("month", 2000, 2001)


def test_short_labels_for_chart_axes() -> None:
    xi = term_of(2012)
    assert xi is not None and xi.label == "Khóa XI (2011–2015)" and xi.short == "XI 2011–15"
    assert term_of(2030).short == "XIV 2026–"  # type: ignore[union-attr]


def test_filters_from_url_parameters() -> None:
    f = Filters.from_args(MultiDict([("series", "ttshcb"), ("series", "tbnb,ttshcb"), ("from", "1995"),
                                     ("to", "2010"), ("by", "term")]))
    assert f == Filters(("ttshcb", "tbnb"), 1995, 2010, "term")
    assert f.params() == [("series", "ttshcb"), ("series", "tbnb"), ("from", "1995"), ("to", "2010"),
                          ("by", "term")]
    term = term_of(1993)
    assert term is not None
    assert f.bounds(term) == (1995, 1995)  # the term's years within the filters
    assert Filters(by="term").bounds(term_of(2030)) == (2026, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(("args", "message"), [
    ({"from": "abc"}, "năm 'abc' không hợp lệ"),
    ({"from": "2010", "to": "2000"}, "khoảng năm ngược"),
    ({"by": "week"}, "cách nhóm"),
    ({"to": "99"}, "năm 99 không hợp lệ"),
])
def test_bad_filters_say_what_to_fix(args: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        Filters.from_args(MultiDict(args))
