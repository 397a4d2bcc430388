"""Readers' error reports (*báo lỗi*, table ``reader_report`` in
``archive/schema/071_reader_report.sql``): a reader who sees a misread word (``ocr``) or an
article cut in the wrong place (``segmentation``) says so from the page viewer or the article
page; the report waits in the editors' review queue (:mod:`archive.worklist`) until an editor
marks it fixed or dismissed.

Why a table of its own rather than the audit log: a report is work with a state (open, then
closed by someone), listed oldest first for the editors; the audit log only records what happened.
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.catalog import Catalog, now
from archive.errors import UsageError
from archive.vntext import nfc

KINDS = {"ocr": "chữ đọc sai (OCR)", "segmentation": "tách tin, bài sai"}
STATUSES = ("open", "fixed", "dismissed")
MAX_MESSAGE = 2000  # characters
MAX_OPEN_PER_READER = 200  # open reports one reader may have at once (a runaway script stops here)


@dataclass(frozen=True)
class Report:
    id: int
    kind: str
    issue_id: str
    page: int  # page seq, 0 when the report is about an article
    article_id: str
    message: str
    reporter: str
    created_at: str
    status: str

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)


def _row(r: object) -> Report:
    return Report(r["id"], r["kind"], r["issue_id"], r["page"], r["article_id"], r["message"],  # type: ignore[index]
                  r["reporter"], r["created_at"], r["status"])  # type: ignore[index]


def file_report(catalog: Catalog, *, kind: str, issue_id: str, page: int = 0, article_id: str = "",
                message: str, reporter: str) -> Report:
    """Record a reader's report (messages for the reader, in Vietnamese)."""
    if kind not in KINDS:
        raise UsageError("Hãy chọn loại lỗi: chữ đọc sai hoặc tách tin, bài sai.")
    text = nfc(message).strip()[:MAX_MESSAGE]
    if not text:
        raise UsageError("Hãy mô tả lỗi (ví dụ: chữ nào sai, nên đọc là gì).")
    with catalog.transaction() as db:
        open_now = db.execute("SELECT COUNT(*) FROM reader_report WHERE reporter = ? AND status = 'open'",
                              (reporter,)).fetchone()[0]
        if open_now >= MAX_OPEN_PER_READER:
            raise UsageError("Bạn đã có nhiều báo lỗi chưa được xử lý; hãy đợi biên tập viên xem.")
        cur = db.execute("INSERT INTO reader_report(kind, issue_id, page, article_id, message, reporter,"
                         " created_at) VALUES (?,?,?,?,?,?,?)",
                         (kind, issue_id, int(page), article_id, text, reporter, now()))
        new_id = int(cur.lastrowid or 0)
    found = get(catalog, new_id)
    assert found is not None
    return found


def get(catalog: Catalog, report_id: int) -> Report | None:
    row = catalog.one("SELECT * FROM reader_report WHERE id = ?", (report_id,))
    return _row(row) if row else None


def open_reports(catalog: Catalog, limit: int = 50) -> list[Report]:
    """Open reports, oldest first (first come, first served)."""
    return [_row(r) for r in catalog.query(
        "SELECT * FROM reader_report WHERE status = 'open' ORDER BY created_at, id LIMIT ?", (limit,))]


def count_open(catalog: Catalog) -> int:
    row = catalog.one("SELECT COUNT(*) FROM reader_report WHERE status = 'open'")
    return int(row[0]) if row else 0


def close(catalog: Catalog, report_id: int, *, status: str, editor: str) -> bool:
    """An editor closes an open report (``fixed`` or ``dismissed``); False when there is no
    open report with that id."""
    if status not in ("fixed", "dismissed"):
        raise UsageError(f"unknown status {status!r}")
    with catalog.transaction() as db:
        return db.execute("UPDATE reader_report SET status = ?, decided_by = ?, decided_at = ?"
                          " WHERE id = ? AND status = 'open'", (status, editor, now(), report_id)).rowcount > 0
