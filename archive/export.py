"""`bantin export`: records for scripts, one per page (and per article, see indexer.segment.segmenter).

JSON Lines or CSV, UTF-8, NFC; the field names are a public interface: extend, never rename.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from archive import csvcells
from archive.catalog import Catalog

PAGE_FIELDS = ("id", "series", "year", "number", "issue_id", "page", "method", "confidence",
               "engine", "engine_version", "encoding", "note", "width_px", "height_px", "text")


def page_records(catalog: Catalog) -> Iterator[dict[str, Any]]:
    """One record per extracted page, in series, year, issue and page order."""
    cursor = catalog.db.execute(
        "SELECT p.id, i.series, i.year, i.number, i.id AS issue_id, p.seq, t.method, t.confidence,"
        " t.engine, t.engine_version, t.encoding, t.note, p.width_px, p.height_px, t.text"
        " FROM page p JOIN issue i ON i.id = p.issue_id JOIN page_text t ON t.page_id = p.id"
        " WHERE i.missing = 0 AND t.sha256 = p.sha256"
        " ORDER BY i.series, i.year, CAST(i.number AS INTEGER), i.number, i.suffix, p.seq")
    for r in cursor:
        yield {"id": r["id"], "series": r["series"], "year": r["year"], "number": r["number"],
               "issue_id": r["issue_id"], "page": r["seq"], "method": r["method"],
               "confidence": round(r["confidence"], 2), "engine": r["engine"],
               "engine_version": r["engine_version"], "encoding": r["encoding"],
               "note": r["note"], "width_px": r["width_px"], "height_px": r["height_px"],
               "text": r["text"]}


def write_records(records: Iterator[dict[str, Any]], out: IO[str], fmt: str,
                  fields: tuple[str, ...]) -> int:
    """Write records as ``jsonl`` or ``csv``; lists become ``;``-joined in CSV. Returns the count."""
    n = 0
    if fmt == "csv":
        writer = csvcells.DictWriter(out, fieldnames=list(fields), extrasaction="ignore")
        writer.writeheader()
        for rec in records:
            writer.writerow({k: ";".join(map(str, v)) if isinstance(v, (list, tuple)) else v
                             for k, v in rec.items()})
            n += 1
    else:
        for rec in records:
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    return n
