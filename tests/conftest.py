"""Shared fixtures: a fresh home folder and the `bantin` command run in-process or for real."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.catalog import Catalog
from bantin.main import main

pytest_plugins = ["tests.queue_fixtures"]  # redis_url: a real redis-server for the queue tests

REPO = Path(__file__).resolve().parent.parent
BANTIN = [sys.executable, "-m", "bantin"]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty data folder with scans/ and index/."""
    (tmp_path / "scans").mkdir()
    (tmp_path / "index").mkdir()
    return tmp_path


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def bantin(home: Path):
    """Run `bantin --home <home> ARGS...` in-process; returns exit code, stdout, stderr."""

    def run(*args: str, input: str | None = None) -> CliResult:
        runner = CliRunner()
        captured: dict[str, int] = {}

        def entry() -> None:
            captured["code"] = main(["--home", str(home), "--quiet", *args])

        result = runner.invoke(_wrap(entry), [], input=input, catch_exceptions=False)
        return CliResult(captured.get("code", result.exit_code), result.stdout, result.stderr)

    return run


def _wrap(fn):  # a click command that calls main() so CliRunner captures its streams
    import click

    @click.command()
    def command() -> None:
        fn()

    return command


def run_bantin(home: Path, *args: str, timeout: float = 600, **kw) -> subprocess.CompletedProcess[str]:
    """Run the real command in a subprocess (for crash and kill tests)."""
    env = {**os.environ, "BANTIN_HOME": str(home), "PYTHONPATH": str(REPO)}
    return subprocess.run([*BANTIN, "--quiet", *args], cwd=REPO, env=env, text=True,
                          capture_output=True, timeout=timeout, **kw)


@pytest.fixture
def catalog(home: Path):
    c = Catalog(home / "index" / "catalog.sqlite")
    yield c
    c.close()
