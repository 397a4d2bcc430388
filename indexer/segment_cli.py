"""`bantin segment` and `bantin export articles`, and the segment stage of `bantin build`.

Imported by ``archive.cli`` (listed in ``COMMAND_MODULES``); importing it adds the stage to
``BUILD_STAGES`` right after ``extract``.
"""

from __future__ import annotations

from typing import Any

import click

from archive.catalog import Catalog
from archive.cli import (BUILD_STAGES, State, StageOutcome, _finish, echo_err, export,
                         export_options, pass_state, write_export)
from archive.config import Config
from archive.errors import UsageError


def stage_segment(catalog: Catalog, config: Config, *, force: bool = False,
                  issue_ids: list[str] | None = None, **_: Any) -> StageOutcome:
    from indexer.articles import run_segment

    r = run_segment(catalog, config, force=force, issue_ids=issue_ids)
    for line in r.failed:
        echo_err(f"lỗi: {line}")
    waiting = f", {r.waiting} waiting for page text" if r.waiting else ""
    return StageOutcome(f"segment: {r.done} issues segmented ({r.articles} articles), "
                        f"{r.skipped} current{waiting}, {len(r.failed)} failed, "
                        f"{r.seconds:.1f} s", bool(r.failed))


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
        _finish([stage_segment(catalog, config, force=force, issue_ids=list(issue_ids) or None)])


@export.command("articles")
@export_options
@pass_state
def export_articles(state: State, fmt: str, out: str | None) -> None:
    """One record per article: id, series, year, number, date, section, title, kind, text, url, ..."""
    from indexer.article_export import ARTICLE_FIELDS, article_records

    with state.catalog() as catalog:
        write_export(article_records(catalog), ARTICLE_FIELDS, fmt, out)


commands = [segment]

if not any(name == "segment" for name, _fn in BUILD_STAGES):
    _at = next((i + 1 for i, (name, _fn) in enumerate(BUILD_STAGES) if name == "extract"),
               len(BUILD_STAGES))
    BUILD_STAGES.insert(_at, ("segment", stage_segment))
