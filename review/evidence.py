"""Evidence: the link behind every number, and what produced it.

Why: a number in the review is only worth quoting if a reader can click it and see the
articles it counts, today and years later. Each number is bound to a search in the search
engine's canonical form (``indexer.search.query.SearchRequest.params()``, the order the web app's
search URLs use), recorded with the search's ``query_key`` and the ``index_version`` the
number was computed against, so a later reader can tell whether the archive changed since.
Numbers about holdings (issues held and expected) link to the series calendar instead, and
example articles to their permalink (``/a/<id>``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from archive import permalinks
from archive.permalinks import absolute, article_path, basis_path, search_path, series_path
from indexer.search.query import SearchRequest


@dataclass(frozen=True)
class Evidence:
    """A link to what a number counts. ``path`` is site-relative (``/search?...``,
    ``/a/<id>``, ``/s/<series>#y1994``); ``query_key`` is set for searches."""

    path: str
    query_key: str = ""
    index_version: str = ""
    # what the target's headline shows, (unit, value): a count opens a view showing that same
    # count; a ratio opens one showing its numerator and denominator (checked by
    # ``bantin report --check``; the target marks them ``data-count``/``data-unit``)
    shows: tuple[tuple[str, float], ...] = ()

    def showing(self, *pairs: tuple[str, float | None]) -> Evidence:
        """This link, declaring the figures its target shows."""
        return replace(self, shows=tuple((u, float(v)) for u, v in pairs if v is not None))

    def url(self, base_url: str = "") -> str:
        """Absolute under ``base_url`` (reports), or the path itself when it is empty."""
        return absolute(base_url, self.path) if base_url else self.path


def search_request(*, q: str = "", series: str = "", year_from: int | None = None,
                   year_to: int | None = None, section: str = "", kind: str = "",
                   topic: str = "", ref: str = "", sort: str = "relevance") -> SearchRequest:
    return SearchRequest(q=q, series=series, year_from=year_from, year_to=year_to,
                         section=section, kind=kind, topic=topic, ref=ref, sort=sort)


def search_evidence(index_version: str, **filters: object) -> Evidence:
    """The search listing what a number counts (filters as :func:`search_request`)."""
    request = search_request(**filters)  # type: ignore[arg-type]
    return Evidence(search_path(list(request.params())), request.query_key, index_version)


def article_evidence(article_id: str, index_version: str = "") -> Evidence:
    return Evidence(article_path(article_id), "", index_version)


def basis_evidence(series: str, year_from: int, year_to: int | None, measure: str, **extra: str) -> Evidence:
    """The view of what a structure number was computed from (``/coverage/basis``): the
    issues of the series and years, each with its pages, articles and words, and the
    period's totals as its headline."""
    return Evidence(basis_path(series, year_from, year_to, measure, **extra))


def holdings_evidence(series: str, year: int | None = None) -> Evidence:
    """The series calendar (held issues and gaps), at the year when given."""
    path = series_path(series) + (f"#y{year}" if year is not None else "")
    return Evidence(path)


# The coverage pages of the web app (webapp/coverage.py) and the tables each shows: the
# permalink and CSV download of a table, built here so the report needs no web app.
PAGE_OF_TABLE = {"structure": "structure", "sections": "structure", "kinds": "structure",
                 "topics": "topics", "gaps": "topics", "documents": "documents",
                 "unmentioned": "documents", "mentions": "documents", "unregistered": "documents",
                 "trends": "trends", "examples": "examples", "distribution": "distribution",
                 "format_changes": "distribution"}


def coverage_path(table: str, params: list[tuple[str, str]], *, csv: bool = False) -> str:
    """``/coverage/<page>?…#<table>`` (the page showing the table, its permalink) or
    ``/coverage/<page>.csv?table=<table>&…`` (its data). A table derived for the report
    (``topics-<series>``, one series' heatmap as a matrix) leads to the table it is made from."""
    source = table if table in PAGE_OF_TABLE else table.split("-", 1)[0]
    page = PAGE_OF_TABLE.get(source, source)
    return permalinks.coverage_path(page, source if csv else table, params, csv=csv)
