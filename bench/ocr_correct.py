"""Post-OCR correction (``indexer.extract.ocrcorrect``) measured on reads ``bench/ocr_modes.py`` kept.

    .venv/bin/python bench/ocr_correct.py --home DIR --cache TSVDIR [--variant NAME]

The language model is learned as ``bantin extract`` learns it: from the home's catalog
(``page_text`` rows of method text and legacy) when the home has been built, otherwise from
the sample truth of its born-digital and legacy-font pages (the same text, which those
methods read at 0.00 % CER). For each cached read of ``--variant`` (per page kind), prints
raw CER, corrected CER, and the corrections that turned a right word wrong, a wrong word
right, or a wrong word into another wrong one (words aligned to the truth with difflib), as
a share of the page words.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sqlite3
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rapidfuzz.distance import Levenshtein  # noqa: E402

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--variant", default="vie")
    parser.add_argument("--show", type=int, default=0, help="print N corrections per outcome")
    parser.add_argument("--truth-model", action="store_true",
                        help="learn from the sample truth's text/legacy pages even when the "
                             "home has a catalog (one still being built)")
    args = parser.parse_args(argv)
    texts, source = clean_texts(args.home, args.truth_model)
    model = ocrcorrect.build_model(texts)
    truth = {f"{r['issue']}-{r['page']}": r for r in
             (json.loads(line) for line in
              (args.home / "sample-truth" / "pages.jsonl").read_text(encoding="utf-8").splitlines()
              if line.strip())}
    stats: dict[str, dict[str, float]] = {}
    examples: dict[str, list[str]] = {"right→wrong": [], "wrong→right": [], "wrong→wrong": []}
    for tsv_path in sorted(args.cache.glob(f"*-{args.variant}.tsv")):
        page_key = tsv_path.name[: -len(f"-{args.variant}.tsv")]
        rec = truth.get(page_key)
        if rec is None:
            continue
        rec_kind = str(rec["scan"])
        recog = ocr.parse_tsv(tsv_path.read_text(encoding="utf-8"))
        tokens = [w.text for w in recog.words]
        fixes = ocrcorrect.correct(tokens, [w.conf for w in recog.words],
                                   [w.line for w in recog.words],
                                   [w.block for w in recog.words], model)
        fixed = ocrcorrect.apply(tokens, fixes)
        t = norm(str(rec["text"]))
        s = stats.setdefault(rec_kind, {"pages": 0, "chars": 0, "raw": 0, "fixed": 0,
                                        "words": 0, "fixes": 0, "right→wrong": 0,
                                        "wrong→right": 0, "wrong→wrong": 0})
        s["pages"] += 1
        s["chars"] += len(t)
        s["raw"] += Levenshtein.distance(t, norm(" ".join(tokens)))
        s["fixed"] += Levenshtein.distance(t, norm(" ".join(fixed)))
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
            right = aligned.get(f.index)
            if right is None:
                continue
            outcome = ("right→wrong" if f.raw == right else
                       "wrong→right" if f.corrected == right else "wrong→wrong")
            s[outcome] += 1
            examples[outcome].append(f"{page_key}: {f.raw} → {f.corrected} (truth {right}, "
                                     f"{f.reason})")
    print(f"post-OCR correction ({ocrcorrect.key(model)}), model from {source}: "
          f"{len(model.unigrams)} syllables, {len(model.bigrams)} pairs; reads: {args.variant}")
    print("| kind | pages | words | CER raw | CER corrected | corrections | right→wrong |"
          " wrong→right | wrong→wrong |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind, s in sorted(stats.items()):
        print(f"| {kind} | {s['pages']:.0f} | {s['words']:.0f} | {s['raw'] / s['chars'] * 100:.2f} % |"
              f" {s['fixed'] / s['chars'] * 100:.2f} % | {s['fixes']:.0f} |"
              f" {s['right→wrong']:.0f} ({s['right→wrong'] / max(s['words'], 1) * 100:.3f} %) |"
              f" {s['wrong→right']:.0f} | {s['wrong→wrong']:.0f} |")
    for outcome, lines in examples.items():
        for line in lines[: args.show]:
            print(f"  {outcome}: {line}")


if __name__ == "__main__":
    main()
