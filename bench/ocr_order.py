"""CER of OCR pages in Tesseract's own reading order and in ours (indexer.extract.ocrorder), on
the same reads, so no Tesseract run is needed.

    .venv/bin/python bench/ocr_order.py --home DIR [--cache DIR] [--pages]

``DIR`` is a sample home (``bantin sample``; read only). Two sources of reads, each printed
as a table (pages, truth characters, CER in Tesseract's order → in ours, per scan kind):

* the OCR pages stored in the home's catalog (``page_text``: the pipeline's reads with its
  per-condition models and the corrector), put in order by
  ``indexer.extract.ocr.reorder_stored`` as ``bantin extract`` does for a home read before
  (pages already read with a reading order are taken as stored);
* with ``--cache DIR``: the TSVs ``bench/ocr_modes.py --cache DIR`` kept (one variant each,
  e.g. ``vie`` psm 3 on 16 pages per kind), parsed by ``indexer.extract.ocr.parse_tsv`` with
  ``order=False`` and with ``order=True``.

A third table, for the stored pages: CER of the raw OCR (``ocr_raw``, before the corrector)
beside the stored text's, and the corrections that made a right word wrong (raw words aligned
to the truth with difflib, as ``bench/ocr_correct.py`` does), as a share of the words.

CER = Levenshtein distance / truth length (NFC, white space collapsed), summed over a kind's
pages. ``--pages`` lists each page whose CER changed (do not use it on unseen seeds).
No assertion.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import platform
import sqlite3
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from machine import cpu_name  # noqa: E402  (bench/machine.py)
from ocr_modes import VARIANTS  # noqa: E402  (bench/ocr_modes.py: the cache's file names)
from rapidfuzz.distance import Levenshtein  # noqa: E402

from archive.models import Word  # noqa: E402
from archive.vntext import nfc  # noqa: E402
from indexer.extract import ocr  # noqa: E402

Tally = dict[str, list[int]]  # kind -> [pages, truth chars, errors before, errors after]


def norm(text: str) -> str:
    return " ".join(nfc(text).split())


def read_only(home: Path) -> sqlite3.Connection:
    """The home's catalog, opened read only (the bench never writes to a home)."""
    db = sqlite3.connect(f"file:{home / 'index' / 'catalog.sqlite'}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    return db


def truth_pages(home: Path) -> dict[str, dict[str, object]]:
    out = {}
    for line in (home / "sample-truth" / "pages.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            out[f"{rec['issue']}/{rec['page']}"] = rec
    return out


def add(tally: Tally, rec: dict[str, object], before: str, after: str, name: str,
        pages: bool) -> None:
    truth = norm(str(rec["text"]))
    a = Levenshtein.distance(truth, norm(before))
    b = Levenshtein.distance(truth, norm(after))
    row = tally.setdefault(str(rec["scan"]), [0, 0, 0, 0])
    row[0] += 1
    row[1] += len(truth)
    row[2] += a
    row[3] += b
    if pages and a != b:
        print(f"  {name} ({rec['scan']}): {a} -> {b} wrong of {len(truth)}")


def stored(home: Path, truth: dict[str, dict[str, object]], pages: bool) -> tuple[Tally, str]:
    db = read_only(home)
    tally: Tally = {}
    keys = set()
    for r in db.execute("SELECT t.page_id, t.text, t.words, t.settings_key, t.note, p.width_px,"
                        " p.height_px FROM page_text t JOIN page p ON p.id = t.page_id"
                        " WHERE t.method = 'ocr' ORDER BY t.page_id"):
        rec = truth.get(r["page_id"])
        if rec is None:
            continue
        keys.add(r["settings_key"])
        after = r["text"]
        if ";order=" not in r["settings_key"]:
            words = [Word.from_row(w) for w in json.loads(r["words"])]
            after = ocr.page_text(ocr.reorder_stored(
                words, r["width_px"], r["height_px"],
                one_column=ocr.one_column(ocr.note_psm(r["note"]))))
        add(tally, rec, r["text"], after, r["page_id"], pages)
    db.close()
    preps = sorted({k.rsplit("prep=", 1)[-1] for k in keys})
    return tally, f"{len(keys)} settings key(s), preprocessing {', '.join(preps)}"


def harmed(j: int | None, truth_words: list[str], raw: str, fixed: str) -> bool:
    """A correction of a raw word aligned to truth word ``j`` made a right word wrong: the raw
    word was right and what the correction made is not what the truth has there (a dash put
    back after a right word, ``tế`` → ``tế –``, is right when the truth goes on with it)."""
    if j is None or truth_words[j] != norm(raw):
        return False
    made = norm(fixed).split()
    return truth_words[j:j + len(made)] != made


def corrections(home: Path, truth: dict[str, dict[str, object]]) -> None:
    """Raw OCR CER beside the stored text's, and corrections right → wrong, per kind."""
    db = read_only(home)
    stats: dict[str, list[int]] = {}  # pages, chars, raw errors, stored errors, words, fixes, r→w
    for r in db.execute("SELECT t.page_id, t.text, r.text AS raw, r.words, r.corrections"
                        " FROM page_text t JOIN ocr_raw r ON r.page_id = t.page_id"
                        " WHERE t.method = 'ocr' AND r.sha256 = t.sha256"):
        rec = truth.get(r["page_id"])
        if rec is None:
            continue
        t = norm(str(rec["text"]))
        tokens = [str(w[0]) for w in json.loads(r["words"])]
        fixes = json.loads(r["corrections"])
        row = stats.setdefault(str(rec["scan"]), [0] * 7)
        row[0] += 1
        row[1] += len(t)
        row[2] += Levenshtein.distance(t, norm(r["raw"]))
        row[3] += Levenshtein.distance(t, norm(r["text"]))
        row[4] += len(tokens)
        row[5] += len(fixes)
        truth_words = t.split()
        aligned: dict[int, int] = {}  # raw word index -> index of its truth word
        sm = difflib.SequenceMatcher(a=[norm(x) for x in tokens], b=truth_words, autojunk=False)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
                for k in range(i2 - i1):
                    aligned[i1 + k] = j1 + k

        row[6] += sum(1 for index, raw, fixed, *_ in fixes
                      if harmed(aligned.get(int(index)), truth_words, str(raw), str(fixed)))
    db.close()
    print("\nStored OCR pages: raw OCR beside the stored text, corrections right → wrong\n")
    print("| kind | pages | words | CER raw OCR | CER stored | corrections | right → wrong |")
    print("|---|---|---|---|---|---|---|")
    for kind, (n, chars, raw, fixed, words, fixes, harm) in sorted(stats.items()):
        print(f"| {kind} | {n} | {words:,} | {raw / chars * 100:.2f} % | {fixed / chars * 100:.2f} %"
              f" | {fixes} | {harm} ({harm / max(words, 1) * 100:.3f} %) |")


def cached(cache: Path, truth: dict[str, dict[str, object]], pages: bool) -> tuple[Tally, str]:
    tally: Tally = {}
    variants = set()
    for meta_path in sorted(cache.glob("*.json")):
        meta = json.loads(meta_path.read_text())
        tsv = meta_path.with_suffix(".tsv").read_text(encoding="utf-8")
        variant = next((v for v in sorted(VARIANTS, key=len, reverse=True)
                        if meta_path.stem.endswith(f"-{v}")), "")
        if not variant:
            continue
        issue, page = meta_path.stem.removesuffix(f"-{variant}").rsplit("-", 1)
        rec = truth.get(f"{issue}/{page}")
        if rec is None:
            continue
        variants.add(f"{variant} ({meta['lang']} psm {meta['psm']})")
        rec = {**rec, "scan": f"{rec['scan']}, {variant}"}
        add(tally, rec, ocr.parse_tsv(tsv, order=False).text,
            ocr.parse_tsv(tsv, one_column=ocr.one_column(str(meta["psm"]))).text,
            f"{issue}/{page} {variant}", pages)
    return tally, "variants " + ", ".join(sorted(variants))


def table(title: str, tally: Tally) -> None:
    print(f"\n{title}\n")
    print("| kind | pages | truth chars | CER, Tesseract's order | CER, ours | wrong chars |")
    print("|---|---|---|---|---|---|")
    total = [0, 0, 0, 0]
    for kind in sorted(tally):
        n, chars, a, b = tally[kind]
        total = [x + y for x, y in zip(total, tally[kind])]
        print(f"| {kind} | {n} | {chars:,} | {a / chars * 100:.2f} % | {b / chars * 100:.2f} % "
              f"| {a} → {b} |")
    n, chars, a, b = total
    if chars:
        print(f"| all | {n} | {chars:,} | {a / chars * 100:.2f} % | {b / chars * 100:.2f} % "
              f"| {a} → {b} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--pages", action="store_true", help="list the pages that changed")
    args = parser.parse_args(argv)
    truth = truth_pages(args.home)
    print(f"OCR reading order, {time.strftime('%Y-%m-%d %H:%M')}; machine: {cpu_name()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}; sample {args.home}; "
          f"reading order v{ocr.ocrorder.VERSION}")
    if (args.home / "index" / "catalog.sqlite").exists():
        tally, what = stored(args.home, truth, args.pages)
        table(f"Stored OCR pages of the home ({what})", tally)
        corrections(args.home, truth)
    if args.cache:
        tally, what = cached(args.cache, truth, args.pages)
        table(f"Cached reads of bench/ocr_modes.py in {args.cache} ({what})", tally)


if __name__ == "__main__":
    main()
