"""What every verb of the ``bantin`` command shares: the run's state, outcomes, export writing.

Verb modules import from here, never from :mod:`bantin.main`, so that ``main`` can import
every verb module and register each command explicitly without an import cycle.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from archive.catalog import Catalog
from archive.config import Config, load_config
from archive.errors import ExitCode
from archive.export import write_records

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class State:
    """What the top-level options decided, handed to every verb by click."""

    home: str | None
    quiet: bool

    def config(self, **flags: Any) -> Config:
        return load_config(self.home, **flags)

    def catalog(self, config: Config | None = None) -> Catalog:
        return Catalog((config or self.config()).catalog_path)


pass_state = click.make_pass_decorator(State)


def echo_err(message: str) -> None:
    click.echo(message, err=True)


@dataclass
class StageOutcome:
    """One stage's one-line summary, and whether any file or page failed in it."""

    summary: str
    failed: bool = False


def finish(outcomes: list[StageOutcome]) -> None:
    """Print the summaries; exit 4 (PARTIAL) when anything failed."""
    for o in outcomes:
        click.echo(o.summary)
    if any(o.failed for o in outcomes):
        fail_partial()


def fail_partial() -> None:
    """End the run with exit 4: it finished, but some files or pages failed."""
    echo_err("Some files or pages failed; `bantin status` lists them.")
    raise SystemExit(int(ExitCode.PARTIAL))


def jobs_option(f: F) -> F:
    return click.option("-j", "--jobs", type=click.IntRange(min=0), default=None,
                        help="Worker processes (default: one per CPU core).")(f)


def queue_option(f: F) -> F:
    return click.option("--queue", "queue", metavar="URL", default=None,
                        help="Send pages to `bantin worker`s through this Redis "
                             "(redis://HOST:PORT/DB) instead of the local process pool "
                             "(setting `queue`).")(f)


def export_options(f: F) -> F:
    f = click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None,
                     help="Write to FILE instead of standard output.")(f)
    return click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
                        show_default=True)(f)


def write_export(records: Iterator[dict[str, Any]], fields: tuple[str, ...], fmt: str,
                 out: str | None) -> None:
    """Write atomically to --out (temporary name, then rename) or stream to stdout."""
    if out is None:
        n = write_records(records, sys.stdout, fmt, fields)
    else:
        target = Path(out)
        fd, tmp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                n = write_records(records, f, fmt, fields)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    echo_err(f"{n} records")
