"""OCR benchmark on the sample archive: speed against Tesseract's own limit and OCRmyPDF,
and character error rate (CER) per method and per kind of scan.

    .venv/bin/python bench/ocr.py [--quick] [--home DIR] [--no-ocrmypdf] [--keep]

What it does, on ``bantin sample --size full`` written into a temporary home (``--quick``:
``--size small``; ``--home DIR`` reuses a home that already holds a sample):

1. The scanned pages of the sample (scan-old, scan-300, scan-photo), whatever their container,
   are put into one image-only PDF, each page at its own resolution, losslessly (so every
   engine reads the same pixels); a home holding only that PDF is ingested.
2. ``bantin extract --force --jobs N`` (the real command) for N = 1 and 2: OCR pages/minute.
3. Tesseract alone, the limit: the same pages pre-rendered to PGM files (not timed), then
   ``tesseract IMG OUT -l vie`` two processes at a time (``OMP_THREAD_LIMIT=1``), no
   preprocessing: pages/minute, and its CER ("plain Tesseract"); and Tesseract alone on the
   pages as our preprocessing makes them, with our options: Tesseract's own time for the
   work we ask of it (it reads more of a page once it is clean, so it takes longer).
4. ``ocrmypdf -l vie --jobs 2`` on the same PDF (Debian's, ``make bench-deps``): pages/minute
   and, from the text layer it writes, its CER.
5. The sample's born-digital (text) and legacy-font (TCVN3/VNI) PDFs: ``extract_page`` on each
   page in one process (as a worker does): pages/second and CER per method.

CER = Levenshtein distance / truth length, both NFC with white space collapsed, summed over
the pages of a group. Prints one table with the machine, the load average before and after,
and the input sizes; no assertion (targets in issue 2 and the README, "OCR benchmark").
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from machine import cpu_name  # noqa: E402  (bench/machine.py)
from rapidfuzz.distance import Levenshtein  # noqa: E402

from archive.models import PageTask  # noqa: E402
from archive.vntext import nfc  # noqa: E402

SCAN_KINDS = ("scan-old", "scan-300", "scan-photo")
BENCH_ISSUE = "ttshcb-2000-01"  # the one issue that holds every scanned page


# --- helpers ------------------------------------------------------------------------------

def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def tesseract_version() -> str:
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).splitlines()[0].strip()


def norm(text: str) -> str:
    return " ".join(nfc(text).split())


@dataclass
class Cer:
    """Errors and truth characters summed over pages."""

    errors: int = 0
    chars: int = 0
    pages: int = 0
    worst: list[tuple[float, str]] = field(default_factory=list)
    seconds: float = 0.0  # time per kind (rows "time:<kind>")

    def add(self, truth: str, got: str, label: str = "") -> None:
        a, b = norm(truth), norm(got)
        d = Levenshtein.distance(a, b)
        self.errors += d
        self.chars += len(a)
        self.pages += 1
        self.worst.append((d / max(len(a), 1), label))

    @property
    def rate(self) -> float:
        return self.errors / self.chars if self.chars else float("nan")


def bantin(home: Path, *args: str, env: dict[str, str] | None = None) -> float:
    """Run the real command; returns wall seconds; exits the benchmark if it fails."""
    started = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "bantin", "--home", str(home), "--quiet", *args],
                       cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
                       capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if r.returncode not in (0, 4):
        raise SystemExit(f"bantin {' '.join(args)} failed ({r.returncode}):\n{r.stderr[-2000:]}")
    if r.returncode == 4:
        print(f"note: bantin {' '.join(args)}: some pages failed:\n{r.stderr[-1000:]}", file=sys.stderr)
    return seconds


def page_texts(home: Path) -> dict[str, tuple[str, str]]:
    """page id → (method, text) from a home's catalog."""
    db = sqlite3.connect(f"file:{home / 'index' / 'catalog.sqlite'}?mode=ro", uri=True)
    try:
        return {pid: (method, text) for pid, method, text in
                db.execute("SELECT page_id, method, text FROM page_text")}
    finally:
        db.close()


def raw_texts(home: Path) -> dict[str, str]:
    """page id → raw OCR text of the pages post-OCR correction changed (``ocr_raw``)."""
    db = sqlite3.connect(f"file:{home / 'index' / 'catalog.sqlite'}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT page_id, text FROM ocr_raw"))
    except sqlite3.Error:
        return {}
    finally:
        db.close()


def seconds_of(home: Path, page_id: str) -> float:
    """The seconds ``ocr_page`` spent on a page (page_text.seconds: render, prepare, read)."""
    db = sqlite3.connect(f"file:{home / 'index' / 'catalog.sqlite'}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT seconds FROM page_text WHERE page_id = ?", (page_id,)).fetchone()
        return float(row[0]) if row else 0.0
    finally:
        db.close()


def pick(scans: list[dict[str, object]], per_kind: int) -> list[dict[str, object]]:
    """``per_kind`` pages of each scanned kind, spread evenly over the sample."""
    out = []
    for kind in SCAN_KINDS:
        recs = [r for r in scans if r.get("scan") == kind]
        step = max(1, len(recs) // per_kind)
        out += recs[::step][:per_kind]
    return out


def copy_clean_issues(sample: Path, records: list[dict[str, object]], home: Path) -> list[str]:
    """Copy the sample's born-digital and legacy-font issue files into ``home``'s scans;
    returns their issue ids."""
    clean = [r for r in records if str(r.get("scan", "")).startswith("pdf-")
             and r.get("issue") != BENCH_ISSUE]
    for rel in sorted({str(r["file"]) for r in clean}):
        target = home / "scans" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(sample / "scans" / rel, target)
    return sorted({str(r["issue"]) for r in clean})


def source_kind(record: dict[str, object]) -> str:
    container = str(record.get("container", ""))
    return "pdf" if container.startswith("pdf") else "tiff" if container == "tiff" else "images"


# --- the scanned-pages PDF ----------------------------------------------------------------

def build_scan_pdf(sample: Path, scans: list[dict[str, object]], target: Path) -> list[float]:
    """One image-only PDF with every scanned page at its own resolution (lossless); returns
    the dpi of each page."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from indexer.extract.render import load_page_image

    target.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(target))
    dpis = []
    for rec in scans:
        image = load_page_image(sample / "scans" / str(rec["file"]), source_kind(rec),
                                int(str(rec["file_page"])), 300)
        dpi = float(image.info["dpi"][0])
        dpis.append(dpi)
        w, h = image.width * 72.0 / dpi, image.height * 72.0 / dpi
        buf = io.BytesIO()
        image.save(buf, "PNG", compress_level=1)
        buf.seek(0)
        pdf.setPageSize((w, h))
        pdf.drawImage(ImageReader(buf), 0, 0, width=w, height=h)
        pdf.showPage()
    pdf.save()
    return dpis


# --- the measurements ---------------------------------------------------------------------

def run_ours(home: Path, scans: list[dict[str, object]], jobs: int
             ) -> tuple[float, dict[str, Cer], float]:
    """``bantin extract --force --jobs N``: (wall seconds, CER by kind, CPU seconds; the CPU
    of a process pool's workers is not counted, so it is given for one job only)."""
    cpu = cpu_seconds()
    seconds = bantin(home, "extract", "--force", "--jobs", str(jobs), "--issue", BENCH_ISSUE)
    cpu = cpu_seconds() - cpu if jobs == 1 else float("nan")
    got = page_texts(home)
    raw = raw_texts(home)
    cer: dict[str, Cer] = {}
    for seq, rec in enumerate(scans, 1):
        page_id = f"{BENCH_ISSUE}/{seq}"
        method, text = got.get(page_id, ("", ""))
        label = f"{rec['file']}#{rec['file_page']}"
        cer.setdefault(str(rec["scan"]), Cer()).add(str(rec["text"]), text, label)
        cer.setdefault("raw:" + str(rec["scan"]), Cer()).add(str(rec["text"]),
                                                             raw.get(page_id, text), label)
        kind = str(rec["scan"])
        cer.setdefault("time:" + kind, Cer()).seconds += seconds_of(home, page_id)
    return seconds, cer, cpu


def cpu_seconds() -> float:
    """CPU time of this process's finished children (and theirs, once waited for)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_tesseract_alone(pdf: Path, scans: list[dict[str, object]], work: Path, *,
                        prepared: bool = False, jobs: int = 2) -> tuple[float, dict[str, Cer], float]:
    """Tesseract alone on pre-rendered pages (not timed), ``jobs`` processes at a time.

    ``prepared=False``: the plain page images and plain ``tesseract IMG OUT -l vie`` (the
    limit issue 2 sets, and "plain Tesseract" for CER). ``prepared=True``: the images our
    preprocessing makes and the options we pass, read from TSV as we do: what Tesseract's
    own work costs on our pages, so the difference to ours is our overhead.
    Returns (wall seconds, CER by kind, CPU seconds).
    """
    from archive.models import OcrSettings
    from indexer.extract import ocr, preprocess
    from indexer.extract.render import load_page_image

    settings = OcrSettings()
    jobs_in: list[tuple[Path, list[str]]] = []
    for seq in range(len(scans)):
        image = load_page_image(pdf, "pdf", seq, 300, gray=True)
        dpi = float(image.info["dpi"][0])
        path = work / f"page-{seq + 1:04d}.pgm"
        if prepared:
            page = preprocess.prepare(image, dpi, ocr.prep_options(settings))
            page.image.save(path, "PPM")
            opts = ocr.options(settings)
            choice = ocr.page_choice(settings, page)
            args = ["-l", choice.pop("lang"), "--psm", choice.pop("psm"), "--oem", opts["oem"],
                    "--dpi", str(round(page.dpi)), "-c", "tessedit_create_tsv=1"]
            for name, value in sorted(choice.items()):
                args += ["-c", f"{name}={value}"]
        else:
            image.save(path, "PPM")
            args = ["-l", "vie", "--dpi", str(round(dpi))]
        jobs_in.append((path, args))
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(item: tuple[Path, list[str]]) -> str:
        path, args = item
        out = path.with_suffix("")
        subprocess.run(["tesseract", str(path), str(out), *args], env=env, capture_output=True,
                       check=True)
        if prepared:
            tsv = out.with_suffix(".tsv").read_text(encoding="utf-8")
            return ocr.parse_tsv(tsv, one_column=ocr.one_column(args[args.index("--psm") + 1])).text
        return out.with_suffix(".txt").read_text(encoding="utf-8")

    cpu = cpu_seconds()
    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        texts = list(pool.map(one, jobs_in))
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    cer: dict[str, Cer] = {}
    for rec, text in zip(scans, texts):
        cer.setdefault(str(rec["scan"]), Cer()).add(str(rec["text"]), text)
    return seconds, cer, cpu


def run_ocrmypdf(pdf: Path, scans: list[dict[str, object]], work: Path
                 ) -> tuple[float, dict[str, Cer], float, str] | None:
    exe = shutil.which("ocrmypdf")
    if exe is None:
        return None
    version = subprocess.run([exe, "--version"], capture_output=True, text=True,
                             check=False).stdout.strip()
    out = work / "ocrmypdf.pdf"
    cpu = cpu_seconds()
    started = time.perf_counter()
    r = subprocess.run([exe, "-l", "vie", "--jobs", "2", str(pdf), str(out)],
                       capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    if r.returncode != 0:
        print(f"note: ocrmypdf failed ({r.returncode}): {r.stderr[-800:]}", file=sys.stderr)
        return None
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(out))
    cer: dict[str, Cer] = {}
    try:
        for i, rec in enumerate(scans):
            page = doc[i]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()
            cer.setdefault(str(rec["scan"]), Cer()).add(str(rec["text"]), text)
    finally:
        doc.close()
    return seconds, cer, cpu, version


def run_text_layers(sample: Path, records: list[dict[str, object]]
                    ) -> dict[str, tuple[float, int, Cer, dict[str, int]]]:
    """Born-digital and legacy-font PDF pages through ``extract_page``, one process."""
    from archive.config import load_config
    from indexer.extract.page import extract_page
    from indexer.extract.stage import ocr_settings

    settings = ocr_settings(load_config(sample))
    groups: dict[str, list[dict[str, object]]] = {}
    for rec in records:
        kind = str(rec["scan"])
        if kind == "pdf-unicode":
            groups.setdefault("text", []).append(rec)
        elif kind in ("pdf-tcvn3", "pdf-vni"):
            groups.setdefault("legacy", []).append(rec)
    extract_page(PageTask("warm-up", str(sample / "scans" / str(records[0]["file"])), "pdf", 0, "",
                          settings=settings))
    rows = {}
    for name, recs in groups.items():
        cer, methods = Cer(), {}  # type: ignore[var-annotated]
        started = time.perf_counter()
        results = [extract_page(PageTask(f"{rec['issue']}/{rec['page']}",
                                         str(sample / "scans" / str(rec["file"])), "pdf",
                                         int(str(rec["file_page"])), "", settings=settings))
                   for rec in recs]
        seconds = time.perf_counter() - started
        for rec, result in zip(recs, results):
            methods[result.method or "failed"] = methods.get(result.method or "failed", 0) + 1
            cer.add(str(rec["text"]), result.text, f"{rec['file']}#{rec['file_page']}")
        rows[name] = (seconds, len(recs), cer, methods)
    return rows


# --- main ---------------------------------------------------------------------------------

def cpu_per_kind(pdf: Path, scans: list[dict[str, object]], work: Path) -> dict[str, list[float]]:
    """Side by side, one page at a time (CPU seconds, which the shared machine's load moves
    far less than wall time): ``ocr_page`` as a worker runs it (render from the PDF, prepare,
    the per-condition read, parse: this process's CPU plus Tesseract's, with the engine the
    home's ``ocr_engine`` setting names) against ``tesseract IMG OUT -l vie`` on the same page
    pre-rendered to PGM (rendering not timed), and against Tesseract's library reading that
    PGM's pixels with the program's defaults (``vie``, psm 3), its model loaded once.
    Each engine reads one page first, untimed, so a worker's one-off model loads are not
    counted against either side. Returns per kind the rows [ours, of which Tesseract,
    Tesseract alone, pages, library alone] summed over pages."""
    import resource

    from archive.config import load_config
    from indexer.extract import ocr, tesslib
    from indexer.extract.render import load_page_image
    from indexer.extract.stage import ocr_settings

    config = load_config(work)
    settings = ocr_settings(config)
    ocr.set_engine_mode(config.ocr_engine)
    engine = ocr.get_engine()
    in_process = isinstance(engine, ocr.TesseractLibrary)
    print(f"ours read with {type(engine).__name__} (ocr_engine = {config.ocr_engine})")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def mine() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    def task(seq: int) -> PageTask:
        return PageTask(f"{BENCH_ISSUE}/{seq + 1}", str(pdf), "pdf", seq, f"cpu-{seq}", settings)

    ocr.ocr_page(task(0), engine=engine)  # warm: models loaded, as in a worker's second page
    plain = tesslib.reader("vie", 1, ocr._tessdata_folder("tesseract")) \
        if ocr._library_usable() else None
    out: dict[str, list[float]] = {}
    for seq, rec in enumerate(scans):
        image = load_page_image(pdf, "pdf", seq, 300, gray=True)
        dpi = round(float(image.info["dpi"][0]))
        path = work / f"cpu-{seq + 1:04d}.pgm"
        image.save(path, "PPM")
        c0 = cpu_seconds()
        subprocess.run(["tesseract", str(path), str(path.with_suffix("")), "-l", "vie", "--dpi",
                        str(dpi)], env=env, capture_output=True, check=True)
        alone = cpu_seconds() - c0
        library = float("nan")
        if plain is not None:
            m0 = mine()
            plain.read_tsv(image.tobytes(), image.width, image.height, dpi, 3, {})
            library = mine() - m0
        c0, m0, t0 = cpu_seconds(), mine(), tesslib.cpu_seconds()
        ocr.ocr_page(task(seq), engine=engine)
        tess = cpu_seconds() - c0 + (tesslib.cpu_seconds() - t0 if in_process else 0.0)
        ours = cpu_seconds() - c0 + mine() - m0
        row = out.setdefault(str(rec["scan"]), [0.0, 0.0, 0.0, 0.0, 0.0])
        row[0] += ours
        row[1] += tess
        row[2] += alone
        row[3] += 1
        row[4] += library
    return out


def report_cpu(rows: dict[str, list[float]], load_before: str, load_after: str) -> None:
    print(f"Machine: {cpu_name()}, {os.cpu_count()} cores, {platform.python_version()}, "
          f"{tesseract_version()}; load average {load_before} before, {load_after} after")
    print()
    print("| kind | pages | ours: CPU s/page | of which Tesseract | of which Python (render, prepare, "
          "parse) | Tesseract alone (`-l vie`, pre-rendered) | alone / ours | Tesseract's "
          "library alone (model loaded once) | library alone / ours |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind in SCAN_KINDS:
        if kind not in rows:
            continue
        ours, tess, alone, n, library = rows[kind]
        print(f"| {kind} | {int(n)} | {ours / n:.2f} | {tess / n:.2f} | {(ours - tess) / n:.2f} | "
              f"{alone / n:.2f} | {alone / ours:.2f} | {library / n:.2f} | {library / ours:.2f} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the small sample (a few pages)")
    parser.add_argument("--home", type=Path, help="reuse a home that already holds a sample")
    parser.add_argument("--no-ocrmypdf", action="store_true", help="skip OCRmyPDF")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--per-kind", type=int, default=0,
                        help="only N scanned pages of each kind, spread evenly (0: all); the "
                             "machine is shared, so subsets keep runs short")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each throughput measurement N times and keep the fastest "
                             "(the machine is shared: others' load slows single runs)")
    parser.add_argument("--cpu-per-kind", action="store_true",
                        help="only the side-by-side CPU time per page kind: ocr_page against "
                             "Tesseract alone on the same pre-rendered pages, one at a time")
    args = parser.parse_args(argv)

    load_before = loadavg()
    work = Path(tempfile.mkdtemp(prefix="bantin-bench-ocr-"))
    try:
        sample = args.home
        if sample is None or not (sample / "sample-truth" / "pages.jsonl").exists():
            sample = work / "sample"
            size = "small" if args.quick else "full"
            print(f"writing the {size} sample into {sample} ...", file=sys.stderr)
            bantin(sample, "sample", "--size", size)
        records = [json.loads(line) for line in
                   (sample / "sample-truth" / "pages.jsonl").read_text(encoding="utf-8").splitlines()
                   if line.strip()]
        scans = [r for r in records if r.get("scan") in SCAN_KINDS]
        if args.per_kind:
            scans = pick(scans, args.per_kind)
        if not scans:
            raise SystemExit(f"{sample}: the sample has no scanned pages")

        home = work / "ocr-home"
        pdf = home / "scans" / "ttshcb" / "2000" / f"{BENCH_ISSUE}.pdf"
        print(f"building one image-only PDF of {len(scans)} scanned pages ...", file=sys.stderr)
        dpis = build_scan_pdf(sample, scans, pdf)
        if args.cpu_per_kind:
            report_cpu(cpu_per_kind(pdf, scans, home), load_before, loadavg())
            return
        # the clean pages (born-digital and legacy-font issues) go in too, read once and not
        # timed: post-OCR correction learns from them (indexer.extract.ocrcorrect)
        clean = copy_clean_issues(sample, records, home)
        bantin(home, "ingest")
        print(f"reading {len(clean)} clean issues (not timed) ...", file=sys.stderr)
        bantin(home, "extract", "--jobs", "2", *(a for i in clean for a in ("--issue", i)))

        results: dict[str, tuple[float, dict[str, Cer], float]] = {}
        def fastest(run):  # type: ignore[no-untyped-def]
            return min((run() for _ in range(max(1, args.repeat))), key=lambda r: r[0])

        for jobs in (1, 2):
            print(f"bantin extract --jobs {jobs} ...", file=sys.stderr)
            results[f"ours-{jobs}"] = fastest(lambda jobs=jobs: run_ours(home, scans, jobs))
        for prepared in (False, True):
            print(f"tesseract alone ({'prepared' if prepared else 'plain'} pages), 2 at a time ...",
                  file=sys.stderr)
            tess_dir = work / f"tesseract-{int(prepared)}"
            tess_dir.mkdir()
            results[f"tesseract-{'prepared' if prepared else 'plain'}"] = fastest(
                lambda tess_dir=tess_dir, prepared=prepared: run_tesseract_alone(
                    pdf, scans, tess_dir, prepared=prepared))
        ocrmypdf = None
        if not args.no_ocrmypdf:
            print("ocrmypdf -l vie --jobs 2 ...", file=sys.stderr)
            ocrmypdf = run_ocrmypdf(pdf, scans, work)
        print("text-layer and legacy pages ...", file=sys.stderr)
        layers = run_text_layers(sample, records)
        report(scans, dpis, results, ocrmypdf, layers, load_before, loadavg(), bool(args.quick),
               args.per_kind)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def report(scans: list[dict[str, object]], dpis: list[float],
           results: dict[str, tuple[float, dict[str, Cer], float]],
           ocrmypdf: tuple[float, dict[str, Cer], float, str] | None,
           layers: dict[str, tuple[float, int, Cer, dict[str, int]]],
           load_before: str, load_after: str, quick: bool, per_kind: int = 0) -> None:
    n = len(scans)
    by_kind: dict[str, list[float]] = {}
    for rec, dpi in zip(scans, dpis):
        by_kind.setdefault(str(rec["scan"]), []).append(dpi)
    subset = f", {per_kind} scanned pages per kind" if per_kind else ""
    print(f"\nOCR benchmark ({'small' if quick else 'full'} sample{subset}), "
          f"{time.strftime('%Y-%m-%d')}")
    print(f"machine: {cpu_name()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{tesseract_version()}")
    print(f"load average (1/5/15 min) before: {load_before}; after: {load_after}")
    print("scanned pages: " + ", ".join(
        f"{k} {len(v)} ({min(v):.0f}-{max(v):.0f} dpi)" for k, v in sorted(by_kind.items())))
    print()

    def ppm(seconds: float) -> float:
        return n * 60.0 / seconds

    limit = ppm(results["tesseract-plain"][0])
    print(f"| {'what':<44} | pages/min | vs limit | CPU s/page | " +
          " | ".join(f"{k:>10}" for k in SCAN_KINDS) + " | all scans |")
    print(f"|{'-' * 46}|-----------|----------|------------|" +
          "|".join("-" * 12 for _ in SCAN_KINDS) + "|-----------|")

    def row(label: str, seconds: float, cer: dict[str, Cer], cpu: float) -> None:
        total = Cer(sum(c.errors for k, c in cer.items() if k in SCAN_KINDS),
                    sum(c.chars for k, c in cer.items() if k in SCAN_KINDS))
        cells = " | ".join(f"{cer[k].rate * 100:9.2f}%" if k in cer else f"{'-':>10}"
                           for k in SCAN_KINDS)
        cpu_cell = f"{cpu / n:10.2f}" if cpu == cpu else f"{'-':>10}"
        print(f"| {label:<44} | {ppm(seconds):9.1f} | {ppm(seconds) / limit:7.2f}x | {cpu_cell} | "
              f"{cells} | {total.rate * 100:8.2f}% |")

    row("bantin extract --jobs 1", *results["ours-1"])
    row("bantin extract --jobs 2", *results["ours-2"])
    row("tesseract alone, 2 at a time: plain pages", *results["tesseract-plain"])
    row("tesseract alone, 2 at a time: our pages", *results["tesseract-prepared"])
    if ocrmypdf is not None:
        row(f"ocrmypdf -l vie --jobs 2 ({ocrmypdf[3]})", *ocrmypdf[:3])
    else:
        print("| ocrmypdf: skipped (--no-ocrmypdf), not installed (make bench-deps) or failed |")
    print()
    ours1, ours2 = ppm(results["ours-1"][0]), ppm(results["ours-2"][0])
    own = ppm(results["tesseract-prepared"][0])
    print(f"2 jobs / 1 job: {ours2 / ours1:.2f}x (target >= 1.7); ours (2 jobs) / Tesseract alone: "
          f"{ours2 / limit:.2f} on plain pages, {ours2 / own:.2f} on our pages (target >= 0.85)",
          end="")
    if ocrmypdf is not None:
        print(f"; ours / ocrmypdf: {ours2 / ppm(ocrmypdf[0]):.2f}x (target >= 2)")
    else:
        print()
    cpu = results["ours-1"][2]
    print(f"by CPU time per page (steadier than wall time on a shared machine): Tesseract alone / "
          f"ours = {results['tesseract-plain'][2] / cpu:.2f} on plain pages, "
          f"{results['tesseract-prepared'][2] / cpu:.2f} on our pages", end="")
    if ocrmypdf is not None:
        print(f"; ocrmypdf / ours = {ocrmypdf[2] / cpu:.2f}")
    else:
        print()
    print()
    ours = results["ours-1"][1]
    print("per kind, `bantin extract --jobs 1` (seconds: ocr_page's own time per page: render, "
          "prepare, Tesseract, tidy; post-OCR correction runs once per extract, in the total above)")
    print("| kind | pages | CER | raw OCR CER (before post-OCR correction) | s/page |")
    print("|---|---|---|---|---|")
    for k in SCAN_KINDS:
        if k in ours:
            print(f"| {k} | {ours[k].pages} | {ours[k].rate * 100:.2f} % | "
                  f"{ours['raw:' + k].rate * 100:.2f} % | "
                  f"{ours['time:' + k].seconds / max(ours[k].pages, 1):.2f} |")
    print()
    print(f"| {'text layer':<10} | {'pages':>5} | {'pages/s':>8} | {'CER':>7} | methods |")
    print("|------------|-------|----------|---------|---------|")
    for name, (seconds, count, cer, methods) in sorted(layers.items()):
        got = ", ".join(f"{k} {v}" for k, v in sorted(methods.items()))
        print(f"| {name:<10} | {count:>5} | {count / seconds:8.1f} | {cer.rate * 100:6.2f}% | {got} |")
    print()
    worst = sorted((w for k, c in results["ours-2"][1].items() if k in SCAN_KINDS
                    for w in c.worst), reverse=True)[:5]
    print("worst scanned pages (ours, 2 jobs): " +
          "; ".join(f"{label} {rate * 100:.1f}%" for rate, label in worst))


if __name__ == "__main__":
    main()
