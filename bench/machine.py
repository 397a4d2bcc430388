"""What every benchmark prints first: the CPU, the cores, Python, and how busy the machine was
(numbers measured on a loaded machine are not comparable, so the load average goes with them)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def machine() -> str:
    """e.g. 'AMD EPYC 7B13, 2 cores, Python 3.11.7, load 0.4'."""
    try:
        load = f", load {os.getloadavg()[0]:.1f}"
    except OSError:
        load = ""
    return f"{cpu_name()}, {os.cpu_count()} cores, Python {platform.python_version()}{load}"
