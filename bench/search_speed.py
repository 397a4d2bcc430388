"""Search speed at archive scale: indexing throughput, memory, index size and query latency.

    .venv/bin/python bench/search_speed.py [--sizes 10000,250000] [--work DIR] [--reuse]

For each size it writes a synthetic catalog of that many articles (about 400 words each,
25 per issue, both series, 1989-2024) whose text is generated from the sample's own writing
(``sample-truth/articles.jsonl`` when ``--sample-home`` has it, else the sentence banks of
``samplegen/corpus``) by a word-level Markov chain with random jumps, so the vocabulary,
bigrams and document identifiers look like the bulletins'. It then builds Bản tin's index with
``bantin index`` (``indexer.search.build``) and, as the baseline, a plain one-field Whoosh index
(default ``TEXT`` field, Whoosh's own writer) of the same text, each in its own process so
peak memory (``ru_maxrss``) is that build's alone, and runs the same queries on both:

* single words (with diacritics), phrases of 2-4 syllables (quoted), words typed without
  diacritics, and words with a year range, a series or topic filter and all facets;
* every query is distinct and run once after the index is opened (the open time is printed
  apart); latency p50 and p95 in milliseconds. Bản tin's time includes the exact total, the
  facets and the ten hits' stored fields and snippets; the baseline's the exact total
  (``len(results)``) and the ten hits' stored fields.

The baseline is the one place outside ``indexer/`` that imports ``whoosh``: it is plain Whoosh
on purpose. Work folders are kept under ``--work`` (default ``/tmp/bantin-search-bench``);
``--reuse`` skips the catalog and indexes already built there, so a long run can be resumed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.machine import machine  # noqa: E402
from indexer.analyze.register import SHIPPED as REGISTER_SHIPPED

PER_ISSUE = 25
WORDS_PER_ARTICLE = 400
QUERIES_PER_CLASS = 60
SECTIONS = ["Những vấn đề chung", "Thông tin thời sự", "Định hướng sinh hoạt chi bộ",
            "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", "Gương người tốt, việc tốt",
            "Hỏi – đáp", "Kinh nghiệm – cách làm hay", "Văn kiện – Nghị quyết"]
TOPICS = ["xay-dung-dang", "hoc-tap-lam-theo-bac", "kinh-te", "van-hoa-xa-hoi", "quoc-phong-an-ninh",
          "doi-ngoai", "phong-chong-tham-nhung", "bao-ve-nen-tang-tu-tuong", "guong-dien-hinh",
          "phap-luat-chinh-sach", "thoi-su", "khoa-hoc-cong-nghe-chuyen-doi-so",
          "moi-truong-thien-tai", "dan-van-mat-tran", "lich-su-truyen-thong"]
KINDS = ["bai", "bai", "bai", "tin", "tin", "hoi-dap", "van-ban"]
FILLERS = ["Tân Hưng", "Hòa Bình", "Đông Sơn", "Nguyễn Văn An", "Trần Thị Bình", "Vân Giang",
           "bò", "lợn", "Lê Văn Tám", "Phú Thọ", "Quảng Ninh"]


# --- text --------------------------------------------------------------------------------

def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def corpus_sentences(sample_home: Path | None) -> tuple[list[str], str]:
    """Sentences to learn the chain from, and where they came from."""
    truth = sample_home / "sample-truth" / "articles.jsonl" if sample_home else None
    if truth and truth.exists():
        sentences = []
        with open(truth, encoding="utf-8") as f:
            for line in f:
                text = json.loads(line).get("text", "")
                sentences += [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) > 3]
        if sentences:
            return sentences, str(truth)
    rng = random.Random(7)
    bank = REPO / "samplegen" / "corpus"
    sentences = []
    ids = []
    for path in sorted(bank.rglob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if path.name == "docs.toml":
            ids += re.findall(r"\d+[-/][^\s\",]+", path.read_text(encoding="utf-8"))
        for s in _strings(data):
            if len(s.split()) > 4:
                sentences.append(s)
    register = REGISTER_SHIPPED.read_text(encoding="utf-8")
    ids += re.findall(r'^id = "([^"]+)"', register, re.M)
    ids = ids or ["21-NQ/TW", "05-CT/TW"]

    def fill(m: re.Match[str]) -> str:
        slot = m.group(1)
        if slot.startswith(("n", "so", "pct")):
            return str(rng.randint(2, 90))
        if slot.startswith("doc"):
            return rng.choice(["Nghị quyết số ", "Chỉ thị ", "Kết luận "]) + rng.choice(ids)
        return rng.choice(FILLERS)

    sentences = [re.sub(r"\{(\w+)(?::[^}]*)?\}", fill, s) for s in sentences]
    return sentences, f"{bank.relative_to(REPO)} ({len(sentences)} sentences)"


class Chain:
    """A word-level Markov chain with a small chance of jumping to any word (by frequency),
    so texts share the corpus's phrases without repeating its sentences."""

    def __init__(self, sentences: list[str], jump: float = 0.08) -> None:
        self.next: dict[str, list[str]] = {}
        self.starts: list[str] = []
        counts: Counter[str] = Counter()
        for s in sentences:
            words = s.split()
            self.starts.append(words[0])
            counts.update(words)
            for a, b in zip(words, words[1:]):
                self.next.setdefault(a, []).append(b)
        self.vocab = list(counts)
        self.weights = [counts[w] for w in self.vocab]
        self.jump = jump

    def text(self, rng: random.Random, n: int) -> str:
        out: list[str] = []
        word = rng.choice(self.starts)
        jumps = rng.choices(self.vocab, self.weights, k=n // 5 + 8)
        while len(out) < n:
            out.append(word)
            successors = self.next.get(word)
            if word.endswith((".", "!", "?")) and rng.random() < 0.5:
                word = rng.choice(self.starts)
            elif successors and rng.random() > self.jump:
                word = rng.choice(successors)
            else:
                word = jumps.pop() if jumps else rng.choice(self.vocab)
        paragraphs = [" ".join(out[i:i + 80]) for i in range(0, len(out), 80)]
        return "\n\n".join(paragraphs)


# --- the synthetic catalog ----------------------------------------------------------------

def make_catalog(home: Path, n: int, chain: Chain, *, seed: int = 1) -> float:
    """Write ``n`` articles into ``home``'s catalog; returns the text size in MB."""
    from archive.catalog import Catalog, now
    from archive.models import Series
    from indexer.search.tokens import identifiers

    catalog = Catalog(home / "index" / "catalog.sqlite")
    if catalog.get_meta("bench_articles") == str(n):
        size = float(catalog.get_meta("bench_mb"))
        catalog.close()
        return size
    catalog.close()
    shutil.rmtree(home, ignore_errors=True)
    (home / "index").mkdir(parents=True)
    catalog = Catalog(home / "index" / "catalog.sqlite")
    catalog.put_series(Series("ttshcb", "Thông tin sinh hoạt chi bộ", "Ban Tuyên giáo Trung ương", 1989, 12))
    catalog.put_series(Series("tbnb", "Thông báo nội bộ", "Ban Tuyên giáo Tỉnh ủy", 2004, 12, level="tinh"))
    rng = random.Random(seed)
    stamp = now()
    total_bytes = 0
    issues = (n + PER_ISSUE - 1) // PER_ISSUE
    started = time.monotonic()
    for i in range(issues):
        series = "ttshcb" if i % 3 else "tbnb"
        year = 1989 + (i * 36) // issues
        month = 1 + i % 12
        issue_id = f"{series}-{year}-{i:06d}"
        count = min(PER_ISSUE, n - i * PER_ISSUE)
        with catalog.transaction() as db:
            db.execute("INSERT INTO issue(id, series, year, number, date, source, source_kind, sha256,"
                       " page_count, ingested_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       (issue_id, series, year, f"{i:06d}", f"{year}-{month:02d}", f"{issue_id}.pdf",
                        "pdf", issue_id, count, stamp, stamp))
            for k in range(count):
                text = chain.text(rng, WORDS_PER_ARTICLE)
                title = chain.text(rng, rng.randint(5, 10)).replace("\n", " ").rstrip(".")
                total_bytes += len(text.encode("utf-8"))
                aid = f"{issue_id}-p{k + 1}-{k:04x}"
                db.execute(
                    "INSERT INTO article(id, issue_id, seq, section, title, byline, first_page,"
                    " last_page, kind, text, words, confidence, boxes, source_key, segmenter,"
                    " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (aid, issue_id, k + 1, rng.choice(SECTIONS), title, "", k + 1, k + 1,
                     rng.choice(KINDS), text, WORDS_PER_ARTICLE, rng.uniform(60, 100), "{}",
                     "bench", "bench", stamp))
                for topic in rng.sample(TOPICS, rng.randint(1, 2)):
                    db.execute("INSERT INTO article_topic(article_id, topic, score, label, evidence,"
                               " topics_version) VALUES (?,?,?,?,?,?)", (aid, topic, 1.0, 1, "{}", "bench"))
                for doc_id in sorted(set(identifiers(text))):
                    db.execute("INSERT INTO article_ref(article_id, doc_id) VALUES (?, ?)", (aid, doc_id))
        if i % 400 == 0:
            print(f"  catalog {i * PER_ISSUE}/{n} articles, {time.monotonic() - started:.0f} s",
                  file=sys.stderr, flush=True)
    size = total_bytes / 1e6
    catalog.set_meta("bench_mb", f"{size:.3f}")
    catalog.set_meta("bench_articles", str(n))
    catalog.close()
    return size


# --- children: one build or one query run per process ------------------------------------

def child_build_ours(home: Path) -> dict[str, float]:
    import logging

    from archive.catalog import Catalog
    from archive.config import load_config
    from indexer.search.build import build_index

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="  %(message)s")
    config = load_config(home)
    started, cpu = time.monotonic(), time.process_time()
    with Catalog(config.catalog_path) as catalog:
        report = build_index(catalog, config, rebuild=True)
    return {"seconds": time.monotonic() - started, "cpu": time.process_time() - cpu,
            "documents": report.documents}


def _baseline_dir(home: Path) -> Path:
    return home / "index" / "baseline"


def child_build_base(home: Path) -> dict[str, float]:
    from whoosh import fields, index

    target = _baseline_dir(home)
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    ix = index.create_in(str(target), fields.Schema(id=fields.ID(stored=True), text=fields.TEXT))
    db = sqlite3.connect(home / "index" / "catalog.sqlite")
    started, cpu = time.monotonic(), time.process_time()
    writer = ix.writer(limitmb=256)
    n = 0
    for doc_id, title, text in db.execute("SELECT id, title, text FROM article ORDER BY issue_id, seq"):
        writer.add_document(id=doc_id, text=title + "\n" + text)
        n += 1
        if n % 10000 == 0:
            print(f"  baseline {n} documents, {time.monotonic() - started:.0f} s", file=sys.stderr,
                  flush=True)
    writer.commit()
    return {"seconds": time.monotonic() - started, "cpu": time.process_time() - cpu, "documents": n}


def _timed(fn, queries: list) -> list[list[float]]:  # type: ignore[no-untyped-def]
    """[wall ms, CPU ms] of each query."""
    out = []
    for q in queries:
        t, c = time.perf_counter(), time.process_time()
        fn(q)
        out.append([(time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000])
    return out


def child_query_ours(home: Path, queries: dict[str, list[dict]]) -> dict[str, object]:
    from archive.catalog import Catalog
    from archive.config import load_config
    from indexer.search.engine import SearchRequest, open_index

    config = load_config(home)
    catalog = Catalog(config.catalog_path, readonly=True)
    started = time.perf_counter()
    index = open_index(config)
    index.search(SearchRequest(q="đảng"), catalog)
    opened = (time.perf_counter() - started) * 1000
    out: dict[str, object] = {"open_ms": opened}
    totals = {}
    for name, qs in queries.items():
        results: list[int] = []

        def run(kw: dict, results: list[int] = results) -> None:
            results.append(index.search(SearchRequest(**kw), catalog).total)

        out[name] = _timed(run, qs)
        totals[name] = statistics.median(results) if results else 0
    out["totals"] = totals
    return out


def child_query_base(home: Path, queries: dict[str, list[dict]]) -> dict[str, object]:
    from whoosh import index
    from whoosh.qparser import QueryParser

    started = time.perf_counter()
    ix = index.open_dir(str(_baseline_dir(home)))
    searcher = ix.searcher()
    parser = QueryParser("text", ix.schema)
    opened = (time.perf_counter() - started) * 1000
    out: dict[str, object] = {"open_ms": opened}
    totals = {}
    for name, qs in queries.items():
        if name == "filtered+facets":
            continue
        results: list[int] = []

        def run(kw: dict, results: list[int] = results) -> None:
            hits = searcher.search(parser.parse(kw["q"]), limit=10)
            [h["id"] for h in hits]
            results.append(len(hits))

        out[name] = _timed(run, qs)
        totals[name] = statistics.median(results) if results else 0
    out["totals"] = totals
    return out


def in_child(mode: str, home: Path, queries: dict | None = None) -> dict:
    """Run one mode of this script in a fresh process; its result and its peak memory."""
    args = [sys.executable, __file__, "--child", mode, "--work", str(home)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(args, input=json.dumps(queries or {}), text=True, capture_output=True, env=env)
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_main(mode: str, home: Path) -> None:
    queries = json.loads(sys.stdin.read() or "{}")
    fn = {"build-ours": lambda: child_build_ours(home), "build-base": lambda: child_build_base(home),
          "query-ours": lambda: child_query_ours(home, queries),
          "query-base": lambda: child_query_base(home, queries)}[mode]
    result = fn()
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


# --- queries -------------------------------------------------------------------------------

def make_queries(home: Path, seed: int = 5) -> dict[str, list[dict]]:
    """Distinct queries of each class, drawn from the generated text itself."""
    from archive.vntext import fold
    from indexer.search.tokens import has_diacritics, scan

    rng = random.Random(seed)
    db = sqlite3.connect(home / "index" / "catalog.sqlite")
    n = db.execute("SELECT COUNT(*) FROM article").fetchone()[0]
    rowids = ",".join(str(rng.randint(1, n)) for _ in range(400))
    texts = [r[0] for r in db.execute(f"SELECT text FROM article WHERE rowid IN ({rowids})")]
    counts: Counter[str] = Counter()
    runs: list[list[str]] = []
    for text in texts:
        for para in text.split("\n\n"):
            words = [text_of for text_of in (para[t.start:t.end] for t in scan(para))]
            runs.append(words)
            counts.update(w.lower() for w in words if not w.isdigit())
    marked = [w for w, c in counts.most_common() if has_diacritics(w) and c >= 3]
    common = marked[:200]
    single = _distinct(rng, lambda: rng.choice(common if rng.random() < 0.5 else marked))
    def phrase() -> str:
        words = rng.choice([r for r in runs if len(r) > 6])
        k = rng.randint(2, 4)
        i = rng.randrange(0, len(words) - k)
        return '"' + " ".join(words[i:i + k]).lower() + '"'
    phrases = _distinct(rng, phrase)
    def folded() -> str:
        words = rng.choice([r for r in runs if len(r) > 6])
        k = rng.randint(1, 3)
        i = rng.randrange(0, len(words) - k)
        return fold(" ".join(words[i:i + k]))
    folds = _distinct(rng, folded)
    def filtered() -> str:
        start = rng.randint(1989, 2018)
        extra = rng.choice([{"series": "ttshcb"}, {"series": "tbnb"}, {"topic": rng.choice(TOPICS)}, {}])
        return json.dumps({"q": rng.choice(common), "year_from": start,
                           "year_to": start + rng.randint(3, 10), **extra}, ensure_ascii=False)
    filt = [json.loads(s) for s in _distinct(rng, filtered)]
    return {"single": [{"q": q} for q in single], "phrase": [{"q": q} for q in phrases],
            "folded": [{"q": q} for q in folds], "filtered+facets": filt}


def _distinct(rng: random.Random, make) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    for _ in range(QUERIES_PER_CLASS * 50):
        q = make()
        if q not in seen:
            seen.append(q)
        if len(seen) == QUERIES_PER_CLASS:
            break
    return seen


# --- report --------------------------------------------------------------------------------

def _size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and p.name != "manifest.sqlite") / 1e6


def _current_gen(home: Path) -> Path:
    root = home / "index" / "search"
    return root / (root / "CURRENT").read_text().strip()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]



def run_size(n: int, work: Path, chain: Chain, reuse: bool,
             engines: tuple[str, ...] = ("ours", "base")) -> list[dict]:
    home = work / f"n{n}"
    print(f"== {n} articles in {home}", file=sys.stderr, flush=True)
    mb = make_catalog(home, n, chain)
    rows = []
    for engine in engines:
        target = (home / "index" / "search" / "CURRENT") if engine == "ours" \
            else (_baseline_dir(home) / "_MAIN_1.toc")
        stamp = home / "index" / f"bench-{engine}.json"
        if reuse and stamp.exists() and target.exists():
            build = json.loads(stamp.read_text())
        else:
            build = in_child(f"build-{engine}", home)
            stamp.write_text(json.dumps(build))
        size = _size_mb(_current_gen(home) if engine == "ours" else _baseline_dir(home))
        rows.append({"n": n, "engine": engine, "mb": mb, "build": build, "size": size})
    queries = make_queries(home)
    for row in rows:
        row["query"] = in_child(f"query-{row['engine']}", home, queries)
    return rows


def print_table(rows: list[dict], source: str, load: tuple[float, float]) -> None:
    print(f"Machine: {machine()}; load average {load[0]:.1f} at the start, {load[1]:.1f} at the end")
    print(f"Text: synthetic, {WORDS_PER_ARTICLE} words an article, Markov chain over {source}")
    print(f"Queries: {QUERIES_PER_CLASS} distinct per class, each run once; latency p50 / p95 in ms, "
          "wall clock (CPU time of the process in brackets)")
    print()
    head = ("| articles | index | text MB | build s (CPU s) | articles/s (per CPU s) | MB/s | peak MB "
            "| index MB | open ms | single | phrase | folded | filtered+facets |")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for r in rows:
        b, q = r["build"], r["query"]
        name = "Bản tin" if r["engine"] == "ours" else "plain Whoosh"
        cpu = b.get("cpu", b["seconds"])
        cells = [f"{r['n']:,}", name, f"{r['mb']:.0f}", f"{b['seconds']:.0f} ({cpu:.0f})",
                 f"{r['n'] / b['seconds']:.0f} ({r['n'] / cpu:.0f})", f"{r['mb'] / b['seconds']:.2f}",
                 f"{max(b['maxrss_mb'], q['maxrss_mb']):.0f}", f"{r['size']:.0f}", f"{q['open_ms']:.0f}"]
        for cls in ("single", "phrase", "folded", "filtered+facets"):
            times = q.get(cls)
            if not times:
                cells.append("n/a")
                continue
            wall = [t[0] for t in times]
            used = [t[1] for t in times]
            cells.append(f"{_pct(wall, 0.5):.0f} / {_pct(wall, 0.95):.0f} "
                         f"({_pct(used, 0.5):.0f} / {_pct(used, 0.95):.0f})")
        print("| " + " | ".join(cells) + " |")
    print()
    for r in rows:
        print(f"median hits ({'Bản tin' if r['engine'] == 'ours' else 'plain Whoosh'}, {r['n']:,}): "
              + ", ".join(f"{k} {v:.0f}" for k, v in r["query"]["totals"].items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000", help="Comma-separated article counts (e.g. 10000,250000).")
    ap.add_argument("--work", default="/tmp/bantin-search-bench", help="Work folder (kept).")
    ap.add_argument("--sample-home", default=None, help="A home with sample-truth/ to learn the text from.")
    ap.add_argument("--reuse", action="store_true", help="Reuse catalogs and indexes already built.")
    ap.add_argument("--engines", default="ours,base",
                    help="Indexes to build and query: ours (Bản tin), base (plain Whoosh).")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_main(args.child, Path(args.work))
        return
    sentences, source = corpus_sentences(Path(args.sample_home) if args.sample_home else None)
    chain = Chain(sentences)
    rows: list[dict] = []
    load_start = os.getloadavg()[0]
    for n in [int(s) for s in args.sizes.split(",")]:
        rows += run_size(n, Path(args.work), chain, args.reuse, tuple(args.engines.split(",")))
    print_table(rows, source, (load_start, os.getloadavg()[0]))


if __name__ == "__main__":
    main()
