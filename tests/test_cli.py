"""The command line: its verbs and the order of `bantin build`, as scripts rely on them."""

from __future__ import annotations

from click.testing import CliRunner

from bantin.main import cli
from bantin.stages import BUILD_STAGES

VERBS = {"analyze", "backup", "build", "export", "extract", "index", "ingest", "refresh", "report", "reports",
         "restore", "sample", "search", "secret", "segment", "serve", "stats", "status", "topics",
         "user", "worker"}


def test_help_lists_every_verb() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == VERBS
    export = CliRunner().invoke(cli, ["export", "--help"])
    assert {"pages", "articles", "issues"} <= set(export.output.split())


def test_build_runs_the_stages_in_order() -> None:
    assert [name for name, _fn in BUILD_STAGES] == ["ingest", "extract", "segment", "analyze", "images",
                                                     "reports", "index"]
