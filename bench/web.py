"""Web app load: requests/s and latency p50/p95 under concurrent clients on loopback.

Starts `bantin serve` (waitress) on a free loopback port for a built home (the full sample
by default: `bantin sample --size full && bantin build`), logs in a temporary bench user, and
runs N client threads (plain http.client, keep-alive) against each target in turn for a fixed
time: the search page (a mix of queries, with and without diacritics, phrases, identifiers,
filters), a page image (from the cache: every image is fetched once before timing, the cold
render is timed separately), the same searches through the JSON API (``/api/search``, which
also returns each hit's word marks), the same two with searches no client asks twice ("each
query new": two neighbouring words of an article title, with or without diacritics, and a
filter; the server keeps recent results while the index and the catalog are unchanged, so the
first rows measure a reading room's repeated questions and these the cost of a search made
from scratch), an article page, the page viewer and the issue page. Targets
that other areas add (issue 8's coverage pages) come from ``bench_paths(catalog)`` in the
modules of :data:`EXTRA_TARGET_MODULES`, when they exist.

    .venv/bin/python bench/web.py [--home DIR] [--clients 20] [--seconds 10]

Then a mixed row: half the clients on the search page, half on the API, while one editor
saves page corrections, each timed twice: from the POST to its answer (the save; under
``bantin serve`` the answer waits for the refresh process at most ``refresh_wait`` seconds),
and from the POST until the page has left ``reindex_queue`` (re-segmented, analysed and
reindexed: searchable and counted). It writes page versions (a marker word added, then
removed) into the home: run it on a copy (``--no-mixed`` skips it).

Then the deep-zoom row (issue 20): for ``--deep-zoom`` pages scanned at 300 dpi, their tile
cache removed first (cold; under the page's render lock, so a render in flight, such as the
page rendered ahead when the page before it was opened, cannot leave it warm), headless
Chromium (Debian's, through Playwright) opens the page viewer at 1,280 × 860 and the time is
taken from navigation start to the moment the viewer has drawn every tile of its first view
(info.json, then the tiles OpenSeadragon asks for), one page at a time, nothing else running.
``--deep-zoom 0`` skips it.

Prints one table; no assertion (targets: p95 < 300 ms for search and the API at 20 clients,
corrections saved within 2 s p95 under that load, a cold deep-zoom view under 1 s p95).
"""

from __future__ import annotations

import argparse
import html
import http.client
import os
import random
import re
import secrets
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from archive.catalog import Catalog
from archive.config import load_config
from bench.machine import machine  # noqa: E402

# Modules that may add targets: each exposes bench_paths(catalog) -> [(name, [paths])].
EXTRA_TARGET_MODULES = ["webapp.coverage"]

QUERIES = ["nghi quyet", "sinh hoạt chi bộ", '"sinh hoat chi bo"', "21-NQ/TW", "05-CT/TW",
           "tham nhung", "chuyển đổi số", "hop tac xa", "học tập và làm theo", "kinh te",
           "dang vien", "nông thôn mới", "xay dung dang AND chi bo", "covid", "phong chong"]
FILTERS = [{}, {"series": "ttshcb"}, {"series": "tbnb"}, {"year_from": 2000, "year_to": 2015},
           {"sort": "-date"}, {"target": "pages"}]


@dataclass
class Target:
    name: str
    paths: list[str]
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    fresh: bool = False  # each path asked once, in order (no answer can come from memory)
    _next: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def pick(self, rng: random.Random) -> str:
        if not self.fresh:
            return rng.choice(self.paths)
        with self._lock:
            k, self._next = self._next, self._next + 1
        if k == len(self.paths):
            print(f"warning: {self.name}: all {k} searches asked; asking them again", file=sys.stderr)
        return self.paths[k % len(self.paths)]



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(home: Path, port: int, threads: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BANTIN_SECRET_KEY": secrets.token_urlsafe(48), "PYTHONPATH": str(REPO)}
    # not `-m bantin.main`: as __main__ the module would be loaded twice and the verbs that
    # other modules add would not find its State object
    entry = "import sys; from bantin.main import main; sys.exit(main())"
    proc = subprocess.Popen([sys.executable, "-c", entry, "--home", str(home), "--quiet",
                             "serve", "--host", "127.0.0.1", "--port", str(port), "--threads",
                             str(threads), "--workers", str(workers)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"bantin serve exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("bantin serve did not start within 60 s")


def _cookie(r: http.client.HTTPResponse, name: str) -> str:
    """``name=value`` of the cookie ``name`` the response sets ('' if none); login sets two
    (the session and the known-browser cookie)."""
    for value in r.msg.get_all("Set-Cookie") or []:
        if value.startswith(name + "="):
            return value.split(";")[0]
    return ""


def login(port: int, name: str, password: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    r = conn.getresponse()
    body = r.read().decode()
    cookie = _cookie(r, "bantin_session")
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
    form = urlencode({"name": name, "password": password, "csrf_token": token})
    conn.request("POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    r = conn.getresponse()
    r.read()
    if r.status != 302:
        raise SystemExit(f"bench login failed: HTTP {r.status}")
    return _cookie(r, "bantin_session")


def get(conn: http.client.HTTPConnection, path: str, cookie: str) -> int:
    conn.request("GET", path, headers={"Cookie": cookie})
    r = conn.getresponse()
    r.read()
    return r.status


def run_target(target: Target, port: int, cookie: str, clients: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    lock = threading.Lock()

    def client(k: int) -> None:
        rng = random.Random(k)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local: list[float] = []
        errors = 0
        while time.monotonic() < deadline:
            path = target.pick(rng)
            t0 = time.perf_counter()
            try:
                status = get(conn, path, cookie)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            local.append(time.perf_counter() - t0)
            errors += status != 200
        conn.close()
        with lock:
            target.latencies.extend(local)
            target.errors += errors

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    target.seconds = time.monotonic() - started


class Editor:
    """One editor saving page corrections in a loop (the desk's form, as a browser posts it):
    each save appends or removes a marker word at the end of a page and is timed from the
    POST to its answer (the save, and the refresh that makes it searchable)."""

    def __init__(self, port: int, cookie: str, pages: list[str], catalog_path: Path) -> None:
        self.port, self.cookie, self.pages = port, cookie, pages
        self.catalog_path = catalog_path
        self.latencies: list[float] = []
        self.searchable: list[float] = []  # POST until the page left reindex_queue
        self.app_seconds: list[float] = []  # the app's own part of each save (Server-Timing)
        self.errors = 0

    def _queued(self, page_id: str) -> bool:
        db = sqlite3.connect(f"file:{self.catalog_path}?mode=ro", uri=True, timeout=30)
        try:
            return db.execute("SELECT 1 FROM reindex_queue WHERE doc_id = ?", (page_id,)).fetchone() is not None
        finally:
            db.close()

    def run(self, deadline: float) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        k = 0
        while time.monotonic() < deadline:
            page = self.pages[k % len(self.pages)]
            k += 1
            issue, seq = page.rsplit("/", 1)
            path = f"/desk/i/{issue}/{seq}"
            conn.request("GET", path, headers={"Cookie": self.cookie})
            r = conn.getresponse()
            body = r.read().decode()
            text = re.search(r'<textarea[^>]*name="text"[^>]*>(.*?)</textarea>', body, re.S)
            base = re.search(r'name="base_version" value="(\d+)"', body)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', body)
            if r.status != 200 or not (text and base and csrf):
                self.errors += 1
                continue
            current = html.unescape(text.group(1))
            current = (current[1:] if current.startswith("\n") else current).rstrip()
            marker = " [bench]"
            new = current[: -len(marker)] if current.endswith(marker) else current + marker
            form = urlencode({"text": new, "base_version": base.group(1), "reason": "bench",
                              "csrf_token": csrf.group(1)})
            t0 = time.perf_counter()
            conn.request("POST", path, body=form, headers={
                "Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"})
            r = conn.getresponse()
            r.read()
            self.latencies.append(time.perf_counter() - t0)
            timing = re.search(r"app;dur=([\d.]+)", r.getheader("Server-Timing") or "")
            if timing:  # the part the app spent; the rest waited for a thread or the cores
                self.app_seconds.append(float(timing.group(1)) / 1000)
            self.errors += r.status != 302
            while self._queued(page) and time.perf_counter() - t0 < 120:
                time.sleep(0.05)
            self.searchable.append(time.perf_counter() - t0)
        conn.close()


def run_mixed(page: Target, api: Target, editor: Editor | None, port: int, cookie: str,
              clients: int, seconds: float) -> None:
    """Half the clients on the search page, half on the API, and one editor saving."""
    thread = None
    if editor is not None:
        thread = threading.Thread(target=editor.run, args=(time.monotonic() + seconds,))
        thread.start()
    both = [threading.Thread(target=run_target, args=(page, port, cookie, clients - clients // 2, seconds)),
            threading.Thread(target=run_target, args=(api, port, cookie, clients // 2, seconds))]
    for t in both:
        t.start()
    for t in both:
        t.join()
    if thread is not None:
        thread.join()


CHROMIUM = "/usr/bin/chromium"


def deep_zoom_cold(port: int, cookie: str, config: object,
                   page_ids: list[str]) -> tuple[Target, Target, list[int]]:
    """Open the viewer on each page with its tiles removed: (info.json + first-view tiles,
    navigation to every tile drawn, IIIF requests per view)."""
    from playwright.sync_api import sync_playwright

    from webapp import tiles

    target = Target("deep zoom: view drawn", [])
    iiif = Target("deep zoom: tiles", [])
    counts: list[int] = []
    name, value = cookie.split("=", 1)
    with Catalog(config.catalog_path) as catalog:  # type: ignore[attr-defined]
        pages = [catalog.get_page(p) for p in page_ids]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        context.add_cookies([{"name": name, "value": value, "url": f"http://127.0.0.1:{port}"}])
        tab = context.new_page()
        tab.goto(f"http://127.0.0.1:{port}/")  # scripts and styles cached, as for a reader
        for page in pages:
            if page is None:
                continue
            # under the page's lock: a render in flight (the page rendered ahead as the one
            # before it was opened) cannot leave tiles behind
            tiles.remove(config.cache_dir, page)  # type: ignore[attr-defined]
            tab.goto(f"http://127.0.0.1:{port}/i/{page.issue_id}/{page.seq}")
            deadline = time.monotonic() + 30
            ms = None
            while time.monotonic() < deadline:
                ms = tab.evaluate("document.getElementById('scan') && document.getElementById('scan').dataset.tilesMs")
                if ms:
                    break
                tab.wait_for_timeout(20)
            if not ms:
                target.errors += 1
                continue
            target.latencies.append(int(ms) / 1000)
            spans = tab.evaluate("performance.getEntriesByType('resource').filter(e => e.name.indexOf('/iiif/')"
                                 " >= 0).map(e => [e.startTime, e.responseEnd])")
            counts.append(len(spans))
            iiif.latencies.append((max(e for _, e in spans) - min(s for s, _ in spans)) / 1000)
        browser.close()
    target.seconds = sum(target.latencies)
    iiif.seconds = sum(iiif.latencies)
    return iiif, target, counts


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def fresh_searches(catalog: Catalog, rng: random.Random) -> list[str]:
    """Searches no client asks twice: two neighbouring words of an article title, typed with
    their diacritics and without, each with two of the filters; shuffled. What a
    search costs when nothing of it is kept from before (the server keeps recent results)."""
    from archive.vntext import fold
    from webapp.searching import Query

    pairs: set[str] = set()
    for row in catalog.query("SELECT title FROM article"):
        words = [w for w in re.findall(r"\w+", row["title"]) if len(w) > 1 and not w.isdigit()]
        pairs.update(f"{a} {b}".lower() for a, b in zip(words, words[1:]))
    out = []
    for k, pair in enumerate(sorted(pairs)):
        for q in (pair, fold(pair)):
            out += [Query(q=q, **FILTERS[k % len(FILTERS)]).url(),
                    Query(q=q, **FILTERS[(k + 3) % len(FILTERS)]).url()]
    rng.shuffle(out)
    return list(dict.fromkeys(out))


def targets_for(catalog: Catalog, sample: int, rng: random.Random) -> tuple[list[Target], dict[str, int]]:
    pages = [r["id"] for r in catalog.query("SELECT id FROM page ORDER BY id")]
    issues = [r["id"] for r in catalog.query("SELECT id FROM issue WHERE missing = 0 ORDER BY id")]
    has_articles = catalog.one("SELECT 1 FROM sqlite_master WHERE name = 'article'") is not None
    articles = [r["id"] for r in catalog.query("SELECT id FROM article ORDER BY id")] if has_articles else []
    sizes = {"issues": len(issues), "pages": len(pages), "articles": len(articles)}
    pick_pages = rng.sample(pages, min(sample, len(pages)))
    from webapp.searching import Query

    searches = [Query(q=q, **f).url() for q in QUERIES for f in FILTERS]  # canonical URLs
    out = [Target("search page", searches)]
    out.append(Target("API search (JSON)", ["/api" + u for u in searches]))
    if has_articles:
        fresh = fresh_searches(catalog, rng)
        half = len(fresh) // 2
        out.append(Target("search page, each query new", fresh[:half], fresh=True))
        out.append(Target("API, each query new", ["/api" + u for u in fresh[half:]], fresh=True))
    out.append(Target("page image (cached)", [f"/img/{p.rsplit('/', 1)[0]}/{p.rsplit('/', 1)[1]}/view.jpg"
                                              for p in pick_pages]))
    if articles:
        out.append(Target("article page", [f"/a/{a}" for a in rng.sample(articles, min(sample, len(articles)))]))
    out.append(Target("page viewer", [f"/i/{p.rsplit('/', 1)[0]}/{p.rsplit('/', 1)[1]}?q=chi+bo"
                                      for p in pick_pages]))
    out.append(Target("issue page", [f"/i/{i}" for i in rng.sample(issues, min(sample, len(issues)))]))
    for name in EXTRA_TARGET_MODULES:
        try:
            module = __import__(name, fromlist=["bench_paths"])
        except ImportError:
            continue
        for label, paths in getattr(module, "bench_paths", lambda c: [])(catalog):
            out.append(Target(label, list(paths)))
    return out, sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=os.environ.get("BANTIN_HOME", str(REPO)))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0, help="per target")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads per process")
    parser.add_argument("--workers", type=int, default=0, help="server processes (0: one per core)")
    parser.add_argument("--sample", type=int, default=60, help="distinct pages/articles per target")
    parser.add_argument("--warmup", type=float, default=3.0, help="untimed seconds per target first")
    parser.add_argument("--only", action="append", default=[],
                        help="time only the targets whose name contains this (repeatable)")
    parser.add_argument("--deep-zoom", type=int, default=20,
                        help="pages (300 dpi) opened in the deep-zoom viewer with cold tiles (0: skip)")
    parser.add_argument("--no-mixed", action="store_true",
                        help="skip the mixed row (half the clients on the search page, half on the API, "
                             "one editor saving corrections: it writes page versions into the home)")
    args = parser.parse_args()
    config = load_config(args.home)
    if not config.catalog_path.exists():
        raise SystemExit(f"no catalog in {config.home}: run `bantin sample --size full` and "
                         "`bantin build` first (or `make demo`)")
    from webapp import users

    name, password = f"bench-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    editor_name = name + "-bientap"
    rng = random.Random(7)
    with Catalog(config.catalog_path) as catalog:
        targets, sizes = targets_for(catalog, args.sample, rng)
        users.add_user(catalog, name, "reader", password, by="bench")
        users.add_user(catalog, editor_name, "editor", password, by="bench")
        edit_pages = [r["id"] for r in catalog.query(
            "SELECT p.id FROM page p JOIN page_text t ON t.page_id = p.id ORDER BY p.id")]
        edit_pages = rng.sample(edit_pages, min(10, len(edit_pages)))
        zoom_pages = [r["id"] for r in catalog.query(
            "SELECT id FROM page WHERE dpi BETWEEN 290 AND 310 AND width_px >= 2000 ORDER BY id")]
        zoom_pages = rng.sample(zoom_pages, min(args.deep_zoom, len(zoom_pages)))
        docs = ""
        try:
            from indexer.search import engine as search  # noqa: F401

            docs = "search index present"
        except ImportError:
            docs = "no search engine: search rows measure the error page"
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    port = free_port()
    server = None
    first_search = float("nan")
    try:
        server = start_server(config.home, port, args.threads, args.workers)
        cookie = login(port, name, password)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        t0 = time.perf_counter()
        get(conn, targets[0].paths[0], cookie)  # the first search opens the index
        first_search = time.perf_counter() - t0
        conn.close()
        all_targets = list(targets)
        image = next(t for t in targets if t.name.startswith("page image"))
        cold: list[float] = []
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for path in image.paths:  # render every timed image once (cold cache when first built)
            t0 = time.perf_counter()
            get(conn, path, cookie)
            cold.append(time.perf_counter() - t0)
        conn.close()
        if args.only:
            targets = [t for t in targets if any(o in t.name for o in args.only)]
        zoom_counts: list[int] = []
        if zoom_pages and (not args.only or any(o in "deep zoom" for o in args.only)):
            zoom = deep_zoom_cold(port, cookie, config, zoom_pages)
            zoom_counts = zoom[2]
        for t in targets:  # warm up: each process opens the index, fills its caches
            warm = Target(t.name, t.paths)
            if t.fresh:  # warmed on queries of its own: the timed ones stay never asked
                cut = len(t.paths) * 2 // 3
                warm, t.paths = Target(t.name, t.paths[cut:], fresh=True), t.paths[:cut]
            run_target(warm, port, cookie, args.clients, args.warmup)
            run_target(t, port, cookie, args.clients, args.seconds)
        if not args.no_mixed:
            page = next(t for t in all_targets if t.name == "search page")
            api = next(t for t in all_targets if t.name.startswith("API search"))
            mixed = [Target(f"mixed: {page.name}", page.paths), Target(f"mixed: {api.name}", api.paths)]
            editor = Editor(port, login(port, editor_name, password), edit_pages, config.catalog_path)
            run_mixed(mixed[0], mixed[1], editor, port, cookie, args.clients, args.seconds)
            saves = Target("mixed: correction saved", [], editor.latencies, editor.errors, args.seconds)
            in_app = Target("mixed: save, in the app", [], editor.app_seconds, 0, args.seconds)
            found = Target("mixed: correction searchable", [], editor.searchable, 0, args.seconds)
            targets += [*mixed, saves, in_app, found]
        if zoom_counts:
            targets += [zoom[0], zoom[1]]
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with Catalog(config.catalog_path) as catalog, catalog.transaction() as db:
            db.execute("DELETE FROM account WHERE name IN (?, ?)", (name, editor_name))
    print(f"Machine: {machine()}")
    print(f"Home: {config.home} — {sizes['issues']} issues, {sizes['pages']} pages, "
          f"{sizes['articles']} articles; {docs}")
    print(f"Load: {args.clients} concurrent clients (keep-alive) on loopback, {args.seconds:g} s per "
          f"target after {args.warmup:g} s untimed, "
          f"waitress {args.workers or os.cpu_count()} processes × {args.threads} threads; "
          f"load average before: {load_before}")
    print()
    print(f"| {'target':<22} | {'requests':>8} | {'errors':>6} | {'req/s':>7} | {'p50 ms':>7} | "
          f"{'p95 ms':>7} | {'p99 ms':>7} |")
    print(f"|{'-' * 24}|{'-' * 9}:|{'-' * 7}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|")
    for t in targets:
        n = len(t.latencies)
        print(f"| {t.name:<22} | {n:>8} | {t.errors:>6} | {n / t.seconds if t.seconds else 0:>7.1f} | "
              f"{1000 * pct(t.latencies, 50):>7.1f} | {1000 * pct(t.latencies, 95):>7.1f} | "
              f"{1000 * pct(t.latencies, 99):>7.1f} |")
    print(f"\nFirst search after start (opens the index, 1 client): {1000 * first_search:.0f} ms")
    if zoom_counts:
        print(f"\nDeep zoom, cold tiles: {len(zoom_counts)} pages at 300 dpi, one at a time in Chromium at "
              f"1,280 × 860 ('requests' = pages). 'tiles': from the first IIIF request to the last "
              f"first-view tile received ({statistics.median(zoom_counts):.0f} IIIF requests per view, "
              f"max {max(zoom_counts)}; the page carries its info.json); 'view drawn': from navigation "
              "start (the viewer's HTML, its info.json inside) to every tile of the first view drawn.")
    if cold:
        print(f"\nFirst request per image (render or cache hit, 1 client, {len(cold)} pages): "
              f"median {1000 * statistics.median(cold):.0f} ms, max {1000 * max(cold):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
