"""The ``bantin`` command: one verb per stage, plus ``build`` that runs them all in order.

Exit codes (also in the README): 0 done; 1 unexpected error; 2 bad arguments; 3 a program
or language pack is missing; 4 the run finished but some files or pages failed (listed by
``bantin status``); 5 the catalog or index is locked; 6 bad configuration; 130 interrupted.

Other areas add their verbs in their own module and list it in ``COMMAND_MODULES``; each
such module exposes ``commands``, a list of click commands.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from archive import progress
from archive.catalog import Catalog
from archive.config import Config, load_config
from archive.errors import BantinError, ExitCode

log = logging.getLogger("bantin")

if __name__ == "__main__":
    # `python -m archive.cli`: hand over to the importable module before this __main__ copy
    # defines a second command group (commands of COMMAND_MODULES attach to `archive.cli`).
    from archive.cli import main as _main

    sys.exit(_main())


@dataclass
class State:
    home: str | None
    quiet: bool

    def config(self, **flags: Any) -> Config:
        return load_config(self.home, **flags)

    def catalog(self, config: Config | None = None) -> Catalog:
        return Catalog((config or self.config()).catalog_path)


pass_state = click.make_pass_decorator(State)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--home", type=click.Path(file_okay=False), envvar="BANTIN_HOME",
              help="Data folder holding scans/ and index/ (default: BANTIN_HOME, else the repository).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars, warnings only.")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
@click.version_option(package_name=None, version=__import__("archive").__version__, prog_name="bantin")
@click.pass_context
def cli(ctx: click.Context, home: str | None, quiet: bool, verbose: bool) -> None:
    """Bản tin: the archive of Party bulletins, from scans to a searchable library."""
    level = logging.DEBUG if verbose else logging.WARNING  # summaries are printed, not logged
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    progress.QUIET = quiet
    ctx.obj = State(home=home, quiet=quiet)


def echo_err(message: str) -> None:
    click.echo(message, err=True)


# --- stages ------------------------------------------------------------------------------

@dataclass
class StageOutcome:
    summary: str
    failed: bool = False


def stage_ingest(catalog: Catalog, config: Config, *, forget_missing: bool = False,
                 **_: Any) -> StageOutcome:
    from archive.ingest import ingest_scans

    r = ingest_scans(catalog, config.scans, forget_missing=forget_missing)
    for line in r.problems:
        echo_err(f"lỗi: {line}")
    for line in r.warnings:
        echo_err(f"cảnh báo: {line}")
    for issue_id in r.missing:
        echo_err(f"cảnh báo: {issue_id}: source file no longer in scans/; rows kept "
                 "(run `bantin ingest --forget-missing` to drop them)")
    parts = [f"{len(r.added)} new", f"{len(r.changed)} changed", f"{len(r.unchanged)} unchanged"]
    if r.updated_metadata:
        parts.append(f"{len(r.updated_metadata)} metadata updated")
    if r.missing:
        parts.append(f"{len(r.missing)} missing")
    if r.forgotten:
        parts.append(f"{len(r.forgotten)} forgotten")
    if r.problems:
        parts.append(f"{len(r.problems)} failed")
    return StageOutcome("ingest: issues " + ", ".join(parts), r.failed)


def stage_extract(catalog: Catalog, config: Config, *, force: bool = False,
                  issue_ids: list[str] | None = None, **_: Any) -> StageOutcome:
    from indexer.pipeline import run_extract

    r = run_extract(catalog, config, force=force, issue_ids=issue_ids)
    for line in r.failed:
        echo_err(f"lỗi: {line}")
    methods = ", ".join(f"{k} {v}" for k, v in sorted(r.by_method.items())) or "none"
    return StageOutcome(f"extract: {r.done} pages done ({methods}), {r.skipped} current, "
                        f"{len(r.failed)} failed, {r.seconds:.1f} s", bool(r.failed))


def stage_analyze(catalog: Catalog, config: Config, *, force: bool = False,
                  **_: Any) -> StageOutcome:
    from indexer.analyze import run_analyze

    r = run_analyze(catalog, config.home, force=force)
    for line in r.failed:
        echo_err(f"lỗi: {line}")
    return StageOutcome(r.summary(), bool(r.failed))


def stage_index(catalog: Catalog, config: Config, *, force: bool = False,
                **_: Any) -> StageOutcome:
    from indexer.search_cli import stage_index as index_stage

    return index_stage(catalog, config, force=force)


# Stages of `bantin build`, in order. Later areas append theirs (name, function).
BUILD_STAGES: list[tuple[str, Callable[..., StageOutcome]]] = [
    ("ingest", stage_ingest),
    ("extract", stage_extract),
    # ("segment", ...) goes here: analyze reads the articles segmentation writes.
    ("analyze", stage_analyze),
    ("index", stage_index),  # last: indexes what every stage before it wrote
]


def _finish(outcomes: list[StageOutcome]) -> None:
    for o in outcomes:
        click.echo(o.summary)
    if any(o.failed for o in outcomes):
        echo_err("Some files or pages failed; `bantin status` lists them.")
        raise SystemExit(int(ExitCode.PARTIAL))


@cli.command()
@click.option("--forget-missing", is_flag=True,
              help="Drop issues whose source file disappeared from scans/ (kept by default).")
@pass_state
def ingest(state: State, forget_missing: bool) -> None:
    """Register the series, issues and pages found under scans/ in the catalog."""
    config = state.config()
    with state.catalog(config) as catalog:
        _finish([stage_ingest(catalog, config, forget_missing=forget_missing)])


def _jobs_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("-j", "--jobs", type=click.IntRange(min=0), default=None,
                        help="Worker processes (default: one per CPU core).")(f)


@cli.command()
@_jobs_option
@click.option("--force", is_flag=True, help="Redo every page, even those that are current.")
@click.option("--issue", "issue_ids", multiple=True, help="Only this issue id (repeatable).")
@pass_state
def extract(state: State, jobs: int | None, force: bool, issue_ids: tuple[str, ...]) -> None:
    """Give every page its text: PDF text layer, legacy-font repair or Tesseract OCR."""
    config = state.config(jobs=jobs)
    with state.catalog(config) as catalog:
        _finish([stage_extract(catalog, config, force=force, issue_ids=list(issue_ids) or None)])


@cli.command()
@_jobs_option
@click.option("--force", is_flag=True, help="Redo every stage's output, even where current.")
@pass_state
def build(state: State, jobs: int | None, force: bool) -> None:
    """Run every stage in order (ingest, extract, ...), each doing only what is out of date."""
    config = state.config(jobs=jobs)
    outcomes = []
    with state.catalog(config) as catalog:
        for _name, stage in BUILD_STAGES:
            outcome = stage(catalog, config, force=force)
            click.echo(outcome.summary)
            outcomes.append(outcome)
    if any(o.failed for o in outcomes):
        echo_err("Some files or pages failed; `bantin status` lists them.")
        raise SystemExit(int(ExitCode.PARTIAL))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def status(state: State, as_json: bool) -> None:
    """Issues, pages, methods, OCR confidence and failures per series and year."""
    from archive.status import archive_status, format_status

    config = state.config()
    if not config.catalog_path.exists():
        report: dict[str, Any] = {"years": [], "totals": {"issues": 0, "pages": 0, "extracted": 0,
                                                          "failures": 0},
                                  "problems": [], "missing_sources": []}
    else:
        with state.catalog(config) as catalog:
            report = archive_status(catalog)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.echo(format_status(report))


@cli.group()
def export() -> None:
    """Export records for scripts (JSON Lines or CSV)."""


def export_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None,
                     help="Write to FILE instead of standard output.")(f)
    return click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
                        show_default=True)(f)


def write_export(records: Any, fields: tuple[str, ...], fmt: str, out: str | None) -> None:
    """Write atomically to --out (temporary name, then rename) or stream to stdout."""
    import os
    import tempfile

    from archive.export import write_records

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


@export.command("pages")
@export_options
@pass_state
def export_pages(state: State, fmt: str, out: str | None) -> None:
    """One record per page: series, year, number, page, method, confidence, text, ..."""
    from archive.export import PAGE_FIELDS, page_records

    with state.catalog() as catalog:
        write_export(page_records(catalog), PAGE_FIELDS, fmt, out)


@cli.command()
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="The backup file (ZIP).")
@pass_state
def backup(state: State, out: str) -> None:
    """Write a consistent copy of everything not derived (catalog, corrections, users...)."""
    from archive.backup import write_backup

    manifest = write_backup(state.config(), Path(out))
    tables = manifest["tables"]
    click.echo(f"backup written to {out}: " + ", ".join(
        f"{t} {n}" for t, n in tables.items() if t in {"issue", "page", "article", "account",
                                                        "page_version", "collection"}))


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace the catalog of a home that holds data.")
@pass_state
def restore(state: State, file: str, force: bool) -> None:
    """Read a backup into the home (refuses to overwrite one holding data without --force)."""
    from archive.backup import restore_backup

    manifest = restore_backup(state.config(), Path(file), force=force)
    click.echo(f"restored backup of {manifest['created']}; run `bantin build` to rebuild the "
               "search index")


# Modules that add verbs; each exposes `commands` (a list of click commands) and may append
# to BUILD_STAGES when imported.
COMMAND_MODULES: list[str] = ["webapp.cli", "samplegen.cli", "indexer.segment_cli", "indexer.topics_cli",
                             "indexer.search_cli", "review.cli", "indexer.refresh_cli"]


def _load_commands() -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        for command in getattr(module, "commands", []):
            cli.add_command(command)


_load_commands()


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the CLI and maps errors to exit codes in one place."""
    try:
        cli.main(args=argv, prog_name="bantin", standalone_mode=False)
    except click.exceptions.Abort:
        echo_err("interrupted")
        return int(ExitCode.INTERRUPTED)
    except click.ClickException as e:
        e.show()
        return int(ExitCode.USAGE)
    except BantinError as e:
        echo_err(f"bantin: {e}")
        return int(e.exit_code)
    except KeyboardInterrupt:
        echo_err("interrupted")
        return int(ExitCode.INTERRUPTED)
    except SystemExit as e:
        return int(e.code or 0) if isinstance(e.code, int) else 1
    return 0
