"""Post-OCR correction (``indexer.extract.ocrcorrect``) measured on reads ``bench/ocr_modes.py`` kept,
or on every OCR page of a built home.

    .venv/bin/python bench/ocr_correct.py --home DIR --cache TSVDIR [--variant NAME]
    .venv/bin/python bench/ocr_correct.py --home DIR --stored

``--stored``: the raw reads the pipeline kept (``ocr_raw``: raw text and words of every OCR
page of the home, in the reading order it stored) corrected again by the code as it is now,
with the model learned from the home's text/legacy pages: what ``bantin build`` with this
code would store, without reading a page again.

The language model is learned as ``bantin extract`` learns it: from the home's catalog
(``page_text`` rows of method text and legacy) when the home has been built, otherwise from
the sample truth of its born-digital and legacy-font pages (the same text, which those
methods read at 0.00 % CER). For each cached read of ``--variant`` (per page kind), prints
raw CER, corrected CER, and what each correction did, judged alone (applied by itself to
the raw page, Levenshtein distance to the truth before and after): "right→wrong" when the
word it changed was right (aligned to the truth with difflib) and the page got worse; else
"better", "worse" or "neutral". Right→wrong is also given as a share of the page words.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from machine import cpu_name  # noqa: E402  (bench/machine.py)
from rapidfuzz.distance import Levenshtein  # noqa: E402

from archive.models import Word  # noqa: E402
from archive.vntext import nfc  # noqa: E402
from indexer.extract import ocr, ocrcorrect  # noqa: E402


def norm(text: str) -> str:
    return " ".join(nfc(text).split())


def clean_texts(home: Path, truth: bool = False) -> tuple[list[str], str]:
    db_path = home / "index" / "catalog.sqlite"
    if db_path.exists() and not truth:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            rows = [t for (t,) in db.execute(
                "SELECT text FROM page_text WHERE method IN ('text', 'legacy')")]
        except sqlite3.Error:
            rows = []
        finally:
            db.close()
        if rows:
            return rows, f"catalog ({len(rows)} text/legacy pages)"
    recs = [json.loads(line) for line in
            (home / "sample-truth" / "pages.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    rows = [str(r["text"]) for r in recs if str(r.get("scan", "")).startswith("pdf-")]
    return rows, f"sample truth of {len(rows)} text/legacy pages"


Read = tuple[str, str, str, list[Word], bool]  # page key, kind, raw text, words, noisy read


def reads(args: argparse.Namespace, truth: dict[str, dict[str, object]]) -> Iterator[Read]:
    """The raw reads to correct: cached TSVs of one variant, or a home's ocr_raw rows."""
    if args.stored:
        db = sqlite3.connect(f"file:{args.home / 'index' / 'catalog.sqlite'}?mode=ro", uri=True)
        try:
            rows = db.execute("SELECT r.page_id, r.text, r.words, t.note FROM ocr_raw r"
                              " JOIN page_text t ON t.page_id = r.page_id"
                              " ORDER BY r.page_id").fetchall()
        finally:
            db.close()
        for page_id, text, words, note in rows:
            if page_id in truth:
                yield (page_id, str(truth[page_id]["scan"]), text,
                       [Word.from_row(w) for w in json.loads(words)],
                       ocrcorrect.noisy_read(note))
        return
    for tsv_path in sorted(args.cache.glob(f"*-{args.variant}.tsv")):
        issue, page = tsv_path.name[: -len(f"-{args.variant}.tsv")].rsplit("-", 1)
        page_key = f"{issue}/{page}"
        if page_key not in truth:
            continue
        recog = ocr.parse_tsv(tsv_path.read_text(encoding="utf-8"))
        words = [Word(w.text, tuple(float(v) for v in w.box), w.conf, w.block, w.line)  # type: ignore[arg-type]
                 for w in recog.words]
        meta = json.loads(tsv_path.with_suffix(".json").read_text())
        yield (page_key, str(truth[page_key]["scan"]), " ".join(w.text for w in words), words,
               meta.get("params", {}).get("textord_heavy_nr") == "1")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--cache", type=Path, help="the TSVs bench/ocr_modes.py kept")
    source.add_argument("--stored", action="store_true",
                        help="the raw reads a built home kept (ocr_raw)")
    parser.add_argument("--variant", default="vie")
    parser.add_argument("--show", type=int, default=0, help="print N corrections per outcome")
    parser.add_argument("--truth-model", action="store_true",
                        help="learn from the sample truth's text/legacy pages even when the "
                             "home has a catalog (one still being built)")
    args = parser.parse_args(argv)
    texts, source = clean_texts(args.home, args.truth_model)
    model = ocrcorrect.build_model(texts)
    truth = {f"{r['issue']}/{r['page']}": r for r in
             (json.loads(line) for line in
              (args.home / "sample-truth" / "pages.jsonl").read_text(encoding="utf-8").splitlines()
              if line.strip())}
    stats: dict[str, dict[str, float]] = {}
    examples: dict[str, list[str]] = {"right→wrong": [], "better": [], "worse": []}
    for page_key, kind, raw_text, words, noisy in reads(args, truth):
        tokens = [w.text for w in words]
        fixes = ocrcorrect.correct(tokens, [w.conf for w in words], [w.line for w in words],
                                   [w.block for w in words], model,
                                   boxes=[w.box for w in words], noisy=noisy)
        fixed = ocrcorrect.apply(tokens, fixes)
        t = norm(str(truth[page_key]["text"]))
        s = stats.setdefault(kind, {"pages": 0, "chars": 0, "raw": 0, "fixed": 0,
                                    "words": 0, "fixes": 0, "right→wrong": 0,
                                    "better": 0, "worse": 0, "neutral": 0})
        raw_dist = Levenshtein.distance(t, norm(raw_text))
        s["pages"] += 1
        s["chars"] += len(t)
        s["raw"] += raw_dist
        s["fixed"] += Levenshtein.distance(t, norm(ocrcorrect.retext(raw_text, fixed)))
        s["words"] += len(tokens)
        s["fixes"] += len(fixes)
        truth_words = t.split()
        aligned: dict[int, str] = {}
        sm = difflib.SequenceMatcher(a=tokens, b=truth_words, autojunk=False)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
                for k in range(i2 - i1):
                    aligned[i1 + k] = truth_words[j1 + k]
        for f in fixes:
            alone = list(tokens)
            alone[f.index] = f.corrected
            delta = Levenshtein.distance(t, norm(ocrcorrect.retext(raw_text, alone))) - raw_dist
            outcome = ("right→wrong" if delta > 0 and aligned.get(f.index) == f.raw else
                       "worse" if delta > 0 else "better" if delta < 0 else "neutral")
            s[outcome] += 1
            if outcome in examples:
                examples[outcome].append(f"{page_key} ({kind}): {f.raw} → {f.corrected} ({f.reason})")
    print(f"post-OCR correction ({ocrcorrect.key(model)}), model from {source}: "
          f"{len(model.unigrams)} syllables, {len(model.bigrams)} pairs; reads: "
          f"{'stored (ocr_raw)' if args.stored else args.variant}; {time.strftime('%Y-%m-%d %H:%M')}; "
          f"machine: {cpu_name()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print("| kind | pages | words | CER raw | CER corrected | corrections | right→wrong |"
          " better | worse | neutral |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for kind, s in sorted(stats.items()):
        print(f"| {kind} | {s['pages']:.0f} | {s['words']:.0f} | {s['raw'] / s['chars'] * 100:.2f} % |"
              f" {s['fixed'] / s['chars'] * 100:.2f} % | {s['fixes']:.0f} |"
              f" {s['right→wrong']:.0f} ({s['right→wrong'] / max(s['words'], 1) * 100:.3f} %) |"
              f" {s['better']:.0f} | {s['worse']:.0f} | {s['neutral']:.0f} |")
    for outcome, lines in examples.items():
        for line in lines[: args.show]:
            print(f"  {outcome}: {line}")


if __name__ == "__main__":
    main()
