"""Coverage on a built sample: print runs read from the colophons (``--only colophons``), the
gaps and document lags of the truth, and how long each
computation takes (cold: a new snapshot of the catalog; warm: from the cache).

    .venv/bin/python bench/coverage.py --home DIR [--threshold 2] [--by year]

DIR holds a built sample (``bantin sample --size full --home DIR && bantin build --home DIR``).
The small sample's checks run in the test suite (tests/test_review_coverage.py,
test_review_documents.py); the full sample (about 130 issues, a quarter of them OCR'd) is
too slow to build in every test run, so its checks are here. Page latency under load is
measured by ``bench/web.py`` (it includes the coverage pages). Prints tables; no assertion.

Gaps: for each gap of ``sample-truth/gaps.json``, the heatmap cells of the years held in
its range: how many articles carry the topic (the truth allows ``max``), whether every cell
is flagged empty or thin at ``--threshold`` (percent of the year's articles), and whether a
gap :func:`review.coverage.find_gaps` reports covers those years. Lags: for each document and
series, the first mention in the truth (``articles.jsonl``) against the one found, and the
lag in months from the register's date.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from archive.catalog import Catalog
from archive.config import load_config
from bench.machine import machine


def timed(label: str, fn, rows: list[tuple[str, float, str]], note: str = ""):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    value = fn()
    rows.append((label, 1000 * (time.perf_counter() - t0), note))
    return value


def reports_table(config) -> None:  # type: ignore[no-untyped-def]
    """The districts' reports: status per unit and prefilled figures against ``reports.jsonl``."""
    import json

    from archive import reporters

    path = config.truth_dir / "reports.jsonl"
    if not path.exists():
        return
    truth = {r["unit"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if r}
    register = reporters.load_register(config.home)
    with Catalog(config.catalog_path) as catalog:
        rows = {s.unit.code: s for s in reporters.statuses(catalog, register, next(iter(truth.values()))["review"])}
        same = sum(1 for u, t in truth.items() if u in rows and rows[u].status == t["status"])
        figures = right = 0
        for u, t in truth.items():
            s = rows.get(u)
            if s is None or s.report is None:
                continue
            found = reporters.figures(catalog, s.report["id"])
            for name in reporters.FIGURES:
                figures += 1
                right += found[name]["machine"] == t[name]
    print(f"\nDistrict reports: status (received / late / missing) equal to the truth for {same}/{len(truth)} "
          f"units; figures prefilled equal to the truth: {right}/{figures}")


def colophon_table(config) -> None:  # type: ignore[no-untyped-def]
    """Print runs read from the colophons against ``sample-truth/issues.jsonl`` (issue 21)."""
    from indexer.segment.colophon_eval import evaluate

    if not (config.truth_dir / "issues.jsonl").exists():
        print("no sample-truth/issues.jsonl: a sample made before issue 21; colophons not checked")
        return
    with Catalog(config.catalog_path) as catalog:
        tallies = evaluate(catalog, config.home)
        issues = catalog.one("SELECT COUNT(*) FROM issue")[0]
    print(machine())
    print(f"\nColophons read against the truth ({issues} issues; `bantin export issues` = the archive's facts):")
    print("| colophon page read as | print runs printed | read exactly | share | printed without a run "
          "| left null (right) | format | printer | licence | deposit | editor |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for kind in ("text", "ocr", "all"):
        t = tallies[kind]
        cells = []
        for name in ("format", "printer", "licence", "deposit", "editor"):
            right, printed = t.fields.get(name, [0, 0])
            cells.append(f"{right}/{printed}")
        print(f"| {kind} | {t.issues} | {t.exact} | {t.share:.3f} | {t.absent} | {t.absent_right} | "
              + " | ".join(cells) + " |")
    reports_table(config)
    if tallies["all"].unread:
        print(f"  ({tallies['all'].unread} issues not read yet: left out)")
    for line in tallies["all"].wrong:
        print(f"  wrong: {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--threshold", type=float, default=2.0)
    parser.add_argument("--by", default="year", choices=("year", "term", "decade"))
    parser.add_argument("--only", choices=("colophons",), help="Only the colophons' table (quick).")
    args = parser.parse_args()
    config = load_config(args.home)
    colophon_table(config)
    if args.only == "colophons":
        return 0
    import json

    from review import corpus as corpus_mod
    from review.coverage import find_gaps, heatmaps
    from review.documents import mentions, month_index
    from review.examples import examples_table
    from review.filters import Filters
    from review.report import render_report
    from review.structure import structure_tables
    from review.trends import parse_terms, trend_points

    truth_dir = config.truth_dir
    gaps = json.loads((truth_dir / "gaps.json").read_text(encoding="utf-8"))
    lines = (truth_dir / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    truth = [json.loads(line) for line in lines if line]
    times: list[tuple[str, float, str]] = []
    with Catalog(config.catalog_path) as catalog:
        corpus = timed("snapshot (cold)", lambda: corpus_mod.read_corpus(catalog, config), times)
        timed("stamp (every request)", lambda: corpus_mod.stamp(catalog, config), times)
        corpus = corpus_mod.load_corpus(catalog, config)
        for by in ("year", "term"):
            f = Filters(by=by)
            timed(f"structure tables, by {by}", lambda f=f: structure_tables(corpus, f), times, "cold")
            timed(f"structure tables, by {by}", lambda f=f: structure_tables(corpus, f), times, "warm")
            timed(f"heatmaps, by {by}", lambda f=f: heatmaps(corpus, f, threshold=args.threshold), times, "cold")
            timed(f"document lags, by {by}", lambda f=f: mentions(corpus, f), times, "cold")
            timed(f"examples, by {by}", lambda f=f: examples_table(catalog, corpus, f), times, "cold")
        terms = parse_terms("sinh hoạt chi bộ, chuyển đổi số, tham nhũng")
        timed("term trends (3 terms)", lambda: trend_points(config, corpus, Filters(), terms), times, "cold")
        report = timed("report (by term, charts drawn)", lambda: render_report(
            catalog, config, Filters(by="term"), base_url="https://kho.example"), times)
        filters = Filters(by=args.by)
        maps = heatmaps(corpus, filters, threshold=args.threshold)
        found = find_gaps(corpus, maps)
        by_series = {hm.series: hm for hm in maps}
        gap_rows = []
        for g in gaps:
            hm = by_series.get(g["series"])
            if hm is None:
                continue
            cells = next(c for slug, _n, c in hm.rows if slug == g["topic"])
            inside = [c for c in cells if g["from_year"] <= c.lo and c.hi is not None
                      and c.hi <= g["to_year"] and c.flag != "nodata"]  # periods within the gap
            t = sum(1 for a in truth if a["series"] == g["series"] and g["topic"] in a["topics"]
                    and g["from_year"] <= a["year"] <= g["to_year"])
            n = sum(c.articles for c in inside)
            flagged = sum(c.flag in ("empty", "thin") for c in inside)
            years = [c.lo for c in inside]
            covered = bool(years) and any(
                f.series == g["series"] and f.topic == g["topic"] and f.first <= min(years)
                and (f.last or 9999) >= max(years) for f in found)
            gap_rows.append((g, len(inside), t, n, flagged, covered))
        register_lags = []
        from indexer.analyze.register import load_register

        register = load_register()
        first: dict[tuple[str, str], str] = {}
        for a in truth:
            for d in a["doc_refs"]:
                first[(d, a["series"])] = min(first.get((d, a["series"]), "9999-99"), a["date"])
        ours = {(m.doc_id, m.series): m for m in mentions(corpus, Filters())}
        for (doc, series), date in sorted(first.items(), key=lambda kv: kv[1]):
            d = register.lookup(doc, date)
            if d is None:
                continue
            lag = month_index(int(date[:4]), int(date[5:7])) - month_index(d.year, int(d.date[5:7]))
            m = ours.get((doc, series))
            register_lags.append((doc, series, date, lag, m.first.date if m and m.first else "",
                                  m.lag_months if m else None))
    sizes = f"{len(corpus.issues)} issues, {sum(i.pages for i in corpus.issues)} pages, {len(corpus.articles)} articles"
    print(f"Machine: {machine()}")
    print(f"Home: {config.home} — {sizes}; index {corpus.index_version or 'none'}")
    print(f"Report: {len(report.tables())} tables, {len(report.links())} links")
    print()
    print("| computation | ms | |")
    print("|---|---:|---|")
    for label, ms, note in times:
        print(f"| {label} | {ms:.1f} | {note} |")
    print()
    print(f"Gaps of the truth, heatmap by {args.by}, threshold {args.threshold:g} %:")
    print("| series | topic | years | max | held periods | truth | found | flagged | reported |")
    print("|---|---|---|---:|---:|---:|---:|---:|:-:|")
    for g, held, t, n, flagged, covered in gap_rows:
        print(f"| {g['series']} | {g['topic']} | {g['from_year']}–{g['to_year']} | {g['max_articles']} | "
              f"{held} | {t} | {n} | {flagged}/{held} | {'yes' if covered else 'no'} |")
    testable = [r for r in gap_rows if r[1]]
    print(f"\nGaps of the truth reported: {sum(r[5] for r in testable)}/{len(testable)}; within the "
          f"truth's maximum: {sum(r[3] <= r[0]['max_articles'] for r in testable)}/{len(testable)}")
    overlapping = [f for f in found if any(
        f.series == g["series"] and f.topic == g["topic"] and f.first <= g["to_year"]
        and (f.last or 9999) >= g["from_year"] for g in gaps)]
    longer = [f for f in found if f.periods >= 3]
    print(f"All gaps reported: {len(found)}, of which {len(overlapping)} overlap a gap of the truth; "
          f"{len(longer)} span three periods or more")
    print(f"\nShares with 95 % intervals (review.shares), heatmap by {args.by}, cells with >= 20 articles:")
    inside = total = wide = 0
    width = 0.0
    for hm in maps:
        for slug, _name, cells in hm.rows:
            for c in cells:
                if c.period_articles < 20 or c.interval is None:
                    continue
                mine = [a for a in truth if a["series"] == hm.series and c.lo <= a["year"]
                        and (c.hi is None or a["year"] <= c.hi)]
                if not mine:
                    continue
                true = 100 * sum(slug in a["topics"] for a in mine) / len(mine)
                total += 1
                inside += c.interval.low - 1e-9 <= true <= c.interval.high + 1e-9
                width += c.interval.width
                wide += c.interval.wide
    if total:
        print(f"true share (truth file) inside the interval: {inside}/{total} = {inside / total:.1%} "
              f"(target >= 90 %); mean width {width / total:.1f} points; {wide} cells greyed as too wide")
    else:
        print("no intervals: no topic model yet (label an audit sample, then `bantin analyze`)")
    print("\nDocument lags (first mention per series):")
    print("| document | series | truth first | truth lag | found first | found lag |")
    print("|---|---|---|---:|---|---:|")
    for doc, series, date, lag, got, got_lag in register_lags:
        print(f"| {doc} | {series} | {date} | {lag} | {got or '—'} | {'' if got_lag is None else got_lag} |")
    same = sum(1 for r in register_lags if r[2] == r[4] and r[3] == r[5])
    print(f"\nLags equal to the truth: {same}/{len(register_lags)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
