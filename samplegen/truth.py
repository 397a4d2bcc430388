"""The sample's ground truth and the series descriptions, written beside the scans.

``sample-truth/pages.jsonl``    one record per page: series, year, number, page, text as
                                printed (NFC, lines in reading order), source (scan,
                                pdf-legacy, pdf-unicode), scan (the precise kind: scan-old,
                                scan-300, scan-photo, pdf-tcvn3, pdf-vni, pdf-unicode),
                                container, file and file_page (where the page is), dpi,
                                typeface, quirks (TCVN3 drawn with the quirk fonts: ư
                                extracts as U+2212, ã as U+2219), columns, and regions: the page's text regions
                                ([x0, y0, x1, y1] as fractions of the undistorted page, top
                                left origin) in reading order: bands, then columns
``sample-truth/articles.jsonl`` one record per article: id (as the segmenter would make it:
                                ``<issue>-p<first page>-<4 hex of sha1(fold(title))>``), key,
                                series, year, number, date, section, title, byline, first_page,
                                last_page, kind, topics, doc_refs, text (paragraphs joined by
                                blank lines)
``sample-truth/documents.jsonl`` one record per Word issue (source ``word-*``): issue, file,
                                scan, container, text (what the Word reader must return: one
                                paragraph or table cell a line, reading order), header, footer
``sample-truth/gaps.json``      topics deliberately thin or absent, from the plan
``sample-truth/manifest.json``  what this run wrote under scans/, so ``--force`` can remove
                                exactly that and nothing of the user's
``scans/<series>/series.toml``  title, publisher and the dated title history
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from archive.vntext import fold, nfc
from samplegen.plan import ArchivePlan, IssuePlan, SeriesPlan

TRUTH_DIR = "sample-truth"


def article_id(issue_id: str, first_page: int, title: str) -> str:
    """The catalog's article id (docs/ARCHITECTURE.md), without the collision suffix."""
    digest = hashlib.sha1(fold(title).encode("utf-8")).hexdigest()[:4]
    return f"{issue_id}-p{first_page}-{digest}"


def article_records(issue: IssuePlan, spans: dict[str, tuple[int, int]]) -> list[dict[str, object]]:
    records = []
    seen: dict[str, int] = {}
    for seq, a in enumerate(issue.articles, 1):
        first, last = spans[a.key]
        base = article_id(issue.issue_id, first, a.title)
        seen[base] = seen.get(base, 0) + 1
        records.append({
            "id": base if seen[base] == 1 else f"{base}-{seen[base]}",
            "key": a.key, "issue": issue.issue_id, "seq": seq,
            "series": issue.series, "year": issue.year, "number": issue.number,
            "date": issue.date, "section": a.section, "title": nfc(a.title),
            "byline": nfc(a.byline), "first_page": first, "last_page": last, "kind": a.kind,
            "topics": list(a.topics), "doc_refs": list(a.doc_refs),
            "text": nfc("\n\n".join(a.paragraphs)), "source": issue.source,
        })
    return records


def series_toml(s: SeriesPlan) -> str:
    q = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731  (JSON strings are TOML strings)
    lines = [
        "# Fictional sample series written by `bantin sample` (Dữ liệu mẫu – nội dung hư cấu).",
        f"code = {q(s.code)}", f"title = {q(s.title)}", f"publisher = {q(s.publisher)}",
        f"first_year = {s.first_year}", f"issues_per_year = {s.issues_per_year}",
        f"level = {q(s.level)}", f"province = {q(s.province)}", "",
    ]
    for title, publisher, start, end in s.titles:
        lines += ["[[titles]]", f"title = {q(title)}", f"publisher = {q(publisher)}", f"start = {q(start)}"]
        if end:
            lines.append(f"end = {q(end)}")
        lines.append("")
    return "\n".join(lines)


def write_jsonl(path: Path, records: Iterable[dict[str, object]]) -> int:
    n = 0
    lines = []
    for r in records:
        lines.append(json.dumps(r, ensure_ascii=False, sort_keys=False))
        n += 1
    write_text(path, "\n".join(lines) + ("\n" if lines else ""))
    return n


def write_json(path: Path, value: object) -> None:
    write_text(path, json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_series(scans: Path, plan: ArchivePlan) -> list[str]:
    out = []
    for s in plan.series:
        write_text(scans / s.code / "series.toml", series_toml(s))
        out.append(f"{s.code}/series.toml")
    return out
