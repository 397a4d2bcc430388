"""Word files: how exactly they are read, per encoding and file type, against the truth.

For each seed, the ``full`` sample's Word issues (``samplegen.render_word``: TCVN3, VNI, mixed,
Unicode; ``.doc`` and ``.docx``) are written into a temporary folder and read three ways:

- ``reader``   :func:`indexer.extract.wordfile.read_word_file` (run-by-run decoding), its text;
- ``archive``  what the archive stores: the decoded text printed to PDF
               (``indexer.extract.documentpdf``) and read back through the text layer (method
               ``document``), pages joined;
- ``pdf+today`` the comparison: LibreOffice prints the *original* file to PDF (the legacy fonts
               are missing, as on any converting machine) and today's pipeline reads that PDF
               (``indexer.extract.page.extract_page``: text layer, legacy repair or OCR per page).

Metrics against ``sample-truth``'s text (whitespace collapsed; running lines removed from page
texts): CER (Levenshtein distance / truth length) and diacritic accuracy (share of the truth's
characters bearing a diacritic, đ included, that the output has at the aligned place), and
pages per second (pages of the printed PDF / wall seconds of that way, LibreOffice included).
Seed 1 is the default sample; 7 and 23 are unseen (nothing was tuned on them).

    .venv/bin/python bench/documents.py [--seeds 1,7,23] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from archive.ingest import inspect_pdf  # noqa: E402
from archive.models import PageTask  # noqa: E402
from bench.machine import machine  # noqa: E402
from indexer.extract import office  # noqa: E402
from indexer.extract.documentpdf import ensure_pdf  # noqa: E402
from indexer.extract.page import extract_page  # noqa: E402
from indexer.extract.wordfile import read_word_file  # noqa: E402
from samplegen.content import plan_archive  # noqa: E402
from samplegen.layout import FOOTER_TEXT  # noqa: E402
from samplegen.render_word import WORD_SOURCES, header_text, truth_text  # noqa: E402
from samplegen.writer import container_for, write_issue  # noqa: E402

WAYS = ("reader", "archive", "pdf+today")


def has_diacritic(ch: str) -> bool:
    return ch in "đĐ" or any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", ch))


def flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@dataclass
class Score:
    """Sums over documents: edit distance, truth length, diacritics kept and seen, pages, s."""

    dist: int = 0
    length: int = 0
    kept: int = 0
    marked: int = 0
    pages: int = 0
    seconds: float = 0.0
    docs: int = 0
    worst: list[float] = field(default_factory=list)  # diacritic accuracy per document

    def add(self, truth: str, got: str, pages: int, seconds: float) -> None:
        want, have = flat(truth), flat(got)
        self.dist += Levenshtein.distance(want, have)
        self.length += len(want)
        touched = set()
        for op in Levenshtein.editops(want, have):
            if op.tag in ("replace", "delete"):
                touched.add(op.src_pos)
        marked = [i for i, ch in enumerate(want) if has_diacritic(ch)]
        kept = sum(1 for i in marked if i not in touched)
        self.kept += kept
        self.marked += len(marked)
        self.worst.append(kept / len(marked) if marked else 1.0)
        self.pages += pages
        self.seconds += seconds
        self.docs += 1

    def row(self) -> str:
        cer = self.dist / self.length if self.length else 0.0
        acc = self.kept / self.marked if self.marked else 1.0
        pps = self.pages / self.seconds if self.seconds else 0.0
        return (f"{self.docs} | {self.pages} | {cer:.4f} | {acc:.4f} | {min(self.worst):.4f} | "
                f"{pps:.2f}")


def without_running_lines(text: str, running: set[str]) -> str:
    return "\n".join(ln for ln in text.splitlines() if flat(ln) not in running)


def pdf_text(pdf: Path, kind: str = "pdf") -> tuple[str, int, list[str]]:
    """Pages of ``pdf`` read by today's extract seam: (text, pages, methods)."""
    pages = len(inspect_pdf(pdf, str(pdf)))
    texts, methods = [], []
    for i in range(pages):
        result = extract_page(PageTask(page_id=f"bench/{i + 1}", path=str(pdf), source_kind=kind,
                                       file_page=i, sha256=""))
        texts.append(result.text)
        methods.append(result.method or "failed")
    return "\n".join(texts), pages, methods


def run_seed(seed: int, work: Path, baseline: bool,
             scores: dict[tuple[str, str, str], Score], methods: dict[str, int]) -> int:
    plan = plan_archive("full", seed)
    issues = [i for i in plan.issues if i.source in WORD_SOURCES]
    turns: dict[str, int] = {}
    folder = work / f"seed{seed}"
    for issue in issues:
        turn = turns.get(issue.source, 0)
        turns[issue.source] = turn + 1
        container = container_for(issue, turn)
        out = write_issue(issue, folder, container)
        path = folder / out.paths[0]
        truth = truth_text(issue)
        running = {flat(header_text(issue)), flat(FOOTER_TEXT)}
        cache = work / "cache"

        started = time.perf_counter()
        document = read_word_file(path, work_dir=cache)
        reader_s = time.perf_counter() - started
        started = time.perf_counter()
        derived = ensure_pdf(path, cache, _sha(f"{seed}:{issue.issue_id}"), name=out.paths[0])
        text, pages, _ = pdf_text(derived.pdf, "document")
        archive_s = reader_s + time.perf_counter() - started
        key = (issue.source, container)
        scores.setdefault((*key, "reader"), Score()).add(truth, document.text(), pages, reader_s)
        scores.setdefault((*key, "archive"), Score()).add(
            truth, without_running_lines(text, running), pages, archive_s)
        if baseline:
            started = time.perf_counter()
            printed = office.convert(path, "pdf", work / "baseline", profile_root=cache)
            text, pages, used = pdf_text(printed)
            seconds = time.perf_counter() - started
            for m in used:
                methods[m] = methods.get(m, 0) + 1
            scores.setdefault((*key, "pdf+today"), Score()).add(
                truth, without_running_lines(text, running), pages, seconds)
    return len(issues)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="1,7,23")
    parser.add_argument("--skip-baseline", action="store_true",
                        help="Do not print the originals to PDF for today's pipeline.")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"machine: {machine()}; {office.version()}")
    work = Path(tempfile.mkdtemp(prefix="bench-documents-"))
    try:
        for seed in seeds:
            scores: dict[tuple[str, str, str], Score] = {}
            methods: dict[str, int] = {}
            started = time.perf_counter()
            n = run_seed(seed, work, not args.skip_baseline, scores, methods)
            print(f"\nseed {seed}{' (default sample)' if seed == 1 else ' (unseen)'}: {n} Word "
                  f"issues, {time.perf_counter() - started:.0f} s; today's pipeline used "
                  + (", ".join(f"{k} {v}" for k, v in sorted(methods.items())) or "-")
                  + " pages")
            print("\n| encoding | file | way | docs | pages | CER | diacritic acc. | worst doc | pages/s |")
            print("|---|---|---|---|---|---|---|---|---|")
            by_way: dict[str, Score] = defaultdict(Score)
            for (source, container, way), score in sorted(scores.items()):
                print(f"| {source.removeprefix('word-')} | .{container} | {way} | {score.row()} |")
                total = by_way[way]
                total.dist += score.dist
                total.length += score.length
                total.kept += score.kept
                total.marked += score.marked
                total.pages += score.pages
                total.seconds += score.seconds
                total.docs += score.docs
                total.worst += score.worst
            for way in WAYS:
                if way in by_way:
                    print(f"| all | all | {way} | {by_way[way].row()} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
