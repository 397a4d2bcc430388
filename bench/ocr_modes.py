"""Which Tesseract model, segmentation mode and thresholding read each kind of scan best.

    .venv/bin/python bench/ocr_modes.py --home DIR [--per-kind N] [--jobs J] [--cache DIR]
                                        [--variants a,b,...]

``DIR`` holds a sample written by ``bantin sample`` (its ``sample-truth/pages.jsonl`` and
``scans/``; read only). ``--per-kind N`` pages of each scanned kind (scan-old, scan-300,
scan-photo) are taken evenly spread over the sample (the machine is shared: the table says
how many). Each page is rendered and prepared once, as ``indexer.extract.ocr.ocr_page`` does
(``indexer.extract.preprocess``), its condition is detected (``indexer.extract.ocr.page_condition``), and
then Tesseract reads it once per variant (model(s), ``--psm``, thresholding, heavy noise
reduction). Printed: CER (Levenshtein / truth length, NFC, white space collapsed, summed over
pages) and Tesseract's CPU seconds per page, per kind and per detected condition, with the
machine and input sizes. ``--cache`` keeps each read's TSV (so the post-OCR corrector can be
measured on the same reads without running Tesseract again; ``bench/ocr_order.py`` measures
the reading order on them). ``--variants pipeline`` reads each page as the pipeline does (its
condition's model and psm, without the Otsu re-read of doubtful photos).

No assertion: the choice per condition (``indexer.extract.ocr.CONDITION_PROFILES``) was made from
this table (README, "OCR benchmark").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from machine import cpu_name  # noqa: E402  (bench/machine.py)
from rapidfuzz.distance import Levenshtein  # noqa: E402

from archive.models import OcrSettings  # noqa: E402
from archive.vntext import nfc  # noqa: E402
from indexer.extract import ocr, preprocess  # noqa: E402
from indexer.extract.render import load_page_image  # noqa: E402

SCAN_KINDS = ("scan-old", "scan-300", "scan-photo")


@dataclass(frozen=True)
class Variant:
    name: str
    lang: str
    psm: str = "3"
    thresholding: str = "auto"  # auto: as indexer.extract.ocr.page_params decides
    heavy_nr: str = "auto"


VARIANTS = {v.name: v for v in (
    Variant("vie", "vie"),
    Variant("Viet", "Vietnamese"),
    Variant("vie+Viet", "vie+Vietnamese"),
    Variant("Viet+vie", "Vietnamese+vie"),
    Variant("Viet-sauvola", "Vietnamese", thresholding="2"),
    Variant("Viet-otsu", "Vietnamese", thresholding="0"),
    Variant("vie-sauvola", "vie", thresholding="2"),
    Variant("vie-otsu", "vie", thresholding="0"),
    Variant("vie+Viet-otsu", "vie+Vietnamese", thresholding="0"),
    Variant("vie+Viet-psm4", "vie+Vietnamese", psm="4"),
    Variant("Viet-nr1", "Vietnamese", heavy_nr="1"),
    Variant("Viet-nr0", "Vietnamese", heavy_nr="0"),
    Variant("Viet-psm4", "Vietnamese", psm="4"),
    Variant("Viet-psm6", "Vietnamese", psm="6"),
    Variant("vie-psm4", "vie", psm="4"),
    # as the pipeline reads each page: its condition's model and psm (psm 4 on one-column
    # copies), indexer.extract.ocr.page_choice (without the Otsu re-read of doubtful photos)
    Variant("pipeline", "auto", psm="auto"),
)}


def norm(text: str) -> str:
    return " ".join(nfc(text).split())


def source_kind(record: dict[str, object]) -> str:
    container = str(record.get("container", ""))
    return "pdf" if container.startswith("pdf") else "tiff" if container == "tiff" else "images"


def pick(records: list[dict[str, object]], per_kind: int) -> list[dict[str, object]]:
    out = []
    for kind in SCAN_KINDS:
        recs = [r for r in records if r.get("scan") == kind]
        if not recs:
            continue
        step = max(1, len(recs) // per_kind)
        out += recs[::step][:per_kind]
    return out


def run_tesseract(image_path: Path, variant: Variant, dpi: float, params: dict[str, str]
                  ) -> tuple[str, float]:
    """One Tesseract run → (TSV, CPU seconds of that process)."""
    params = dict(params)
    lang = params.pop("lang", variant.lang)
    psm = params.pop("psm", variant.psm)
    args = ["tesseract", str(image_path), "stdout", "-l", lang, "--psm", psm,
            "--oem", "1", "--dpi", str(round(dpi))]
    for k, v in sorted(params.items()):
        args += ["-c", f"{k}={v}"]
    args.append("tsv")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    out = proc.stdout.read() if proc.stdout else b""
    _pid, _status, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return out.decode("utf-8"), usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--per-kind", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--kinds", default=",".join(SCAN_KINDS), help="page kinds to read")
    args = parser.parse_args(argv)
    variants = [VARIANTS[n] for n in args.variants.split(",")]
    records = [json.loads(line) for line in
               (args.home / "sample-truth" / "pages.jsonl").read_text(encoding="utf-8").splitlines()
               if line.strip()]
    kinds = args.kinds.split(",")
    pages = [r for r in pick(records, args.per_kind) if r.get("scan") in kinds]
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    settings = OcrSettings()
    work = Path(tempfile.mkdtemp(prefix="bantin-ocr-modes-"))
    cache = args.cache
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
    prepared_pages = []
    for i, rec in enumerate(pages):
        image = load_page_image(str(args.home / "scans" / str(rec["file"])), source_kind(rec),
                                int(str(rec["file_page"])), 300, gray=True)
        dpi = float(image.info.get("dpi", (300,))[0])
        prep = preprocess.prepare(image, dpi, ocr.prep_options(settings))
        path = work / f"p{i:03d}.pgm"
        prep.image.save(path, "PPM")
        cond = ocr.page_condition(prep)
        prepared_pages.append((rec, path, prep, cond))
        print(f"{rec['issue']}/{rec['page']} {rec['scan']} dpi={dpi:.0f} cond={cond} "
              f"meta={ {k: round(v, 1) for k, v in prep.meta.items()} }", file=sys.stderr)

    jobs = []
    for i, (_rec, path, prep, _cond) in enumerate(prepared_pages):
        auto = ocr.page_params(settings, prep)
        for v in variants:
            params = dict(ocr.page_choice(settings, prep) if v.name == "pipeline" else auto)
            if v.thresholding != "auto":
                params["thresholding_method"] = v.thresholding
            if v.heavy_nr != "auto":
                params["textord_heavy_nr"] = v.heavy_nr
            jobs.append((i, v, path, prep.dpi, params))

    def one(job):  # type: ignore[no-untyped-def]
        i, v, path, dpi, params = job
        target = cache / f"{pages[i]['issue']}-{pages[i]['page']}-{v.name}.tsv" if cache else None
        if target is not None and target.exists():
            meta = json.loads(target.with_suffix(".json").read_text())
            return i, v.name, target.read_text(encoding="utf-8"), meta["cpu"]
        tsv, cpu = run_tesseract(path, v, dpi, params)
        if target is not None:
            target.write_text(tsv, encoding="utf-8")
            target.with_suffix(".json").write_text(json.dumps(
                {"cpu": cpu, "kind": pages[i]["scan"], "cond": prepared_pages[i][3],
                 "params": params, "lang": params.get("lang", v.lang),
                 "psm": params.get("psm", v.psm)}))
        return i, v.name, tsv, cpu

    started = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(one, jobs))
    wall = time.perf_counter() - started

    # (group, variant) -> [errors, chars, cpu, pages]
    table: dict[tuple[str, str], list[float]] = {}
    for i, name, tsv, cpu in results:
        rec, _path, _prep, cond = prepared_pages[i]
        psm = (ocr.page_choice(settings, prepared_pages[i][2])["psm"] if name == "pipeline"
               else VARIANTS[name].psm)
        text = ocr.parse_tsv(tsv, one_column=ocr.one_column(psm)).text
        truth = norm(str(rec["text"]))
        d = Levenshtein.distance(truth, norm(text))
        for group in (str(rec["scan"]), f"cond:{cond}"):
            row = table.setdefault((group, name), [0, 0, 0.0, 0])
            row[0] += d
            row[1] += len(truth)
            row[2] += cpu
            row[3] += 1

    groups = sorted({g for g, _ in table}, key=lambda g: (g.startswith("cond:"), g))
    counts = {g: int(table[(g, variants[0].name)][3]) for g in groups}
    print(f"\nOCR variants per page kind and detected condition, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"machine: {cpu_name()}, {os.cpu_count()} cores (shared), Python "
          f"{platform.python_version()}; {ocr.TesseractEngine().version}; sample {args.home}")
    print("pages: " + ", ".join(f"{g} {counts[g]}" for g in groups) +
          f" (up to {args.per_kind} per kind, spread evenly); {len(jobs)} Tesseract runs, "
          f"{args.jobs} at a time, {wall:.0f} s wall")
    print(f"load average before: {load_before}; after: "
          f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print("cells: CER % / Tesseract CPU s per page; preprocessing as indexer.extract.preprocess, "
          "'auto' thresholding and noise reduction as indexer.extract.ocr.page_params\n")
    head = "| variant (lang, psm, -c) | " + " | ".join(f"{g} ({counts[g]})" for g in groups) + " |"
    print(head)
    print("|---|" + "---|" * len(groups))
    for v in variants:
        cells = []
        for g in groups:
            e, c, cpu, n = table[(g, v.name)]
            cells.append(f"{e / max(c, 1) * 100:.2f} / {cpu / max(n, 1):.2f}")
        label = f"{v.name}: {v.lang} psm{v.psm} th={v.thresholding} nr={v.heavy_nr}"
        print(f"| {label} | " + " | ".join(cells) + " |")
    _ = resource  # noqa: F841  (CPU comes from os.wait4 per process)


if __name__ == "__main__":
    main()
