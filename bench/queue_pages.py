"""Queue benchmark: pages per minute with the local pool and through Redis with 1 and 2 workers
(concurrency 1) on the same scanned pages, the queue's overhead per page, the coordinator's
catalog write per page, and a projection for 30,000 and 450,000 pages on many machines.

    .venv/bin/python bench/queue_pages.py [--sample /work/data/full-s1] [--pages N] [--keep]

What it does:

1. Copies the sample's scanned issues (every issue whose pages were read by OCR in the sample
   home's catalog; ``--pages N``: whole issues, taken in turn from each kind of source, until
   at least N pages) into a temporary home and ingests them.
2. ``bantin extract --force --jobs 1`` (the real command), then the same through the queue:
   Debian's ``redis-server`` on a free loopback port (``tests/queue_fixtures.py``), the run
   record published, 1 ``bantin worker -c 1`` started and answering, then ``bantin extract
   --force --queue URL`` (workers are long-running: their start is not timed, the
   coordinator's is, as for the pool).
3. ``--rounds`` times: the local pool (``--jobs 2``), then 2 workers: each pair side by side,
   so that a shared machine's changing load hits both alike.
4. Times the coordinator's catalog write (``put_page_result``) on the pages just read.

Rates come from the extract summary's own seconds (pending pages to last commit, the same
span in every mode). Overhead per page = (1 worker − local ``--jobs 1``) seconds / pages: what
the queue adds to a page on one core. Projection: pages × (per-page cost + overhead) /
(machines × cores), bounded below by pages × catalog write (one coordinator writes).
Prints one table with the machine, its load before and after, and the input sizes; the
machine is shared, so a figure is only as good as the load it was measured under.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from machine import machine  # noqa: E402  (bench/machine.py)

from archive.catalog import Catalog  # noqa: E402
from archive.config import load_config  # noqa: E402
from archive.models import PageResult, Word  # noqa: E402
from indexer.extract.queue import RUN_KEY, local_spec, make_app  # noqa: E402
from indexer.extract.stage import ocr_settings, page_time_limit  # noqa: E402
from tests.queue_fixtures import redis_server  # noqa: E402

SUMMARY = re.compile(r"extract: (\d+) pages done .*?, (\d+) failed.*?, ([\d.]+) s")


def scanned_issues(sample: Path) -> list[tuple[str, str, int]]:
    """(issue id, source file relative to scans/, OCR pages) of the sample's scanned issues."""
    db = sqlite3.connect(f"file:{sample / 'index' / 'catalog.sqlite'}?mode=ro", uri=True)
    try:
        return [(r[0], r[1], r[2]) for r in db.execute(
            "SELECT i.id, i.source, count(*) FROM issue i JOIN page p ON p.issue_id = i.id"
            " JOIN page_text t ON t.page_id = p.id WHERE t.method = 'ocr' AND i.source_kind != 'pdf'"
            " OR t.method = 'ocr' AND i.source_kind = 'pdf' AND NOT EXISTS (SELECT 1 FROM page q"
            " JOIN page_text u ON u.page_id = q.id WHERE q.issue_id = i.id AND u.method != 'ocr')"
            " GROUP BY i.id ORDER BY i.source_kind, i.id")]
    finally:
        db.close()


def pick(issues: list[tuple[str, str, int]], pages: int, kinds: dict[str, str]) -> list[tuple[str, str, int]]:
    if pages <= 0:
        return issues
    by_kind: dict[str, list[tuple[str, str, int]]] = {}
    for issue in issues:
        by_kind.setdefault(kinds[issue[0]], []).append(issue)
    chosen, total = [], 0
    while total < pages and any(by_kind.values()):
        for kind in sorted(by_kind):
            if by_kind[kind] and total < pages:
                issue = by_kind[kind].pop(0)
                chosen.append(issue)
                total += issue[2]
    return chosen


def copy_issues(sample: Path, issues: list[tuple[str, str, int]], home: Path) -> None:
    for _id, source, _n in issues:
        src, dst = sample / "scans" / source, home / "scans" / source
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
        series_toml = sample / "scans" / Path(source).parts[0] / "series.toml"
        if series_toml.exists():
            shutil.copy2(series_toml, home / "scans" / Path(source).parts[0] / "series.toml")
    (home / "index").mkdir(parents=True, exist_ok=True)


def bantin(home: Path, *args: str) -> str:
    r = subprocess.run([sys.executable, "-m", "bantin", "--home", str(home), "--quiet", *args],
                       cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, text=True,
                       capture_output=True)
    if r.returncode != 0:
        sys.exit(f"bantin {' '.join(args)} failed ({r.returncode}): {r.stderr[-2000:]}")
    return r.stdout


def extract_seconds(out: str, pages: int) -> float:
    m = SUMMARY.search(out)
    if not m or int(m.group(1)) + int(m.group(2)) != pages:
        sys.exit(f"unexpected extract summary (expected {pages} pages): {out}")
    if int(m.group(2)):
        print(f"warning: {m.group(2)} pages failed", file=sys.stderr)
    return float(m.group(3))


def start_workers(url: str, n: int, folder: Path) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = []
    for i in range(n):
        log = (folder / f"worker-{i}.log").open("w")
        procs.append(subprocess.Popen([sys.executable, "-m", "bantin", "--quiet", "worker", "--queue",
                                       url, "-c", "1", "--name", f"bench{i}@local"], cwd=REPO,
                                      env=env, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True))
    return procs


def wait_answering(url: str, n: int, redeliver: float) -> None:
    app = make_app(url, redeliver=redeliver)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if len(replies) >= n:
            return
    sys.exit(f"{n} workers did not answer within 300 s")


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def queue_run(home: Path, url: str, workers: int, folder: Path, pages: int) -> float:
    import redis

    config = load_config(home)
    limit = page_time_limit(config)
    spec = local_spec(ocr_settings(config), time_limit=limit, redeliver=limit + 60.0)
    client = redis.Redis.from_url(url)
    client.set(RUN_KEY, spec.to_json())  # the record the coordinator publishes, so workers start now
    procs = start_workers(url, workers, folder)
    try:
        wait_answering(url, workers, spec.redeliver)
        return extract_seconds(bantin(home, "extract", "--force", "--queue", url), pages)
    finally:
        stop_workers(procs)
        client.close()


def write_cost(home: Path) -> float:
    """Seconds per page of the coordinator's catalog write (put_page_result), on a copy."""
    copy = home / "index" / "write-bench.sqlite"
    shutil.copy2(home / "index" / "catalog.sqlite", copy)
    catalog = Catalog(copy)
    rows = catalog.query("SELECT * FROM page_text")
    results = [PageResult(page_id=r["page_id"], sha256=r["sha256"], method=r["method"],
                          text=r["text"], words=tuple(Word.from_row(w) for w in json.loads(r["words"])),
                          confidence=r["confidence"], engine=r["engine"],
                          engine_version=r["engine_version"], settings_key=r["settings_key"])
               for r in rows]
    started = time.perf_counter()
    rounds = 0
    while time.perf_counter() - started < 3.0:
        for result in results:
            catalog.put_page_result(result)
        rounds += 1
    seconds = (time.perf_counter() - started) / (rounds * len(results))
    catalog.close()
    copy.unlink()
    return seconds


def hours(pages: int, per_page: float, machines: int, cores: int, write: float) -> str:
    seconds = max(pages * per_page / (machines * cores), pages * write)
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=Path, default=Path("/work/data/full-s1"),
                        help="a built sample home (read only; its scanned issues are copied)")
    parser.add_argument("--pages", type=int, default=0, help="at least N pages (0: every scanned page)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="local pool and 2 workers, run one after the other, this many times")
    parser.add_argument("--page-cost", type=float, default=0.0,
                        help="also project with this many seconds per page per core (e.g. one "
                             "measured on a quiet machine by bench/ocr.py)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary home")
    parser.add_argument("--project", metavar="COST,OVERHEAD,WRITE", default="",
                        help="only print the projection for these seconds per page per core, "
                             "queue overhead per page and catalog write per page")
    args = parser.parse_args()
    if args.project:
        cost, overhead, write = (float(x) for x in args.project.split(","))
        project([("given", cost)], overhead, write)
        return
    load_before = machine()
    folder = Path(tempfile.mkdtemp(prefix="bench-queue-"))
    home = folder / "home"
    try:
        kinds = {}
        db = sqlite3.connect(f"file:{args.sample / 'index' / 'catalog.sqlite'}?mode=ro", uri=True)
        kinds = {r[0]: r[1] for r in db.execute("SELECT id, source_kind FROM issue")}
        db.close()
        issues = pick(scanned_issues(args.sample), args.pages, kinds)
        copy_issues(args.sample, issues, home)
        bantin(home, "ingest")
        pages = sum(n for _i, _s, n in issues)
        kinds_used = sorted({kinds[i] for i, _s, _n in issues})
        pairs: list[tuple[float, float]] = []  # (local pool, 2 workers), run side by side
        with redis_server(folder / "redis") as url:
            local1 = extract_seconds(bantin(home, "extract", "--force", "--jobs", "1"), pages)
            queue1 = queue_run(home, url, 1, folder, pages)
            for _round in range(args.rounds):
                pairs.append((extract_seconds(bantin(home, "extract", "--force", "--jobs", "2"), pages),
                              queue_run(home, url, 2, folder, pages)))
        write = write_cost(home)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"kept {folder}", file=sys.stderr)
    per_page = local1 / pages
    overhead = (queue1 - local1) / pages
    print(f"Machine before: {load_before}")
    print(f"Machine after:  {machine()}")
    print(f"Input: {pages} scanned pages in {len(issues)} issues of {args.sample} "
          f"({', '.join(kinds_used)})")
    print()
    print("| run | seconds | pages/minute | vs local pool (--jobs 2; same round) |")
    print("|---|---:|---:|---:|")
    local2 = sorted(p[0] for p in pairs)[len(pairs) // 2]
    rows = [("local, --jobs 1", local1, local2), ("queue, 1 worker -c 1", queue1, local2)]
    for i, (pool, two) in enumerate(pairs, 1):
        rows += [(f"local pool, --jobs 2 (round {i})", pool, pool),
                 (f"queue, 2 workers -c 1 (round {i})", two, pool)]
    for name, seconds, against in rows:
        print(f"| {name} | {seconds:.1f} | {60 * pages / seconds:.1f} | {against / seconds:.2f} |")
    print()
    print(f"Per page on one core: {per_page:.2f} s; queue overhead per page: {overhead:+.3f} s "
          f"({100 * overhead / per_page:+.1f} %); coordinator's catalog write: {1000 * write:.1f} ms "
          f"(at most {1 / write:.0f} pages/s from one coordinator)")
    print()
    costs = [("measured here", per_page)] + ([("--page-cost", args.page_cost)] if args.page_cost else [])
    project(costs, overhead, write)


def project(costs: list[tuple[str, float]], overhead: float, write: float) -> None:
    print(f"Projection: pages x (s per page per core + queue overhead {max(overhead, 0.0):.3f} s) / "
          f"(machines x cores), linear in cores, at least pages x {1000 * write:.1f} ms (one "
          "coordinator writes):")
    print()
    print("| pages | machines | " + " | ".join(f"2 cores ({c:.2f} s/page, {label}) | 16 cores"
                                              for label, c in costs) + " |")
    print("|---:|---:|" + "---:|---:|" * len(costs))
    for total in (30_000, 450_000):
        for machines in (1, 10, 50):
            cells = []
            for _label, c in costs:
                cost = c + max(overhead, 0.0)
                cells += [hours(total, cost, machines, 2, write), hours(total, cost, machines, 16, write)]
            print(f"| {total:,} | {machines} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
