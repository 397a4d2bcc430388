"""The editors' desk: how long from "save" to "found by search", on a built home.

For N pages of the home (the lowest-confidence first, as the review queue offers them) it
replaces one word of the page text by a made-up word, saves it as an editor does
(``archive.editorial.correct_page``, one transaction), then carries it everywhere
(``indexer.refresh.refresh``: re-segment the issue, analyse its changed articles, rewrite
the changed index documents), and searches the new word. Then N article edits (title +
topic labels, ``indexer.segment.edits.edit_article`` + refresh). The home is copied first
(catalog and index; the scans are not needed), so the original is left as it was.

    .venv/bin/python bench/desk.py --home DIR [--edits 10] [--inflate K]

``--inflate K`` makes the copy K+1 times larger before timing (every issue cloned K times
under new ids, catalog rows and analysis included, then the search index rebuilt), to see
how the time grows with the archive: a small sample built in a minute stands in for a
large archive that would take hours of OCR.

Prints one table (milliseconds); no assertion (target: save + refresh under 2-3 s, so the web
app can do it inside the request).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from archive.catalog import Catalog
from archive.config import load_config
from archive.editorial import correct_page, current_version, effective_page
from archive.worklist import low_confidence_pages
from bench.machine import machine  # noqa: E402
from indexer.refresh import refresh
from indexer.search.engine import SearchRequest, search
from indexer.segment.edits import current_version as article_version
from indexer.segment.edits import edit_article


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else 0.0


CLONED = ("issue", "page", "page_text", "article", "article_topic", "article_ref", "segment_state",
          "analyze_state", "article_machine")


def inflate(catalog: Catalog, times: int) -> None:
    """Clone every issue ``times`` times (ids get a ``-xK`` suffix), with all its rows."""
    issues = [r["id"] for r in catalog.query("SELECT id FROM issue")]
    columns = {t: [r[1] for r in catalog.query(f"PRAGMA table_info({t})")] for t in CLONED}
    rows = {t: [dict(r) for r in catalog.query(f"SELECT * FROM {t}")] for t in CLONED}
    key = {"issue": "id", "page": "issue_id", "page_text": "page_id", "article": "issue_id",
           "article_topic": "article_id", "article_ref": "article_id", "segment_state": "issue_id",
           "analyze_state": "article_id", "article_machine": "issue_id"}
    with catalog.transaction() as db:
        for k in range(1, times + 1):
            for issue_id in issues:
                new = f"{issue_id}-x{k}"
                for table in CLONED:
                    for row in rows[table]:
                        owner = str(row[key[table]])
                        if owner != issue_id and not owner.startswith((issue_id + "/", issue_id + "-p")):
                            continue
                        values = [v.replace(issue_id, new) if isinstance(v, str) else v
                                  for v in (row[c] for c in columns[table])]
                        if table == "issue":
                            values[columns[table].index("suffix")] = f"x{k}"
                        db.execute(f"INSERT INTO {table} ({', '.join(columns[table])}) VALUES"
                                   f" ({', '.join('?' * len(values))})", values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", required=True, help="A built home (bantin build done).")
    ap.add_argument("--edits", type=int, default=10, help="Page corrections (and article edits) to time.")
    ap.add_argument("--inflate", type=int, default=0, help="Clone every issue K times first.")
    args = ap.parse_args()
    source = Path(args.home)
    with tempfile.TemporaryDirectory(prefix="bantin-desk-bench-") as tmp:
        home = Path(tmp)
        shutil.copytree(source / "index", home / "index", ignore=shutil.ignore_patterns("cache", "writer.lock"))
        config = load_config(home)
        catalog = Catalog(config.catalog_path)
        build = 0.0
        if args.inflate:
            from indexer.search.build import build_index

            inflate(catalog, args.inflate)
            t0 = time.perf_counter()
            build_index(catalog, config, rebuild=True)
            build = time.perf_counter() - t0
        sizes = {t: catalog.query(f"SELECT COUNT(*) FROM {t}")[0][0] for t in ("issue", "page", "article")}
        rows: dict[str, list[float]] = {k: [] for k in ("page save", "page refresh", "page found",
                                                        "article save", "article refresh")}
        segmented = analysed = rewritten = 0
        for n, item in enumerate(low_confidence_pages(catalog, limit=args.edits * 3)):
            if len(rows["page save"]) >= args.edits:
                break
            version = effective_page(catalog, item.page_id)
            if version is None:
                continue
            words = re.findall(r"\w{4,}", version.text)
            if not words:
                continue
            marker = f"zqxhieudinh{n}"
            text = version.text.replace(words[len(words) // 2], marker, 1)
            t0 = time.perf_counter()
            correct_page(catalog, item.page_id, text, author="bench", base_version=current_version(
                catalog, item.page_id))
            t1 = time.perf_counter()
            report = refresh(catalog, config, pages=[item.page_id])
            t2 = time.perf_counter()
            hits = search(config, SearchRequest(q=marker, target="pages"), catalog).total
            t3 = time.perf_counter()
            if hits != 1:
                print(f"warning: {marker} found {hits} times on {item.page_id}", file=sys.stderr)
            rows["page save"].append((t1 - t0) * 1000)
            rows["page refresh"].append((t2 - t1) * 1000)
            rows["page found"].append((t3 - t0) * 1000)
            segmented += report.segmented
            analysed += report.analyzed
            rewritten += report.indexed
        ids = [r["id"] for r in catalog.query("SELECT id FROM article ORDER BY id LIMIT ?", (args.edits,))]
        for n, article_id in enumerate(ids):
            t0 = time.perf_counter()
            edit_article(catalog, article_id, {"title": f"Tiêu đề hiệu đính {n}", "topics": ["thoi-su"]},
                         author="bench", base_version=article_version(catalog, article_id))
            t1 = time.perf_counter()
            refresh(catalog, config, articles=[article_id])
            t2 = time.perf_counter()
            rows["article save"].append((t1 - t0) * 1000)
            rows["article refresh"].append((t2 - t1) * 1000)
        catalog.close()
    print(f"Editors' desk: save → found by search ({machine()})")
    print(f"Home {source}: {sizes['issue']} issues, {sizes['page']} pages, {sizes['article']} articles; "
          f"{len(rows['page save'])} page corrections re-segmented {segmented} issues, analysed "
          f"{analysed} articles, rewrote {rewritten} index documents"
          + (f" (inflated {args.inflate + 1}x; index rebuilt in {build:.0f} s)" if args.inflate else ""))
    print(f"{'step':<18}{'n':>4}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for name, values in rows.items():
        if values:
            print(f"{name:<18}{len(values):>4}{statistics.median(values):>10.0f}{pct(values, 0.95):>10.0f}"
                  f"{max(values):>10.0f}")
    print("page found = save + refresh + the search that finds the new word")


if __name__ == "__main__":
    main()
