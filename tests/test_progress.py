"""Progress outside a terminal: a plain line at least every interval, even while no item
ends (one slow page), silent for a short stage and with --quiet; the bar on a terminal."""

from __future__ import annotations

import io
import subprocess
import sys
import time

from archive import progress
from archive.progress import Progress


def wait_for_lines(stream: io.StringIO, n: int, timeout: float = 10.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while len(stream.getvalue().splitlines()) < n:
        assert time.monotonic() < deadline, f"no {n} progress lines: {stream.getvalue()!r}"
        time.sleep(0.01)
    return stream.getvalue().splitlines()


def test_lines_come_while_no_item_ends() -> None:
    out = io.StringIO()  # not a terminal
    with Progress(4, "extract", stream=out, line_every=0.05) as bar:
        bar.advance()
        lines = wait_for_lines(out, 2)  # nothing advanced since: the lines still come
        bar.advance(failed=True)
    text = out.getvalue()
    assert lines[0].startswith("extract: 1/4 (25 %)")
    assert "\r" not in text and "#" not in text  # no bar drawn into a log
    assert text.splitlines()[-1].startswith("extract: 2/4 (50 %), 1 lỗi") and text.endswith("xong\n")


def test_a_short_stage_and_quiet_stay_silent(monkeypatch: object) -> None:
    out = io.StringIO()
    with Progress(3, "segment", stream=out, line_every=60) as bar:
        bar.advance(3)
    assert out.getvalue() == ""
    progress.QUIET = True
    try:
        out = io.StringIO()
        with Progress(3, "segment", stream=out, line_every=0.01) as bar:
            time.sleep(0.1)
        assert out.getvalue() == ""
    finally:
        progress.QUIET = False


def test_a_real_pipe_gets_lines_every_interval() -> None:
    """A child process whose stderr is a pipe (as `make demo > log 2>&1`), the default
    interval shortened through the module constant."""
    code = ("import time; from archive import progress as p; p.LINE_EVERY = 0.05\n"
            "with p.Progress(2, 'ocr') as bar:\n"
            "    time.sleep(0.5); bar.advance(2)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          check=True)
    lines = done.stderr.splitlines()
    assert len(lines) >= 3, done.stderr
    assert lines[0].startswith("ocr: 0/2 (0 %)") and lines[-1].startswith("ocr: 2/2 (100 %)")
