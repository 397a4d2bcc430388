"""The search state of a URL, and the one place the web app calls the search engine.

Why a module: the search page, its exports, the JSON API and the coverage pages (issue 8,
which links every number to a search) must read and write the same URL parameters, and only
``indexer/`` may import Whoosh. The state of a search is the engine's own request,
:class:`indexer.search.query.SearchRequest` (``Query`` here is the same class), parsed from and
written to a URL in one fixed order (so a search can be bookmarked and cited);
:func:`execute` runs it and returns the engine's result.

URL parameters are those of ``SearchRequest.params()`` (the engine's canonical form, as
``bantin search --from/--to`` names them): ``q``, ``series``, ``from``, ``to``, ``month``,
``section``, ``kind``, ``topic``, ``ref``, ``min_conf``, ``target`` (``articles`` | ``pages``),
``sort`` (``relevance`` | ``date`` | ``-date``), ``fuzzy``, then ``page`` and ``per_page``.
``year_from``/``year_to`` are accepted too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from archive.config import Config
from indexer.search import engine
from indexer.search.query import WEB_MAX_PER_PAGE, QueryError, SearchRequest
from indexer.search.results import Hit, SearchResult

log = logging.getLogger(__name__)

PER_PAGE = 20
MAX_PER_PAGE = WEB_MAX_PER_PAGE
EXPORT_BATCH = 500  # hits fetched per engine call while streaming an export

# One request type everywhere (issue 13): the web page, the API, the exports, the CLI, the
# coverage pages and the report all build :class:`indexer.search.query.SearchRequest`, so the same
# search has the same canonical form, ``query_key`` and totals wherever it is shown.
Query = SearchRequest


def query_from(args: Mapping[str, str]) -> tuple[SearchRequest, list[str]]:
    """The request a URL asks for and the messages for the parameters it had to leave out
    (shown on the page instead of dropping them silently)."""
    problems = SearchRequest.args_problems(args)
    try:
        return SearchRequest.from_args(args), problems
    except QueryError as e:  # a reversed year range: search from the first year on
        cleaned = {k: v for k, v in args.items() if k not in ("to", "year_to")}
        return SearchRequest.from_args(cleaned), problems + [f"Đã bỏ qua năm kết thúc: {e}."]


DAMAGED_MESSAGE = ("Chỉ mục tìm kiếm bị hỏng nên tạm thời không tìm được. Quản trị viên cần chạy "
                   "`bantin index --rebuild` để dựng lại (không mất dữ liệu: chỉ mục được tạo lại "
                   "từ danh mục).")


class SearchUnavailable(Exception):
    """The search index is missing or the engine is not installed; the message says why."""


class BadQuery(Exception):
    """The query text cannot be parsed; the message is for the user (Vietnamese)."""


def _engine() -> Any:
    return engine


def request_for(query: SearchRequest, **changes: Any) -> SearchRequest:
    """The engine's request: ``query`` itself, with ``changes`` applied."""
    return replace(query, **changes) if changes else query


def _accepts_marks(engine: Any) -> bool:
    """Whether the engine's ``search`` takes ``marks=`` (skip the word boxes of hits)."""
    import inspect

    try:
        return "marks" in inspect.signature(engine.search).parameters
    except (TypeError, ValueError):
        return False


def execute(config: Config, query: Query, catalog: Any = None, *, marks: bool = True,
            snippets: bool = True, **changes: Any) -> Any:
    """Run the search; the engine's result (``total``, ``hits``, ``facets``, ``query_key``,
    ``index_version``). Snippets come from ``catalog`` (the request thread's, when given).
    ``marks=False`` asks the engine not to look up the word boxes of the hits (the search
    page does not draw them: the viewer marks words itself), when the engine offers that.
    ``snippets=False`` skips the hits' passages too (and the texts they are cut from): what
    callers that only need ids and fields want (saved searches, full-record exports), several
    times faster on large results. Raises :class:`SearchUnavailable` or :class:`BadQuery`."""
    engine = _engine()
    try:
        request = request_for(query, **changes)
        if not snippets and hasattr(engine, "open_index"):
            return engine.open_index(config).search(request, None, marks=False)
        if not marks and _accepts_marks(engine):
            return engine.search(config, request, catalog, marks=False)
        return engine.search(config, request, catalog)
    except FileNotFoundError as e:
        raise SearchUnavailable("Chưa có chỉ mục tìm kiếm: chạy `bantin build` để tạo.") from e
    except Exception as e:
        bad = getattr(engine, "QueryError", None)
        if bad is not None and isinstance(e, bad):
            raise BadQuery(str(e)) from e
        missing = getattr(engine, "IndexMissing", None)
        if missing is not None and isinstance(e, missing):
            raise SearchUnavailable("Chưa có chỉ mục tìm kiếm: chạy `bantin build` để tạo.") from e
        damaged = getattr(engine, "IndexDamaged", None)
        if damaged is not None and isinstance(e, damaged):
            log.error("%s", e)  # says the fix: `bantin index --rebuild`
            raise SearchUnavailable(DAMAGED_MESSAGE) from e
        raise


def all_hits(config: Config, query: Query, catalog: Any = None, *,
             snippets: bool = True) -> tuple[Any, Iterator[Any]]:
    """The first batch's result and an iterator over every hit, fetched in batches (exports;
    ``snippets=False``: without passages, see :func:`execute`)."""
    first = execute(config, query, catalog, marks=False, snippets=snippets, page=1, per_page=EXPORT_BATCH)

    def iterate() -> Iterator[Any]:
        result, page = first, 1
        while True:
            yield from result.hits
            if page * EXPORT_BATCH >= result.listed or not result.hits:
                return
            page += 1
            result = execute(config, query, catalog, marks=False, snippets=snippets, page=page,
                             per_page=EXPORT_BATCH)

    return first, iterate()


HIT_FIELDS = ("id", "kind", "series", "date", "title", "section", "pages", "score", "snippet", "url",
              "possible")


def hit_record(hit: Hit) -> dict[str, Any]:
    """A hit as the public JSON shape of `bantin search --json` (issue 5), export fields."""
    full = hit.to_json()
    return {name: full[name] for name in HIT_FIELDS}


def result_record(result: SearchResult) -> dict[str, Any]:
    """The whole result as `bantin search --json` prints it."""
    return result.to_json()
