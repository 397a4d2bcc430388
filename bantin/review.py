"""``bantin stats`` (structure over time) and ``bantin report`` (the statistical appendix).

Both compute with ``review/`` exactly as the web app's coverage pages do, so the same
filters give the same numbers in the terminal, the CSV downloads and the report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from archive.errors import BantinError, UsageError
from bantin.common import State, pass_state
from review.filters import Filters, series_list
from review.periods import BY_CHOICES


def _filters(series: tuple[str, ...], year_from: int | None, year_to: int | None, by: str) -> Filters:
    return Filters(series_list(series), year_from, year_to, by)


def _check_series(filters: Filters, known: list[str]) -> None:
    unknown = [s for s in filters.series if s not in known]
    if unknown:
        raise UsageError(f"không có bản tin {', '.join(unknown)} trong kho; có: {', '.join(known) or 'chưa có'}")


def _series_option(f: Any) -> Any:
    return click.option("--series", "series", multiple=True,
                        help="Series code (repeatable or comma-separated; default: all).")(f)


def _years_options(f: Any) -> Any:
    f = click.option("--to", "year_to", type=int, default=None, help="Last year (inclusive).")(f)
    return click.option("--from", "year_from", type=int, default=None, help="First year (inclusive).")(f)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (every table, with links).")
@click.option("--by", type=click.Choice(BY_CHOICES), default="year", show_default=True,
              help="Group years by year, Party Congress term or decade.")
@_series_option
@_years_options
@pass_state
def stats(state: State, as_json: bool, by: str, series: tuple[str, ...], year_from: int | None,
          year_to: int | None) -> None:
    """Structure over time: issues held vs expected, pages, articles, words, sections, kinds,
    low-confidence pages, per series and period."""
    from review.corpus import load_corpus  # deferred: heavy libraries stay out of `bantin --help`
    from review.structure import structure_tables  # deferred: heavy libraries stay out of `bantin --help`
    from review.tables import display  # deferred: heavy libraries stay out of `bantin --help`

    config = state.config()
    filters = _filters(series, year_from, year_to, by)
    with state.catalog(config) as catalog:
        corpus = load_corpus(catalog, config)
        _check_series(filters, corpus.series_codes())
        tables = structure_tables(corpus, filters)
    if as_json:
        click.echo(json.dumps({"filters": dict(filters.params()) | {"series": list(filters.series)},
                               "index_version": corpus.index_version,
                               "tables": {t.name: t.records() for t in tables}},
                              ensure_ascii=False, indent=2))
        return
    main = tables[0]
    keys = ("series", "period", "issues_held", "issues_expected", "completeness", "pages_per_issue",
            "articles", "articles_per_issue", "words_per_article", "low_ocr_pages")
    cols = [main.columns[main.column(k)] for k in keys]
    rows = [[display(c, r[main.column(c.key)]) if c.key != "series" else r[main.column("series")].value
             for c in cols] for r in main.rows]
    widths = [max(len(c.label), *(len(r[i]) for r in rows)) if rows else len(c.label)
              for i, c in enumerate(cols)]
    click.echo("  ".join(c.label.ljust(w) for c, w in zip(cols, widths)))
    for r in rows:
        click.echo("  ".join(v.rjust(w) if i > 1 else v.ljust(w) for i, (v, w) in enumerate(zip(r, widths))))
    click.echo(f"(chỉ mục {corpus.index_version or 'chưa có'}; `bantin stats --json` cho mọi bảng và liên kết)")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["docx", "html"]), default="docx", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), default=None,
              help="Output file (default: phu-luc-thong-ke.<format> in the current folder).")
@click.option("--base-url", default=None,
              help="Absolute address of the web app the links point to (default: the base_url setting).")
@click.option("--by", type=click.Choice(BY_CHOICES), default="term", show_default=True,
              help="Group years by Party Congress term, decade or year.")
@click.option("--threshold", type=click.FloatRange(0, 100), default=None,
              help="Share (%) below which a topic counts as thin in a period (default 2).")
@click.option("--check", "check", is_flag=True,
              help="Then open every link of the report in the web app (logged in) and fail on a "
                   "non-200 answer, a missing anchor or a number its target does not show.")
@click.option("--check-user", default="", help="Account the check opens the links as (default: the first enabled).")
@_series_option
@_years_options
@pass_state
def report(state: State, fmt: str, out: str | None, base_url: str | None, by: str,
           threshold: float | None, check: bool, check_user: str, series: tuple[str, ...],
           year_from: int | None, year_to: int | None) -> None:
    """Write the statistical appendix (DOCX or self-contained HTML), every number and example
    article linked to the archive under --base-url."""
    from review.coverage import DEFAULT_THRESHOLD  # deferred: heavy libraries stay out of `bantin --help`
    from review.report import render_report  # deferred: heavy libraries stay out of `bantin --help`
    from review.reportfile import write_report  # deferred: python-docx

    config = state.config()
    filters = _filters(series, year_from, year_to, by)
    target = Path(out or f"phu-luc-thong-ke.{fmt}")
    with state.catalog(config) as catalog:
        from review.corpus import load_corpus  # deferred: heavy libraries stay out of `bantin --help`

        _check_series(filters, load_corpus(catalog, config).series_codes())
        built = render_report(catalog, config, filters, base_url=base_url or config.base_url,
                              threshold=DEFAULT_THRESHOLD if threshold is None else threshold)
    write_report(built, fmt, target)
    click.echo(f"report written to {target} ({len(built.tables())} tables, {len(built.links())} links, "
               f"index {built.index_version or 'none'})")
    if check:
        check_report(state, built, check_user)


def check_report(state: State, built: Any, user: str) -> None:
    """``report --check``: every link of ``built`` opened in the app (webapp.linkcheck)."""
    from webapp import create_app  # deferred: the web app is only needed for the check
    from webapp.linkcheck import check as check_links  # deferred: as above
    from webapp.linkcheck import session_for, summary  # deferred: as above

    config = state.config()
    app = create_app({"HOME": str(config.home), "TESTING": True})
    client = app.test_client()
    with state.catalog(config) as catalog:
        try:
            session_for(client, catalog, user)
        except LookupError as e:
            raise UsageError(f"report --check: {e}") from e
    result = check_links(built, client)
    for line in summary(result):
        click.echo(line)
    if not result.ok:
        raise BantinError(f"report --check: {len(result.faults)} faults in the report's links "
                          "(listed above): a page that does not open, an anchor it lacks, or a "
                          "number its target does not show")


