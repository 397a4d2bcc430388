"""`bantin refresh`: catch up with editors' corrections still queued (after a crash, or a
save whose immediate refresh failed) without running the whole build."""

from __future__ import annotations

import click

from bantin.common import State, pass_state


@click.command("refresh")
@pass_state
def refresh(state: State) -> None:
    """Re-segment, analyse and reindex what editors' corrections left queued."""
    from indexer.refresh import drain_queue  # deferred: heavy libraries stay out of `bantin --help`

    config = state.config()
    with state.catalog(config) as catalog:
        report = drain_queue(catalog, config)
    click.echo(report.summary() if report is not None else "refresh: nothing queued")


