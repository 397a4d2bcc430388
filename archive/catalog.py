"""The catalog: one SQLite file under ``<home>/index/`` that holds the truth.

Why SQLite: one file, transactional, safe to read while one process writes (WAL mode), and
a crash or ``kill -9`` loses at most the transaction in flight. Every stage writes its own
tables in small transactions (a page, an issue), so reruns resume where a run stopped.

The schema is the ``*.sql`` files in ``archive/schema/``, applied in name order at every open;
each statement is idempotent (``IF NOT EXISTS``), and each area owns its file
(``010_archive.sql`` scans and pages, ``020_articles.sql`` segmentation and analysis, ...).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.errors import IndexLocked
from archive.models import Issue, Page, PageResult, Series, SeriesTitle, Word, words_json

SCHEMA_DIR = Path(__file__).parent / "schema"


def now() -> str:
    """UTC timestamp, ISO 8601 to the second, as stored in the catalog."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def queue_stamp() -> str:
    """UTC time to the microsecond, for ``reindex_queue.at``.

    Why finer than :func:`now`: a refresh forgets a queued document only when its stamp is the
    one it saw when it began (:func:`indexer.refresh.refresh`), so a second save of the same
    page while the first one's refresh runs must leave a different stamp, even within a second.
    The format sorts with :func:`now`'s: ``…:01.5Z`` < ``…:01Z``.
    """
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def schema_sql() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(SCHEMA_DIR.glob("*.sql")))


class Catalog:
    """A connection to the catalog with the queries the stages share.

    Open one per process or thread (``sqlite3`` connections are not shared across threads;
    the web app opens one per request). Use :meth:`transaction` for every write.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False, timeout: float = 30.0) -> None:
        self.path = Path(path)
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        uri = f"file:{self.path}?mode=ro" if readonly else f"file:{self.path}"
        try:
            self.db = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None,
                                      check_same_thread=False)
        except sqlite3.OperationalError as e:
            raise IndexLocked(f"cannot open the catalog {self.path}: {e}") from e
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        self._lock = threading.RLock()
        self._depth = 0
        if not readonly:
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            try:
                self.db.executescript(schema_sql())
            except sqlite3.OperationalError as e:
                if "locked" in str(e):
                    raise IndexLocked(
                        f"the catalog {self.path} is locked by another process; "
                        "wait for it to finish or stop it") from e
                raise

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``), committed as a unit or rolled back.

        Nested use joins the outer transaction.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.db
                finally:
                    self._depth -= 1
                return
            try:
                self.db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as e:
                raise IndexLocked(f"the catalog {self.path} is busy ({e}); try again") from e
            self._depth = 1
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            else:
                self.db.execute("COMMIT")
            finally:
                self._depth = 0

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        return self.db.execute(sql, params).fetchall()

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        return self.db.execute(sql, params).fetchone()

    # --- meta -------------------------------------------------------------------------

    def get_meta(self, key: str, default: str = "") -> str:
        row = self.one("SELECT value FROM meta WHERE key = ?", (key,))
        return row["value"] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # --- series -----------------------------------------------------------------------

    def put_series(self, s: Series) -> None:
        titles = json.dumps([t.__dict__ for t in s.titles], ensure_ascii=False)
        with self.transaction() as db:
            db.execute(
                "INSERT INTO series(code, title, publisher, first_year, issues_per_year, level,"
                " province, note, titles) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(code) DO UPDATE SET"
                " title=excluded.title, publisher=excluded.publisher, first_year=excluded.first_year,"
                " issues_per_year=excluded.issues_per_year, level=excluded.level,"
                " province=excluded.province, note=excluded.note, titles=excluded.titles",
                (s.code, s.title, s.publisher, s.first_year, s.issues_per_year, s.level,
                 s.province, s.note, titles))

    def series(self) -> list[Series]:
        return [_series(r) for r in self.query("SELECT * FROM series ORDER BY code")]

    def get_series(self, code: str) -> Series | None:
        row = self.one("SELECT * FROM series WHERE code = ?", (code,))
        return _series(row) if row else None

    # --- issues and pages -------------------------------------------------------------

    def issues(self, series: str | None = None, *, include_missing: bool = True) -> list[Issue]:
        sql = "SELECT * FROM issue WHERE (? IS NULL OR series = ?)"
        if not include_missing:
            sql += " AND missing = 0"
        rows = self.query(sql + " ORDER BY series, year, CAST(number AS INTEGER), number, suffix", (series, series))
        return [_issue(r) for r in rows]

    def get_issue(self, issue_id: str) -> Issue | None:
        row = self.one("SELECT * FROM issue WHERE id = ?", (issue_id,))
        return _issue(row) if row else None

    def pages(self, issue_id: str) -> list[Page]:
        rows = self.query("SELECT * FROM page WHERE issue_id = ? ORDER BY seq", (issue_id,))
        return [_page(r) for r in rows]

    def get_page(self, page_id: str) -> Page | None:
        row = self.one("SELECT * FROM page WHERE id = ?", (page_id,))
        return _page(row) if row else None

    def put_issue(self, issue: Issue, pages: list[Page]) -> None:
        """Insert or replace an issue and its pages as one unit.

        Pages whose ``sha256`` did not change keep their text; pages beyond the new count
        are deleted (with their text, by cascade).
        """
        stamp = now()
        with self.transaction() as db:
            db.execute(
                "INSERT INTO issue(id, series, year, number, suffix, printed_number, date, note,"
                " source, source_kind, sha256, page_count, missing, ingested_at, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0,?,?) ON CONFLICT(id) DO UPDATE SET"
                " series=excluded.series, year=excluded.year, number=excluded.number,"
                " suffix=excluded.suffix, printed_number=excluded.printed_number,"
                " date=excluded.date, note=excluded.note, source=excluded.source,"
                " source_kind=excluded.source_kind, sha256=excluded.sha256,"
                " page_count=excluded.page_count, missing=0, updated_at=excluded.updated_at",
                (issue.id, issue.series, issue.year, issue.number, issue.suffix,
                 issue.printed_number, issue.date, issue.note, issue.source, issue.source_kind,
                 issue.sha256, issue.page_count, stamp, stamp))
            for p in pages:
                db.execute(
                    "INSERT INTO page(id, issue_id, seq, file, file_page, sha256, width_px,"
                    " height_px, dpi, width_pt, height_pt) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
                    " ON CONFLICT(id) DO UPDATE SET file=excluded.file,"
                    " file_page=excluded.file_page, sha256=excluded.sha256,"
                    " width_px=excluded.width_px, height_px=excluded.height_px, dpi=excluded.dpi,"
                    " width_pt=excluded.width_pt, height_pt=excluded.height_pt",
                    (p.id, p.issue_id, p.seq, p.file, p.file_page, p.sha256, p.width_px,
                     p.height_px, p.dpi, p.width_pt, p.height_pt))
            db.execute("DELETE FROM page WHERE issue_id = ? AND seq > ?", (issue.id, len(pages)))

    def mark_missing(self, issue_id: str, missing: bool = True) -> None:
        with self.transaction() as db:
            db.execute("UPDATE issue SET missing = ? WHERE id = ?", (int(missing), issue_id))

    def delete_issue(self, issue_id: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM issue WHERE id = ?", (issue_id,))

    # --- page text --------------------------------------------------------------------

    def put_page_result(self, result: PageResult) -> None:
        """Store one page's extraction result (or its failure) in one transaction."""
        with self.transaction() as db:
            if result.failed:
                db.execute("DELETE FROM page_text WHERE page_id = ? AND sha256 != ?",
                           (result.page_id, result.sha256))
                self._problem(db, "extract", page_id=result.page_id, message=result.error)
                return
            words = words_json(result.words)
            db.execute(
                "INSERT OR REPLACE INTO page_text(page_id, sha256, method, text, words,"
                " confidence, engine, engine_version, settings_key, encoding, note, seconds,"
                " extracted_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (result.page_id, result.sha256, result.method, result.text, words,
                 result.confidence, result.engine, result.engine_version, result.settings_key,
                 result.encoding, result.note, result.seconds, now()))
            if result.width_px and result.height_px:
                db.execute("UPDATE page SET width_px = ?, height_px = ? WHERE id = ? AND"
                           " (width_px = 0 OR height_px = 0)",
                           (result.width_px, result.height_px, result.page_id))
            db.execute("DELETE FROM problem WHERE stage = 'extract' AND page_id = ?",
                       (result.page_id,))

    def page_text(self, page_id: str) -> sqlite3.Row | None:
        """The machine text row of a page (see ``page_text`` in the schema), or None."""
        return self.one("SELECT * FROM page_text WHERE page_id = ?", (page_id,))

    def page_words(self, page_id: str) -> list[Word]:
        row = self.one("SELECT words FROM page_text WHERE page_id = ?", (page_id,))
        return [Word.from_row(r) for r in json.loads(row["words"])] if row else []

    # --- problems ---------------------------------------------------------------------

    @staticmethod
    def _problem(db: sqlite3.Connection, stage: str, *, path: str = "", page_id: str = "",
                 issue_id: str = "", message: str) -> None:
        db.execute(
            "INSERT INTO problem(stage, path, page_id, issue_id, message, at) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT(stage, path, page_id, issue_id) DO UPDATE SET message=excluded.message,"
            " at=excluded.at", (stage, path, page_id, issue_id, message, now()))

    def add_problem(self, stage: str, message: str, *, path: str = "", page_id: str = "",
                    issue_id: str = "") -> None:
        with self.transaction() as db:
            self._problem(db, stage, path=path, page_id=page_id, issue_id=issue_id,
                          message=message)

    def clear_problems(self, stage: str, *, path: str | None = None,
                       page_id: str | None = None, issue_id: str | None = None) -> None:
        sql, params = "DELETE FROM problem WHERE stage = ?", [stage]
        for column, value in (("path", path), ("page_id", page_id), ("issue_id", issue_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        with self.transaction() as db:
            db.execute(sql, params)

    def problems(self, stage: str | None = None) -> list[sqlite3.Row]:
        return self.query("SELECT * FROM problem WHERE (? IS NULL OR stage = ?)"
                          " ORDER BY stage, path, page_id", (stage, stage))


def _series(r: sqlite3.Row) -> Series:
    titles = tuple(SeriesTitle(**t) for t in json.loads(r["titles"] or "[]"))
    return Series(code=r["code"], title=r["title"], publisher=r["publisher"],
                  first_year=r["first_year"], issues_per_year=r["issues_per_year"],
                  level=r["level"], province=r["province"], titles=titles, note=r["note"])


def _issue(r: sqlite3.Row) -> Issue:
    return Issue(id=r["id"], series=r["series"], year=r["year"], number=r["number"],
                 suffix=r["suffix"], printed_number=r["printed_number"], date=r["date"],
                 note=r["note"], source=r["source"], source_kind=r["source_kind"],
                 sha256=r["sha256"], page_count=r["page_count"])


def _page(r: sqlite3.Row) -> Page:
    return Page(id=r["id"], issue_id=r["issue_id"], seq=r["seq"], file=r["file"],
                file_page=r["file_page"], sha256=r["sha256"], width_px=r["width_px"],
                height_px=r["height_px"], dpi=r["dpi"], width_pt=r["width_pt"],
                height_pt=r["height_pt"])
