"""Editable TOML data files (topics, document register): reading them with errors that name the line.

Why: editors change ``topics.toml`` and ``documents.toml`` without touching code, so a mistake
must come back as "file, line N: what is wrong (how to fix it)", not as a traceback. TOML syntax
errors carry a line number already; for errors the schema finds (an unknown key, a duplicate
slug, a weight that is not a number) :class:`TomlFile` finds the line of the offending entry in
the text, since ``tomllib`` keeps no positions.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from archive.errors import ConfigError

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")


class DataFileError(ConfigError):
    """A data file an editor maintains is malformed; the message names the file and line."""

    def __init__(self, path: object, line: int, fault: str, fix: str = "") -> None:
        self.path = str(path)
        self.line = line
        self.fault = fault
        where = f"{self.path}, line {line}" if line else self.path
        message = f"{where}: {fault}"
        if fix:
            message += f" ({fix})"
        super().__init__(message)


@dataclass(frozen=True)
class TomlFile:
    """A parsed TOML file and its lines, to point at entries by line number (1-based)."""

    path: Path
    text: str
    data: dict[str, Any]

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def array_headers(self, name: str) -> list[int]:
        """Line numbers of every ``[[name]]`` header, in order: the i-th is the i-th element."""
        found = []
        for number, line in enumerate(self.lines, start=1):
            m = _HEADER.match(line)
            if m and line.lstrip().startswith("[[") and m.group(1) == name:
                found.append(number)
        return found

    def block_end(self, start: int, name: str) -> int:
        """Line after the last line of the array element whose header is at ``start``:
        its own sub-tables (``[name.terms]``) belong to it, any other header ends it."""
        lines = self.lines
        for number in range(start + 1, len(lines) + 1):
            m = _HEADER.match(lines[number - 1])
            if m and not m.group(1).startswith(name + "."):
                return number
        return len(lines) + 1

    def find_key(self, key: str, start: int = 1, end: int | None = None) -> int:
        """Line in ``[start, end)`` where ``key`` is assigned (bare or quoted), or ``start``."""
        lines = self.lines
        stop = min(end if end is not None else len(lines) + 1, len(lines) + 1)
        needles = (f'"{key}"', f"'{key}'")
        for number in range(max(start, 1), stop):
            line = lines[number - 1]
            for needle in needles:
                at = line.find(needle)
                if at >= 0 and line[at + len(needle):].lstrip().startswith("="):
                    return number
            stripped = line.lstrip()
            if stripped.startswith(key) and stripped[len(key):].lstrip().startswith("="):
                return number
        return start


def read_toml(path: str | Path, *, fix: str = "") -> TomlFile:
    """Parse ``path``; any syntax or encoding error becomes a :class:`DataFileError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataFileError(path, 0, f"cannot read the file: {e.strerror or e}",
                            "check that it exists and is readable") from e
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise DataFileError(path, line, "not UTF-8 text", "save the file as UTF-8") from e
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = _TOML_POSITION.search(str(e))
        line = int(m.group(1)) if m else 0
        fault = _TOML_POSITION.sub("", str(e)).strip()
        raise DataFileError(path, line, f"TOML syntax error: {fault}",
                            fix or "see https://toml.io for the syntax") from e
    return TomlFile(path, text, data)
