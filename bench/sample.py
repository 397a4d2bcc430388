"""Benchmark and census of the sample archive (``bantin sample``).

Writes the sample into a temporary home with 1 and 2 worker processes (``--jobs``), prints
the machine, the wall time and CPU time of each run (on a shared machine the CPU time is the
honest figure: wall ≈ CPU / cores when idle), and the README's table: issues, pages and articles
per series and decade, by kind of source.

    .venv/bin/python bench/sample.py [--size small|full] [--seed N] [--jobs 1,2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.machine import machine  # noqa: E402
from samplegen.content import plan_archive  # noqa: E402
from samplegen.sample import write_sample  # noqa: E402

KINDS = ("scan-old", "scan-300", "scan-photo", "pdf-tcvn3", "pdf-vni", "pdf-unicode", "word-tcvn3",
         "word-vni", "word-mixed", "word-unicode")



def _cpu() -> float:
    """CPU seconds of this process and its reaped children (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def census(home: Path) -> str:
    """Markdown table: per series and decade, issues/pages/articles for each kind of source."""
    truth = home / "sample-truth"
    pages = [json.loads(x) for x in (truth / "pages.jsonl").read_text("utf-8").splitlines()]
    articles = [json.loads(x) for x in (truth / "articles.jsonl").read_text("utf-8").splitlines()]
    cells: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    seen: set[str] = set()
    for p in pages:
        row = (p["series"], f"{p['year'] // 10 * 10}s")
        c = cells[row][p["scan"]]
        if p["issue"] not in seen:
            seen.add(p["issue"])
            c[0] += 1
        c[1] += 1
    for a in articles:
        cells[(a["series"], f"{a['year'] // 10 * 10}s")][a["source"]][2] += 1
    head = "| series | decade | " + " | ".join(KINDS) + " | total |"
    lines = [head, "|" + "---|" * (len(KINDS) + 3)]
    totals = {k: [0, 0, 0] for k in KINDS + ("all",)}
    order = {s: i for i, s in enumerate(dict.fromkeys(p["series"] for p in pages))}
    for row in sorted(cells, key=lambda r: (order[r[0]], r[1])):
        parts = []
        row_total = [0, 0, 0]
        for k in KINDS:
            v = cells[row].get(k, [0, 0, 0])
            parts.append("/".join(map(str, v)) if v[0] else "")
            for i in range(3):
                row_total[i] += v[i]
                totals[k][i] += v[i]
                totals["all"][i] += v[i]
        lines.append(f"| {row[0]} | {row[1]} | " + " | ".join(parts) + " | " + "/".join(map(str, row_total)) + " |")
    lines.append("| **all** | | " + " | ".join("/".join(map(str, totals[k])) for k in KINDS)
                 + " | " + "/".join(map(str, totals["all"])) + " |")
    return "\n".join(lines) + "\n\nCells: issues/pages/articles."


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="full", choices=("small", "full"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", default="1,2", help="comma-separated worker counts to time")
    ap.add_argument("--keep", help="write the last run into this home instead of a temporary one")
    args = ap.parse_args()
    plan = plan_archive(args.size, args.seed)
    print(f"machine: {machine()}")
    print(f"input: --size {args.size} --seed {args.seed}: {len(plan.issues)} issues, "
          f"{sum(len(i.articles) for i in plan.issues)} articles")
    print()
    print("| jobs | wall s | CPU s | issues | pages | pages/s (wall) |")
    print("|---|---|---|---|---|---|")
    last = None
    jobs = [int(j) for j in args.jobs.split(",")]
    for n, j in enumerate(jobs):
        if args.keep and n == len(jobs) - 1:
            home = Path(args.keep)
            shutil.rmtree(home / "scans", ignore_errors=True)
            home.mkdir(parents=True, exist_ok=True)
        else:
            home = Path(tempfile.mkdtemp(prefix="bantin-sample-"))
        started, cpu0 = time.monotonic(), _cpu()
        report = write_sample(home, plan, jobs=j, force=True)
        wall, cpu = time.monotonic() - started, _cpu() - cpu0
        print(f"| {j} | {wall:.1f} | {cpu:.1f} | {report.issues} | {report.pages} | {report.pages / wall:.1f} |")
        if last is not None and not str(last).startswith(str(args.keep or "\0")):
            shutil.rmtree(last, ignore_errors=True)
        last = home
    assert last is not None
    print()
    print(census(last))
    if not args.keep:
        shutil.rmtree(last, ignore_errors=True)


if __name__ == "__main__":
    main()
