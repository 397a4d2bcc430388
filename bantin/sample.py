"""``bantin sample``: write the fictional sample archive into <home>/scans and its truth."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from archive.config import load_config


@click.command()
@click.option("--home", "home_dir", type=click.Path(file_okay=False), default=None,
              help="Home folder to write into (same as `bantin --home DIR sample`).")
@click.option("--size", type=click.Choice(["small", "full"]), default="full", show_default=True,
              help="small: a handful of issues covering every kind of source (tests); "
                   "full: both series 1989–2024, about 130 issues.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same bytes.")
@click.option("--if-empty", is_flag=True,
              help="Do nothing when scans/ already holds issues (for `make demo`).")
@click.option("--force", is_flag=True,
              help="Write into a non-empty scans/: removes the previous sample's files (listed in "
                   "sample-truth/manifest.json), overwrites same-named files, keeps everything else.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=0,
              help="Worker processes (default: one per CPU core).")
@click.pass_context
def sample(ctx: click.Context, home_dir: str | None, size: str, seed: int, if_empty: bool, force: bool,
           jobs: int) -> None:
    """Write the fictional sample archive (scans/ and sample-truth/) into the home folder."""
    from samplegen.content import plan_archive  # deferred: heavy libraries stay out of `bantin --help`
    from samplegen.sample import (  # deferred: heavy libraries stay out of `bantin --help`
        holds_issues,
        write_sample,
    )

    home = load_config(home_dir or (ctx.obj.home if ctx.obj else None)).home
    scans = Path(home) / "scans"
    if if_empty and holds_issues(scans):
        click.echo(f"sample: {scans} already holds issues; nothing written")
        return
    started = time.monotonic()
    plan = plan_archive(size, seed)
    quiet = bool(ctx.obj and ctx.obj.quiet)

    def progress(done: int, total: int) -> None:
        if not quiet and sys.stderr.isatty():
            click.echo(f"\rsample: {done}/{total} issues", err=True, nl=done == total)

    report = write_sample(Path(home), plan, force=force, jobs=jobs, progress=progress)
    kinds = ", ".join(f"{k} {i}/{p}" for k, (i, p) in sorted(report.by_source.items()))
    click.echo(f"sample: {report.issues} issues, {report.pages} pages, {report.articles} articles "
               f"(issues/pages by source: {kinds}) in {time.monotonic() - started:.1f} s")
    click.echo(f"sample: scans in {scans}, truth in {Path(home) / 'sample-truth'}")


