"""``bantin export alto``: the page text of every issue (or the ones named) as ALTO 4.4 or
hOCR, one ZIP per issue, the same files the web app serves at ``/alto/<issue>.zip``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from archive import ocrxml
from archive.errors import UsageError
from bantin.common import State, pass_state


@click.command("alto")
@click.option("--out", type=click.Path(file_okay=False), required=True,
              help="Folder for the ZIPs (<issue id>.alto.zip or .hocr.zip), made if missing.")
@click.option("--format", "fmt", type=click.Choice(["alto", "hocr"]), default="alto", show_default=True,
              help="ALTO 4.4 XML or hOCR (XHTML).")
@click.option("--series", default=None, help="Only this series (its code, e.g. ttshcb).")
@click.option("--issue", "issues", multiple=True, help="Only this issue id (repeat for more).")
@pass_state
def export_alto(state: State, out: str, fmt: str, series: str | None, issues: tuple[str, ...]) -> None:
    """Page text as ALTO (or hOCR), a ZIP per issue; pages without text are left out."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = pages = 0
    with state.catalog() as catalog:
        chosen = [i for i in catalog.issues(series, include_missing=False) if not issues or i.id in issues]
        unknown = set(issues) - {i.id for i in chosen}
        if unknown:
            raise UsageError(f"no such issue: {', '.join(sorted(unknown))} (see `bantin status`)")
        for issue in chosen:
            target = folder / f"{issue.id}.{fmt}.zip"
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".zip")
            try:
                with os.fdopen(fd, "wb") as f:
                    n = ocrxml.write_issue_zip(catalog, issue.id, f, fmt=fmt)
                if n:
                    os.replace(tmp, target)
                    written += 1
                    pages += n
                else:
                    Path(tmp).unlink()
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    click.echo(f"{written} issues, {pages} pages written as {fmt.upper()} to {folder}")
