"""The search state of a URL, and the one place the web app calls the search engine.

Why a module: the search page, its exports, the JSON API and the coverage pages (issue 8,
which links every number to a search) must read and write the same URL parameters, and only
``indexer/`` may import Whoosh. :class:`Query` is the whole state of a search, parsed from and
written to a URL in one fixed order (so a search can be bookmarked and cited); :func:`execute`
turns it into the engine's ``indexer.search.engine.SearchRequest`` and returns the engine's result.

URL parameters are those of ``SearchRequest.params()`` (the engine's canonical form, as
``bantin search --from/--to`` names them): ``q``, ``series``, ``from``, ``to``, ``month``,
``section``, ``kind``, ``topic``, ``ref``, ``min_conf``, ``target`` (``articles`` | ``pages``),
``sort`` (``relevance`` | ``date`` | ``-date``), ``fuzzy``, then ``page`` and ``per_page``.
``year_from``/``year_to`` are accepted too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any
from urllib.parse import urlencode

from archive.config import Config
from archive.vntext import nfc
from indexer.search import engine

log = logging.getLogger(__name__)

PER_PAGE = 20
MAX_PER_PAGE = 200
EXPORT_BATCH = 500  # hits fetched per engine call while streaming an export
SORTS = ("relevance", "date", "-date")
URL_NAMES = {"year_from": "from", "year_to": "to"}  # field → URL parameter, as the engine
TARGETS = ("articles", "pages")


@dataclass(frozen=True)
class Query:
    q: str = ""
    series: str = ""
    year_from: int | None = None
    year_to: int | None = None
    month: int | None = None
    section: str = ""
    kind: str = ""
    topic: str = ""
    ref: str = ""
    min_conf: float | None = None
    target: str = "articles"
    sort: str = "relevance"
    fuzzy: bool = False
    page: int = 1
    per_page: int = PER_PAGE

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Query:
        """Parse URL parameters leniently: a bad number is ignored, never an error page."""
        def text(name: str, limit: int = 200) -> str:
            return nfc(str(args.get(name, "") or "")).strip()[:limit]

        def integer(name: str, lo: int, hi: int) -> int | None:
            raw = args.get(URL_NAMES.get(name, name))
            if raw in (None, ""):
                raw = args.get(name, "")
            try:
                value = int(str(raw).strip())
            except ValueError:
                return None
            return value if lo <= value <= hi else None

        conf: float | None
        try:
            conf = float(str(args.get("min_conf", "")).replace(",", "."))
            conf = conf if 0 <= conf <= 100 else None
        except ValueError:
            conf = None
        target = text("target")
        sort = text("sort")
        return cls(q=text("q", 500), series=text("series"), year_from=integer("year_from", 1900, 2100),
                   year_to=integer("year_to", 1900, 2100), month=integer("month", 1, 12),
                   section=text("section"), kind=text("kind"), topic=text("topic"), ref=text("ref"),
                   min_conf=conf, target=target if target in TARGETS else "articles",
                   sort=sort if sort in SORTS else "relevance",
                   fuzzy=text("fuzzy").lower() in {"1", "true", "yes", "on"},
                   page=integer("page", 1, 100000) or 1,
                   per_page=integer("per_page", 1, MAX_PER_PAGE) or PER_PAGE)

    @property
    def empty(self) -> bool:
        """No text and no filter: nothing to search for."""
        return not any((self.q, self.series, self.year_from, self.year_to, self.month,
                        self.section, self.kind, self.topic, self.ref, self.min_conf))

    def pairs(self, **changes: Any) -> list[tuple[str, str]]:
        """Non-default parameters in the fixed field order (the canonical URL form), with
        ``changes`` applied (cheaper than a new Query: a result page links to ~100 URLs)."""
        values = {**self.__dict__, **changes} if changes else self.__dict__
        out = []
        for name, default in _DEFAULTS:
            value = values[name]
            if value is None or value == "" or value == default:
                continue
            if isinstance(value, bool):
                value = "1"
            elif isinstance(value, float):
                value = f"{value:g}"
            out.append((URL_NAMES.get(name, name), str(value)))
        return out

    def url(self, path: str = "/search", **changes: Any) -> str:
        """This search with ``changes`` applied (``page`` goes back to 1 unless given)."""
        if changes and "page" not in changes:
            changes["page"] = 1
        pairs = self.pairs(**changes)
        return path + ("?" + urlencode(pairs) if pairs else "")

    def filters(self) -> list[tuple[str, str, str]]:
        """(parameter, label, value) of each active filter, for "remove this filter" links."""
        labels = {"series": "Bản tin", "year_from": "Từ năm", "year_to": "Đến năm", "month": "Tháng",
                  "section": "Chuyên mục", "kind": "Loại", "topic": "Chủ đề",
                  "ref": "Văn bản được dẫn", "min_conf": "Độ tin cậy tối thiểu"}
        return [(name, label, str(getattr(self, name))) for name, label in labels.items()
                if getattr(self, name) not in (None, "")]


_DEFAULTS = [(f.name, f.default) for f in fields(Query)]


DAMAGED_MESSAGE = ("Chỉ mục tìm kiếm bị hỏng nên tạm thời không tìm được. Quản trị viên cần chạy "
                   "`bantin index --rebuild` để dựng lại (không mất dữ liệu: chỉ mục được tạo lại "
                   "từ danh mục).")


class SearchUnavailable(Exception):
    """The search index is missing or the engine is not installed; the message says why."""


class BadQuery(Exception):
    """The query text cannot be parsed; the message is for the user (Vietnamese)."""


def _engine() -> Any:
    return engine


def request_for(query: Query, **changes: Any) -> Any:
    """The engine's request value for ``query`` (fields of the same names)."""
    engine = _engine()
    q = replace(query, **changes) if changes else query
    known = {f.name for f in fields(engine.SearchRequest)}
    values = {f.name: getattr(q, f.name) for f in fields(q) if f.name in known}
    return engine.SearchRequest(**values)


def _accepts_marks(engine: Any) -> bool:
    """Whether the engine's ``search`` takes ``marks=`` (skip the word boxes of hits)."""
    import inspect

    try:
        return "marks" in inspect.signature(engine.search).parameters
    except (TypeError, ValueError):
        return False


def execute(config: Config, query: Query, catalog: Any = None, *, marks: bool = True,
            **changes: Any) -> Any:
    """Run the search; the engine's result (``total``, ``hits``, ``facets``, ``query_key``,
    ``index_version``). Snippets come from ``catalog`` (the request thread's, when given).
    ``marks=False`` asks the engine not to look up the word boxes of the hits (the search
    page does not draw them: the viewer marks words itself), when the engine offers that.
    Raises :class:`SearchUnavailable` or :class:`BadQuery`."""
    engine = _engine()
    try:
        request = request_for(query, **changes)
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


def all_hits(config: Config, query: Query, catalog: Any = None) -> tuple[Any, Iterator[Any]]:
    """The first batch's result and an iterator over every hit, fetched in batches (exports)."""
    first = execute(config, query, catalog, marks=False, page=1, per_page=EXPORT_BATCH)

    def iterate() -> Iterator[Any]:
        result, page = first, 1
        while True:
            yield from result.hits
            if page * EXPORT_BATCH >= result.total or not result.hits:
                return
            page += 1
            result = execute(config, query, catalog, marks=False, page=page, per_page=EXPORT_BATCH)

    return first, iterate()


HIT_FIELDS = ("id", "kind", "series", "date", "title", "section", "pages", "score", "snippet", "url")


def hit_record(hit: Any) -> dict[str, Any]:
    """A hit as the public JSON shape of `bantin search --json` (issue 5)."""
    if isinstance(hit, Mapping):
        get = hit.get
    else:
        def get(name: str, default: Any = None) -> Any:
            return getattr(hit, name, default)
    rec = {name: get(name, None) for name in HIT_FIELDS}
    rec["pages"] = list(rec["pages"] or [])
    return rec


def result_record(result: Any) -> dict[str, Any]:
    """The whole result as `bantin search --json` prints it."""
    if hasattr(result, "to_json"):
        data = result.to_json()
        if isinstance(data, dict):
            return data
    return {"total": result.total, "query_key": result.query_key,
            "index_version": result.index_version,
            "hits": [hit_record(h) for h in result.hits], "facets": _facets(result.facets)}


def _facets(facets: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, counts in (facets or {}).items():
        if isinstance(counts, Mapping):
            out[name] = dict(counts)
        else:
            out[name] = {str(k): v for k, v in counts}
    return out
