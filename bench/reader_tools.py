"""The reader's tools of issue 20 on a built home: an OAI-PMH harvest of every record, issue
PDFs assembled from page images (cold cache), full-resolution page images, and a search's full
records exported.

The home's catalog and search index are copied to a temporary folder (its scans are linked,
read only), so the original is left as it was; downloads are made in the copy's cache, cold.

    .venv/bin/python bench/reader_tools.py --home DIR [--issues 8] [--query "chi bộ"]

Prints tables with the machine and the input sizes; no assertion.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pypdfium2 as pdfium  # noqa: E402

from archive.catalog import Catalog  # noqa: E402
from bench.machine import machine  # noqa: E402
from webapp import create_app, users  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def copy_home(source: Path) -> Path:
    target = Path(tempfile.mkdtemp(prefix="bantin-reader-tools-"))
    (target / "scans").symlink_to(source.resolve() / "scans")
    shutil.copytree(source / "index", target / "index", ignore=shutil.ignore_patterns("cache"))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", required=True, type=Path)
    parser.add_argument("--issues", type=int, default=8, help="issues whose PDF is assembled")
    parser.add_argument("--query", default="chi bộ", help="the search whose records are exported")
    args = parser.parse_args()
    home = copy_home(args.home)
    try:
        run(home, args)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run(home: Path, args: argparse.Namespace) -> None:
    with Catalog(home / "index" / "catalog.sqlite") as catalog:
        sizes = {t: catalog.one(f"SELECT COUNT(*) FROM {t}")[0] for t in ("issue", "page", "article", "issued_article")}
        if users.get_user(catalog, "bench") is None:
            users.add_user(catalog, "bench", "reader", "mot-mat-khau-dai-cho-bench")
        token = users.create_token(catalog, "bench", "bench")
        kinds = {r[0]: r[1] for r in catalog.query("SELECT source_kind, COUNT(*) FROM issue GROUP BY source_kind")}
        assembled = [r[0] for r in catalog.query(
            "SELECT id FROM issue WHERE source_kind IN ('tiff', 'images') ORDER BY id LIMIT ?", (args.issues,))]
    app = create_app({"HOME": str(home), "TESTING": True})
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    print(f"Reader tools (issue 20) on {args.home} ({machine()})")
    print(f"Home: {sizes['issue']} issues ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}), "
          f"{sizes['page']} pages, {sizes['article']} articles, {sizes['issued_article']} article ids issued")
    print()
    print("OAI-PMH harvest, in process, 100 records per answer, following resumption tokens")
    print(f"{'verb':<18}{'records':>9}{'deleted':>9}{'answers':>9}{'total s':>9}{'p50 ms':>9}{'p95 ms':>9}{'MB':>7}")
    for verb in ("ListIdentifiers", "ListRecords"):
        times: list[float] = []
        records = deleted = size = 0
        url = f"/oai?verb={verb}&metadataPrefix=oai_dc"
        started = time.perf_counter()
        while url:
            t0 = time.perf_counter()
            body = client.get(url, headers=auth).get_data(as_text=True)
            times.append((time.perf_counter() - t0) * 1000)
            size += len(body.encode())
            records += body.count("<header")
            deleted += body.count('status="deleted"')
            token_text = body.split("<resumptionToken", 1)[1].split(">", 1)[1].split("<", 1)[0] \
                if "<resumptionToken" in body else ""
            url = f"/oai?verb={verb}&resumptionToken={quote(token_text)}" if token_text else ""
        total = time.perf_counter() - started
        print(f"{verb:<18}{records:>9}{deleted:>9}{len(times):>9}{total:>9.1f}{statistics.median(times):>9.0f}"
              f"{pct(times, 0.95):>9.0f}{size / 1e6:>7.1f}")
    print()
    print(f"Downloads, cold cache ({len(assembled)} issues scanned as TIFF or images)")
    pdf_times, pdf_sizes, page_counts, image_times = [], [], [], []
    for issue_id in assembled:
        t0 = time.perf_counter()
        r = client.get(f"/download/{issue_id}/1.jpg", headers=auth)
        image_times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (issue_id, r.status_code)
        t0 = time.perf_counter()
        r = client.get(f"/download/{issue_id}.pdf", headers=auth)
        pdf_times.append(time.perf_counter() - t0)
        assert r.status_code == 200, (issue_id, r.status_code)
        pdf_sizes.append(len(r.data) / 1e6)
        page_counts.append(len(pdfium.PdfDocument(r.data)))
    if assembled:
        print(f"{'what':<36}{'n':>4}{'p50':>9}{'max':>9}")
        print(f"{'page image, full resolution (ms)':<36}{len(image_times):>4}{statistics.median(image_times):>9.0f}"
              f"{max(image_times):>9.0f}")
        print(f"{'issue PDF assembled (s)':<36}{len(pdf_times):>4}{statistics.median(pdf_times):>9.2f}"
              f"{max(pdf_times):>9.2f}")
        print(f"{'issue PDF size (MB)':<36}{len(pdf_sizes):>4}{statistics.median(pdf_sizes):>9.1f}"
              f"{max(pdf_sizes):>9.1f}")
        print(f"pages per assembled issue: {', '.join(map(str, page_counts))} (the first page image was cached"
              " by its own download before)")
    print()
    t0 = time.perf_counter()
    r = client.get(f"/api/search/records.jsonl?q={quote(args.query)}", headers=auth)
    body = r.get_data()
    seconds = time.perf_counter() - t0
    if r.status_code == 200:
        lines = body.count(b"\n")
        print(f"Search records, /api/search/records.jsonl?q={args.query}: {lines} records,"
              f" {len(body) / 1e6:.1f} MB in {seconds:.2f} s")
    else:
        print(f"Search records: HTTP {r.status_code} (no search index in this home?)")


if __name__ == "__main__":
    main()
