"""Progress bars on stderr for long stages; silent when stderr is not a terminal or --quiet.

``track(items, total=..., label=...)`` is the one-line form; :class:`Progress` is the object
behind it for stages that advance out of order (results of a process pool).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")
QUIET = False  # set by the CLI's --quiet


class Progress:
    def __init__(self, total: int, label: str, *, stream: TextIO | None = None) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        self.enabled = not QUIET and total > 0 and self.stream.isatty()
        self.started = time.monotonic()
        self._last = 0.0

    def advance(self, n: int = 1, *, failed: bool = False) -> None:
        self.done += n
        if failed:
            self.failed += n
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.2 or self.done >= self.total):
            self._last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        fail = f" {self.failed} lỗi" if self.failed else ""
        self.stream.write(f"\r{self.label:<10} [{'#' * filled}{'.' * (width - filled)}] "
                          f"{self.done}/{self.total}{fail} {rate:.1f}/s còn {eta:.0f}s ")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def track(items: Iterable[T], *, total: int, label: str) -> Iterator[T]:
    with Progress(total, label) as bar:
        for item in items:
            yield item
            bar.advance()
