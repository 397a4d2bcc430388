"""Progress on stderr for long stages: a bar on a terminal; a plain line at least every
``LINE_EVERY`` seconds otherwise (``make demo > demo.log``: the log shows that work goes on,
even while one slow page holds the stage); nothing with --quiet.

``track(items, total=..., label=...)`` is the one-line form; :class:`Progress` is the object
behind it for stages that advance out of order (results of a process pool).

Why a thread for the lines: a stage advances when an item ends, and one item (an OCR'd page
of a large PDF) can take longer than the interval; a daemon thread that wakes every interval
writes the line whether or not an item ended.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")
QUIET = False  # set by the CLI's --quiet
LINE_EVERY = 10.0  # seconds between progress lines when the stream is not a terminal


class Progress:
    def __init__(self, total: int, label: str, *, stream: TextIO | None = None,
                 line_every: float | None = None) -> None:
        self.total = total
        self.label = label
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        tty = _isatty(self.stream)
        self.enabled = not QUIET and total > 0 and tty
        self.started = time.monotonic()
        self._last = 0.0
        self._stop = threading.Event()
        self._wrote_lines = False
        self._lines: threading.Thread | None = None
        if not QUIET and total > 0 and not tty:
            every = LINE_EVERY if line_every is None else line_every
            self._lines = threading.Thread(target=self._line_loop, args=(every,),
                                           name=f"progress-{label}", daemon=True)
            self._lines.start()

    def _line_loop(self, every: float) -> None:
        while not self._stop.wait(every):
            self._write_line()
            self._wrote_lines = True

    def _write_line(self, *, final: bool = False) -> None:
        """One plain line: ``segment: 12/130 (9 %), 1 lỗi, 35 s, đang chạy``."""
        elapsed = time.monotonic() - self.started
        share = 100 * self.done / max(self.total, 1)
        fail = f", {self.failed} lỗi" if self.failed else ""
        state = "xong" if final else "đang chạy"
        try:
            self.stream.write(f"{self.label}: {self.done}/{self.total} ({share:.0f} %){fail},"
                              f" {elapsed:.0f} s, {state}\n")
            self.stream.flush()
        except (ValueError, OSError):  # the stream was closed under us: stop quietly
            self._stop.set()

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
        if self._lines is not None:
            self._stop.set()
            self._lines.join()
            self._lines = None
            if self._wrote_lines:  # a short stage stays silent; a long one says it ended
                self._write_line(final=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def track(items: Iterable[T], *, total: int, label: str) -> Iterator[T]:
    with Progress(total, label) as bar:
        for item in items:
            yield item
            bar.advance()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
