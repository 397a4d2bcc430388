"""Stable, readable URLs of the web app. Reports and citations store these paths, so they
are part of the public interface: tested as literal strings, never changed, only extended.

    /a/<article id>              article          e.g. /a/ttshcb-2012-07-p12-3fa9
    /i/<issue id>                issue            e.g. /i/ttshcb-2012-07
    /i/<issue id>/<seq>          page viewer      e.g. /i/ttshcb-2012-07/12
    /s/<series>                  series           e.g. /s/ttshcb
    /search?<canonical query>    a search
"""

from __future__ import annotations

from urllib.parse import quote, urlencode


def article_path(article_id: str) -> str:
    return f"/a/{quote(article_id, safe='')}"


def issue_path(issue_id: str) -> str:
    return f"/i/{quote(issue_id, safe='')}"


def page_path(issue_id: str, seq: int) -> str:
    return f"/i/{quote(issue_id, safe='')}/{int(seq)}"


def series_path(code: str) -> str:
    return f"/s/{quote(code, safe='')}"


def search_path(params: dict[str, object] | list[tuple[str, object]]) -> str:
    """``/search?...`` with parameters in the given order (pass the canonical order)."""
    items = params.items() if isinstance(params, dict) else params
    pairs = [(k, str(v)) for k, v in items if v not in (None, "", [], ())]
    return "/search?" + urlencode(pairs) if pairs else "/search"


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path
