"""`bantin segment`, `bantin export articles` and `bantin export issues`."""

from __future__ import annotations

import click

from archive.errors import UsageError
from bantin.common import State, export_options, finish, pass_state, write_export
from bantin.stages import stage_segment


@click.command("segment")
@click.option("--force", is_flag=True, help="Segment every issue again, even those that are current.")
@click.option("--issue", "issue_ids", multiple=True, help="Only this issue id (repeatable).")
@pass_state
def segment(state: State, force: bool, issue_ids: tuple[str, ...]) -> None:
    """Split each issue's pages into sections and articles (title, byline, kind, text)."""
    config = state.config()
    with state.catalog(config) as catalog:
        unknown = [i for i in issue_ids if catalog.get_issue(i) is None]
        if unknown:
            raise UsageError(f"no issue {', '.join(unknown)} in the catalog; `bantin status` "
                             "lists the issues (ids look like ttshcb-1995-03)")
        finish([stage_segment(catalog, config, force=force, issue_ids=list(issue_ids) or None)])


@click.command("articles")
@export_options
@pass_state
def export_articles(state: State, fmt: str, out: str | None) -> None:
    """One record per article: id, series, year, number, date, section, title, kind, text, url, ..."""
    from indexer.segment.export import ARTICLE_FIELDS, article_records  # deferred: the stage's libraries

    with state.catalog() as catalog:
        write_export(article_records(catalog), ARTICLE_FIELDS, fmt, out)




@click.command("issues")
@export_options
@pass_state
def export_issues(state: State, fmt: str, out: str | None) -> None:
    """One record per issue: series, year, number, date, pages and the colophon's facts
    (print_run, format, printer, licence, deposit, editor; null when not printed or not read)."""
    from indexer.segment.colophons import ISSUE_FIELDS, issue_records  # deferred: the stage's libraries

    with state.catalog() as catalog:
        write_export(issue_records(catalog), ISSUE_FIELDS, fmt, out)
