"""Evidence collections as files: CSV (a spreadsheet), DOCX (an appendix for the report) and
RIS (a reference manager), each item with its Vietnamese citation, permalink and note.

Why one record per item, built once (:func:`records`): the three formats must say the same
thing, and a collection may cite articles that were since merged or re-segmented: such an
item keeps the title it had when it was added and says it is no longer in the catalog.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from archive import csvcells, issued, permalinks
from archive.catalog import Catalog
from archive.collections import Collection
from indexer.segment.ops import merged_into
from webapp import cite, library

CSV_FIELDS = ("stt", "loai", "ma", "tieu_de", "ban_tin", "so", "ngay", "trang", "chuyen_muc",
              "ghi_chu", "duong_dan", "trich_dan")


@dataclass(frozen=True)
class Record:
    position: int
    kind: str  # article | search | missing
    ref: str
    title: str
    note: str
    url: str  # absolute
    citation: cite.Citation | None = None
    container: str = ""  # series title in force, for articles
    issue_label: str = ""
    date: str = ""
    pages: str = ""
    section: str = ""

    @property
    def reference(self) -> str:
        """The Vietnamese citation line (or the search's description and link)."""
        if self.citation is not None:
            return cite.vietnamese(self.citation)
        if self.kind == "search":
            return f"Tìm kiếm “{self.title}” ({permalinks.describe_search(self.ref)}): {self.url}"
        return f"\"{self.title}\" (không còn trong kho: {self.ref})"


def records(catalog: Catalog, collection: Collection, base_url: str,
            citation_for: Callable[[Catalog, library.ArticleRow], tuple[cite.Citation, library.IssueView]]
            ) -> list[Record]:
    out = []
    for item in collection.items:
        if item.kind == "search":
            out.append(Record(item.position, "search", item.ref, item.title or item.ref, item.note,
                              base_url.rstrip("/") + permalinks.saved_search_path(item.ref)))
            continue
        article_id = item.ref
        found = library.get_article(catalog, article_id)
        if found is None:
            where = issued.resolve(catalog, article_id)
            target = where.targets[0] if where and where.targets else merged_into(catalog, article_id)
            found = library.get_article(catalog, target) if target else None
        if found is None:
            out.append(Record(item.position, "missing", item.ref, item.title, item.note, ""))
            continue
        citation, view = citation_for(catalog, found)
        out.append(Record(item.position, "article", found.id, found.title, item.note, citation.url,
                          citation, view.title, view.number_label, view.date,
                          f"{found.first_page}-{found.last_page}" if found.last_page != found.first_page
                          else str(found.first_page), found.section))
    return out


def to_csv(recs: list[Record]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csvcells.writer(buffer)
    writer.writerow(CSV_FIELDS)
    for r in recs:
        writer.writerow([r.position, r.kind, r.ref, r.title, r.container, r.issue_label, r.date, r.pages,
                         r.section, r.note, r.url, r.reference])
    return buffer.getvalue()


def to_ris(recs: list[Record]) -> str:
    parts = []
    for r in recs:
        if r.citation is not None:
            body = cite.ris(r.citation)
            if r.note:
                body = body.replace("ER  - \r\n", f"N1  - {' '.join(r.note.split())}\r\nER  - \r\n")
            parts.append(body)
        elif r.kind == "search":
            lines = [("TY", "ELEC"), ("TI", f"Tìm kiếm: {r.title}"), ("UR", r.url), ("LA", "vi")]
            if r.note:
                lines.append(("N1", r.note))
            parts.append("".join(f"{t}  - {' '.join(v.split())}\r\n" for t, v in lines) + "ER  - \r\n")
    return "".join(parts)


def to_docx(collection: Collection, recs: list[Record]) -> bytes:
    """A Word document: the collection's name and description, then each item numbered with
    its citation and, below it, the editor's note."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    doc.add_heading(collection.name, level=1)
    if collection.description:
        doc.add_paragraph(collection.description)
    stamp = datetime.now(UTC).strftime("%d/%m/%Y")
    doc.add_paragraph().add_run(f"Bộ sưu tập minh chứng, {len(recs)} mục, xuất ngày {stamp}.").italic = True
    for r in recs:
        p = doc.add_paragraph(style="List Number")
        p.add_run(r.reference)
        if r.note:
            note = doc.add_paragraph()
            run = note.add_run(r.note)
            run.italic = True
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
