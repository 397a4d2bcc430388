"""Text-layer accuracy on a sample home: CER and line order of every ``text``/``legacy`` page.

For every PDF page of ``<home>/sample-truth/pages.jsonl`` that has a text layer (scan kinds
``pdf-unicode``, ``pdf-tcvn3``, ``pdf-vni``), extracts the page with
``indexer.extract.textlayer.extract_text_page`` (one process, as the extract stage does) and compares
it with the truth:

* CER: Levenshtein distance (RapidFuzz) between the texts, both NFC with white space
  collapsed, over the truth's length; totals are summed distances over summed lengths;
* bag CER: the same on the page's words sorted, which ignores reading order, so that
  ``CER - bag CER`` is roughly what the order costs;
* line order: the truth's lines matched to extracted lines by their text (in order of
  occurrence), then the longest run of them in increasing order over the number of truth
  lines (1.0 = same order); a page is "in order" when every truth line is found in order.

Prints a table per method and kind of source, the throughput, and the worst pages.

    .venv/bin/python bench/textlayer_cer.py --home /tmp/tl-full [--worst 15] [--only ID]
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from archive.models import PageTask  # noqa: E402
from bench.textlayer import machine  # noqa: E402
from indexer.extract import textlayer  # noqa: E402

_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFC, white space collapsed to single spaces, trimmed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def cer(truth: str, got: str) -> tuple[int, int]:
    """(edit distance, truth length) on normalised texts."""
    a, b = normalize(truth), normalize(got)
    return Levenshtein.distance(a, b), len(a)


def bag_cer(truth: str, got: str) -> tuple[int, int]:
    """CER of the words sorted: what is left when reading order does not count."""
    a = " ".join(sorted(normalize(truth).split()))
    b = " ".join(sorted(normalize(got).split()))
    return Levenshtein.distance(a, b), len(a)


def _lines(text: str) -> list[str]:
    return [normalize(ln) for ln in text.splitlines() if ln.strip()]


def line_order(truth: str, got: str) -> tuple[float, int, int]:
    """(score 0..1, truth lines found, truth lines): the longest increasing run of the
    extracted positions of the truth's lines, over the number of truth lines."""
    want = _lines(truth)
    positions: dict[str, list[int]] = defaultdict(list)
    for i, ln in enumerate(_lines(got)):
        positions[ln].append(i)
    used: Counter[str] = Counter()
    seq: list[int] = []
    for ln in want:
        k = used[ln]
        used[ln] += 1
        if k < len(positions[ln]):
            seq.append(positions[ln][k])
    tails: list[int] = []
    for x in seq:
        j = bisect.bisect_left(tails, x)
        if j == len(tails):
            tails.append(x)
        else:
            tails[j] = x
    return (len(tails) / len(want) if want else 1.0), len(seq), len(want)


@dataclass
class Row:
    page_id: str
    scan: str
    method: str
    note: str
    dist: int
    length: int
    bag_dist: int
    order: float
    found: int
    lines: int
    columns: int

    @property
    def cer(self) -> float:
        return self.dist / self.length if self.length else 0.0


def measure(home: Path, only: str | None = None) -> tuple[list[Row], float, float]:
    """Rows for every text-layer page of the sample at ``home``, and the wall-clock and
    CPU seconds spent extracting them."""
    rows: list[Row] = []
    spent = cpu = 0.0
    truth = home / "sample-truth" / "pages.jsonl"
    for raw in truth.read_text("utf-8").splitlines():
        rec = json.loads(raw)
        if not str(rec.get("scan", "")).startswith("pdf-"):
            continue
        page_id = f"{rec['issue']}/{rec['page']}"
        if only and not page_id.startswith(only):
            continue
        task = PageTask(page_id=page_id, path=str(home / "scans" / rec["file"]),
                        source_kind="pdf", file_page=rec["file_page"], sha256="")
        started, cpu_started = time.perf_counter(), time.process_time()
        result, note = textlayer.extract_text_page(task)
        spent += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        got = result.text if result is not None else ""
        dist, length = cer(rec["text"], got)
        bag, _ = bag_cer(rec["text"], got)
        order, found, lines = line_order(rec["text"], got)
        rows.append(Row(page_id, rec["scan"], result.method if result else "ocr",
                        note or (result.note if result else ""), dist, length, bag, order,
                        found, lines, int(rec.get("columns", 1))))
    return rows, spent, cpu


def _summary(label: str, rows: list[Row]) -> str:
    dist = sum(r.dist for r in rows)
    bag = sum(r.bag_dist for r in rows)
    length = sum(r.length for r in rows) or 1
    exact = sum(1 for r in rows if r.dist == 0)
    ordered = sum(1 for r in rows if r.order == 1.0 and r.found == r.lines)
    worst = max((r.cer for r in rows), default=0.0)
    return (f"{label:<22} {len(rows):>5} {100 * dist / length:>7.3f} {100 * bag / length:>7.3f} "
            f"{100 * worst:>7.2f} {exact:>6} {ordered:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--worst", type=int, default=15)
    parser.add_argument("--only", help="page ids starting with this (an issue id)")
    args = parser.parse_args()
    rows, spent, cpu = measure(args.home, args.only)
    if not rows:
        raise SystemExit(f"no text-layer pages in {args.home / 'sample-truth' / 'pages.jsonl'}")
    print(f"Machine: {machine()}; pdfplumber {textlayer.engine_version()}; one process")
    print(f"Sample: {args.home}; {len(rows)} text-layer pages, "
          f"{sum(r.length for r in rows):,} truth characters")
    print(f"{'method / source':<22} {'pages':>5} {'CER %':>7} {'bag %':>7} {'max %':>7} "
          f"{'exact':>6} {'in order':>8}")
    groups: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        groups[f"{r.method} / {r.scan}"].append(r)
        groups[f"{r.method} (all)"].append(r)
        groups[f"{r.columns} column(s)"].append(r)
    for key in sorted(groups):
        print(_summary(key, groups[key]))
    print(_summary("all", rows))
    print(f"Speed: {len(rows) / spent:.1f} pages/s wall ({1000 * spent / len(rows):.1f} ms/page), "
          f"{len(rows) / cpu:.1f} pages/s CPU ({1000 * cpu / len(rows):.1f} CPU ms/page); "
          "one process, sample PDFs, each file kept open between its pages")
    bad = sorted((r for r in rows if r.dist), key=lambda r: -r.cer)[:args.worst]
    if bad:
        print("\nWorst pages (CER %, bag CER %, line order, lines found/truth lines):")
        for r in bad:
            print(f"  {r.page_id:<28} {r.scan:<11} {100 * r.cer:>7.2f} "
                  f"{100 * r.bag_dist / max(r.length, 1):>7.2f} {r.order:>5.2f} "
                  f"{r.found:>3}/{r.lines:<3} {r.note}")


if __name__ == "__main__":
    main()
