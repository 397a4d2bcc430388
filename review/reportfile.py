"""A report written to a file, DOCX or self-contained HTML, atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from archive.errors import UsageError
from review.report import FORMATS, Report
from review.report_docx import write_docx
from review.report_html import html_report


def write_report(report: Report, fmt: str, out: Path) -> Path:
    """Write ``report`` as ``fmt`` to ``out`` atomically (temporary name, then rename)."""
    if fmt not in FORMATS:
        raise UsageError(f"định dạng {fmt!r} không hỗ trợ: dùng docx hoặc html")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    os.close(fd)
    try:
        if fmt == "docx":
            write_docx(report, Path(tmp))
        else:
            Path(tmp).write_text(html_report(report), encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp made it private
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
