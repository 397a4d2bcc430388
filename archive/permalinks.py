"""Stable, readable URLs of the web app. Reports and citations store these paths, so they
are part of the public interface: tested as literal strings, never changed, only extended.

    /a/<article id>              article          e.g. /a/ttshcb-2012-07-p12-3fa9
    /i/<issue id>                issue            e.g. /i/ttshcb-2012-07
    /i/<issue id>/<seq>          page viewer      e.g. /i/ttshcb-2012-07/12
    /s/<series>                  series           e.g. /s/ttshcb
    /search?<canonical query>    a search
    /c/<slug>                    evidence collection (answers after deletion too)

Every link a report, a coverage page or a collection shows is built here (one function per
kind of target), so a link is well formed wherever it appears.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl, quote, urlencode, urlsplit


def article_path(article_id: str) -> str:
    return f"/a/{quote(article_id, safe='')}"


def issue_path(issue_id: str) -> str:
    return f"/i/{quote(issue_id, safe='')}"


def page_path(issue_id: str, seq: int) -> str:
    return f"/i/{quote(issue_id, safe='')}/{int(seq)}"


def series_path(code: str) -> str:
    return f"/s/{quote(code, safe='')}"


def search_path(params: Mapping[str, object] | Sequence[tuple[str, object]]) -> str:
    """``/search?...`` with parameters in the given order (pass the canonical order)."""
    items = params.items() if isinstance(params, Mapping) else params
    pairs = [(k, str(v)) for k, v in items if v not in (None, "", [], ())]
    return "/search?" + urlencode(pairs) if pairs else "/search"


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def collection_path(slug: str) -> str:
    return f"/c/{quote(slug, safe='')}"


def search_params_of(ref: str) -> list[tuple[str, str]]:
    """The parameters of a saved search, stored as ``/search?q=…``, ``?q=…`` or ``q=…``
    (all three occur in collections made by earlier versions)."""
    ref = ref.strip()
    if ref.startswith("/search") or ref.startswith("?"):
        ref = urlsplit(ref).query
    return [(k, v) for k, v in parse_qsl(ref, keep_blank_values=False) if k not in ("page", "per_page")]


def saved_search_path(ref: str) -> str:
    """The one well-formed link of a saved search, whichever form it was stored in."""
    return search_path(search_params_of(ref))


# How a search's filters read in Vietnamese, in the canonical parameter order.
FILTER_LABELS = {"q": "từ khóa", "series": "bản tin", "from": "từ năm", "to": "đến năm",
                 "month": "tháng", "section": "chuyên mục", "kind": "loại", "topic": "chủ đề",
                 "ref": "văn bản", "min_conf": "độ tin cậy tối thiểu", "target": "tìm trong",
                 "sort": "sắp xếp", "fuzzy": "tìm gần đúng"}


def search_filters(ref: str) -> list[tuple[str, str]]:
    """(label, value) of every parameter of a saved search: shown wherever it appears, so a
    reader sees what was selected, not only its words."""
    return [(FILTER_LABELS.get(k, k), v) for k, v in search_params_of(ref)]


def describe_search(ref: str) -> str:
    """One line naming a saved search's words and filters, e.g. ``từ khóa «tham nhũng» ·
    bản tin tbnb · từ năm 2001 · đến năm 2005``."""
    parts = [f"{label} «{value}»" if label == "từ khóa" else f"{label} {value}"
             for label, value in search_filters(ref)]
    return " · ".join(parts) or "mọi tin, bài"


def coverage_path(page: str, table: str, params: Sequence[tuple[str, str]], *, csv: bool = False) -> str:
    """``/coverage/<page>?…#<table>`` (a coverage page at one of its tables) or
    ``/coverage/<page>.csv?table=<table>&…`` (the table's data)."""
    if csv:
        return f"/coverage/{quote(page, safe='')}.csv?" + urlencode([("table", table), *params])
    query = urlencode(list(params))
    return f"/coverage/{quote(page, safe='')}" + (f"?{query}" if query else "") + f"#{quote(table, safe='')}"


def colophons_path(series: str, year_from: int, year_to: int | None) -> str:
    """``/coverage/colophons?series=…&from=…&to=…``: the issues a distribution number (print
    run, format, pages, copies per Party cell) was computed from, with their colophons."""
    pairs = [("series", series), ("from", str(year_from))] + ([("to", str(year_to))] if year_to else [])
    return "/coverage/colophons?" + urlencode(pairs)


BASIS_MEASURES = ("issues", "pages", "articles", "words")


def basis_path(series: str, year_from: int, year_to: int | None, measure: str, **extra: str) -> str:
    """``/coverage/basis?series=…&from=…&to=…[&section=…|kind=…|topic=…]#<measure>``: the
    issues a structure number was computed from, with the period's totals (issues held and
    expected, pages, articles, words) as the headline; ``measure`` names the part shown."""
    if measure not in BASIS_MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    pairs: list[tuple[str, object]] = [("series", series), ("from", year_from), ("to", year_to)]
    pairs += [(k, v) for k, v in extra.items() if k in ("section", "kind", "topic")]
    query = urlencode([(k, str(v)) for k, v in pairs if v not in (None, "")])
    return f"/coverage/basis?{query}#{measure}"


def lag_path(article_id: str, doc_id: str, issued: str) -> str:
    """``/a/<id>?ref=<document>&issued=<YYYY-MM[-DD]>``: the article that first mentions a
    document, showing the months from the document's date to the issue (the lag a coverage
    table gives)."""
    return article_path(article_id) + "?" + urlencode([("ref", doc_id), ("issued", issued)])
