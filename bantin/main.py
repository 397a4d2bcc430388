"""The ``bantin`` command: the group, every verb registered explicitly, and the exit codes.

Exit codes (also in the README): 0 done; 1 unexpected error; 2 bad arguments; 3 a program
or language pack is missing; 4 the run finished but some files or pages failed (listed by
``bantin status``); 5 the catalog or index is locked; 6 bad configuration; 130 interrupted.
Errors are mapped to exit codes in one place, :func:`main`. The stages of ``bantin build`` are
listed in :data:`bantin.stages.BUILD_STAGES`.
"""

from __future__ import annotations

import logging
import sys

import click

import archive
from archive import progress
from archive.errors import BantinError, ExitCode
from bantin import analyze, catalog, ocrfiles, refresh, reports, review, sample, search, segment, web, worker
from bantin.common import State, echo_err


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--home", type=click.Path(file_okay=False), envvar="BANTIN_HOME",
              help="Data folder holding scans/ and index/ (default: BANTIN_HOME, else the "
                   "current folder).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars, warnings only.")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging.")
@click.version_option(package_name=None, version=archive.__version__, prog_name="bantin")
@click.pass_context
def cli(ctx: click.Context, home: str | None, quiet: bool, verbose: bool) -> None:
    """Bản tin: the archive of Party bulletins, from scans to a searchable library."""
    level = logging.DEBUG if verbose else logging.WARNING  # summaries are printed, not logged
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    progress.QUIET = quiet
    ctx.obj = State(home=home, quiet=quiet)


@click.group()
def export() -> None:
    """Export records for scripts (JSON Lines or CSV), and page text as ALTO or hOCR."""


export.add_command(catalog.export_pages)
export.add_command(segment.export_articles)
export.add_command(ocrfiles.export_alto)
export.add_command(segment.export_issues)

# Every verb, in the order `bantin --help` lists them (click sorts them by name).
for command in (
    catalog.ingest, catalog.extract, segment.segment, analyze.analyze, search.index,
    catalog.build, catalog.status, export, analyze.topics, search.search_command,
    sample.sample, review.stats, review.report, reports.reports, refresh.refresh,
    web.serve, web.secret, web.user, catalog.backup, catalog.restore, worker.worker,
):
    cli.add_command(command)


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


if __name__ == "__main__":  # `python -m bantin.main` as well as `python -m bantin`
    sys.exit(main())
