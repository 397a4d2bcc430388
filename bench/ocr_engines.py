"""The two ways of running Tesseract side by side: the program once per page and its library
in process (``ocr_engine``: ``command`` / ``library``), on the OCR pages of a sample home.

    .venv/bin/python bench/ocr_engines.py --home DIR [--pages N]

Each page is prepared as the pipeline prepares it and read with its condition's model, psm and
parameters, once by ``tesseract IMG OUT ... tsv`` (through pytesseract, as
``TesseractEngine`` runs it) and once by a kept ``indexer.extract.tesslib`` reader. Prints,
per kind of page condition, how many pages gave the identical TSV (row for row) and the CPU
seconds per page of each (the program's from its rusage, the library's from this process);
the library's first read of each model (its one-off load) is not timed. No assertion.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sqlite3
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from machine import cpu_name  # noqa: E402  (bench/machine.py)

from archive.models import OcrSettings  # noqa: E402
from indexer.extract import ocr, preprocess, tesslib  # noqa: E402
from indexer.extract.render import load_page_image  # noqa: E402


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="a built sample home (read only)")
    parser.add_argument("--pages", type=int, default=12, help="OCR pages, spread evenly")
    args = parser.parse_args(argv)
    import pytesseract

    os.environ["OMP_THREAD_LIMIT"] = "1"
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    db = sqlite3.connect(f"file:{args.home / 'index' / 'catalog.sqlite'}?mode=ro", uri=True)
    rows = db.execute("SELECT p.id, p.file, i.source_kind, p.file_page FROM page p "
                      "JOIN issue i ON i.id = p.issue_id JOIN page_text t ON t.page_id = p.id "
                      "WHERE t.method = 'ocr' ORDER BY p.id").fetchall()
    rows = rows[::max(1, len(rows) // args.pages)][:args.pages]
    settings = OcrSettings()
    folder = ocr._tessdata_folder("tesseract")
    tally: dict[str, list[float]] = {}  # condition -> [pages, identical, program s, library s]
    warmed: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="bantin-bench-engines-") as tmp:
        for page_id, file, kind, file_page in rows:
            image = load_page_image(args.home / "scans" / file, kind, file_page, 300, gray=True)
            dpi = float(image.info.get("dpi", (300,))[0]) or 300.0
            page = preprocess.prepare(image, dpi, ocr.prep_options(settings))
            params = ocr.page_choice(settings, page)
            lang, psm = params.pop("lang"), params.pop("psm")
            grey = page.image.convert("L")
            source = Path(tmp) / "page.pgm"
            grey.save(source, "PPM")
            config = f"--psm {psm} --oem 1 --dpi {round(page.dpi)}" + "".join(
                f" -c {k}={v}" for k, v in sorted(params.items()))
            c0 = children_cpu()
            by_program = pytesseract.image_to_data(str(source), lang=lang, config=config)
            program = children_cpu() - c0
            reader = tesslib.reader(lang, 1, folder)
            if lang not in warmed:  # the model's one-off load, as on a worker's first page
                reader.read_tsv(grey.tobytes(), grey.width, grey.height, round(page.dpi),
                                int(psm), params)
                warmed.add(lang)
            t0 = reader.cpu_seconds
            by_library = ocr.TSV_HEADER + reader.read_tsv(
                grey.tobytes(), grey.width, grey.height, round(page.dpi), int(psm), params)
            library = reader.cpu_seconds - t0
            same = by_program.strip().splitlines() == by_library.strip().splitlines()
            row = tally.setdefault(ocr.page_condition(page), [0, 0, 0.0, 0.0])
            row[0] += 1
            row[1] += same
            row[2] += program
            row[3] += library
            print(f"{page_id}: {'identical' if same else 'DIFFERENT'} TSV, program {program:.2f} s, "
                  f"library {library:.2f} s", file=sys.stderr)
    print(f"Machine: {cpu_name()}, {os.cpu_count()} cores, {platform.python_version()}, "
          f"tesseract {tesslib.version()}; load average {load} before; home {args.home}, "
          f"{len(rows)} OCR pages")
    print()
    print("| page condition | pages | identical TSV | program CPU s/page | library CPU s/page | "
          "library / program |")
    print("|---|---|---|---|---|---|")
    for cond, (n, same, program, library) in sorted(tally.items()):
        print(f"| {cond} | {int(n)} | {int(same)} | {program / n:.2f} | {library / n:.2f} | "
              f"{library / program:.2f} |")


if __name__ == "__main__":
    main()
