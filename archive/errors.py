"""Errors that end a command, each with an exit code and a message that says what to do.

Hierarchy::

    BantinError (exit 1)
    ├── UsageError          (2)  bad arguments or options
    ├── MissingDependency   (3)  a program or language pack is not installed
    ├── BadInput            (4)  a scan or data file is unreadable or misnamed
    │   └── OcrFailure      (4)  Tesseract failed or timed out on a page
    ├── IndexLocked         (5)  another process holds the catalog or the search index
    └── ConfigError         (6)  a settings file or environment variable is wrong

One place (``bantin.main.main``) maps them to exit codes. Batch stages do not raise
``BadInput`` for one file: they record the problem in the catalog, go on, and end with
``ExitCode.PARTIAL`` so scripts can tell that something failed.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Exit codes of the ``bantin`` command (documented in the README)."""

    OK = 0
    FAILED = 1  # an unexpected error; the message says what to report
    USAGE = 2
    MISSING_DEPENDENCY = 3
    PARTIAL = 4  # the run finished, but some files or pages failed (see `bantin status`)
    LOCKED = 5
    CONFIG = 6
    INTERRUPTED = 130


class BantinError(Exception):
    """Base error: ``str(err)`` is a complete sentence telling the user what to do."""

    exit_code: ExitCode = ExitCode.FAILED


class UsageError(BantinError):
    exit_code = ExitCode.USAGE


class MissingDependency(BantinError):
    exit_code = ExitCode.MISSING_DEPENDENCY


class BadInput(BantinError):
    """A file cannot be used; the message names the file and the fault."""

    exit_code = ExitCode.PARTIAL

    def __init__(self, path: object, fault: str, fix: str = "") -> None:
        self.path = str(path)
        self.fault = fault
        self.fix = fix
        message = f"{self.path}: {fault}"
        if fix:
            message += f" ({fix})"
        super().__init__(message)


class OcrFailure(BadInput):
    """Tesseract failed or timed out on one page."""


class IndexLocked(BantinError):
    exit_code = ExitCode.LOCKED


class ConfigError(BantinError):
    exit_code = ExitCode.CONFIG
