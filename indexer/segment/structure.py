"""Saving an editor's structural edit of an issue: split, merge, undo.

Each save checks the issue's structure version the form started from (``base_ops``), stores
the op (:mod:`indexer.segment.ops`) and rewrites the issue's articles in force
(:func:`indexer.segment.edits.materialise`), all in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from archive.catalog import Catalog, now
from archive.editorial import EditConflict, fault_point, text_diff
from archive.errors import UsageError
from archive.issued import issued_ids
from archive.vntext import nfc
from indexer.segment.edits import machine_articles, materialise
from indexer.segment.ops import MAX_TITLE, anchor, issue_ops, paragraphs, read_ops, replay, split_at, structure_version
from indexer.segment.segmenter import make_article_id


def _check_structure(catalog: Catalog, issue_id: str, base_ops: int) -> int:
    current = structure_version(catalog, issue_id)
    if current != base_ops:
        ops = [f"{o.seq}. {o.kind} {', '.join(a for a in o.articles if a)}"
               + (" (đã hoàn tác)" if o.undone else "") for o in issue_ops(catalog, issue_id)
               if o.seq > base_ops]
        text = "\n".join(ops)
        raise EditConflict(f"the articles of issue {issue_id}", base_ops, current, text,
                           text_diff("", text, f"thao tác {base_ops}", "thao tác mới"))
    return current


def _add_op(db: sqlite3.Connection, catalog: Catalog, issue_id: str, seq: int, op: dict[str, Any],
            author: str, reason: str) -> tuple[str, ...]:
    """Store the op and rewrite the issue's articles (inside the caller's transaction);
    returns the ids in force after it."""
    db.execute("INSERT INTO issue_op(issue_id, seq, op, author, at, reason) VALUES (?,?,?,?,?,?)",
               (issue_id, seq, json.dumps(op, ensure_ascii=False), author, now(), nfc(reason)))
    fault_point("article-save")
    return materialise(db, catalog, issue_id).ids


def split_article(catalog: Catalog, article_id: str, at: int, title: str = "", *, author: str,
                  base_ops: int, reason: str = "") -> str:
    """Split an article before its paragraph ``at`` (0-based, at least 1); the new part is
    titled ``title``, or by its first paragraph when ``title`` is empty. Returns its id
    (the id rule: ``<issue>-p<first page>-<hash of the title>``)."""
    if not author:
        raise UsageError("a correction needs its author")
    title = " ".join(nfc(title).split())
    with catalog.transaction() as db:
        row = db.execute("SELECT issue_id FROM article WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise UsageError(f"no article {article_id} in the catalog")
        issue_id = row["issue_id"]
        current = _check_structure(catalog, issue_id, base_ops)
        articles = replay(machine_articles(db, issue_id), read_ops(db, issue_id))
        target = next((a for a in articles if a.id == article_id), None)
        if target is None:
            raise UsageError(f"tin, bài {article_id} không thuộc số này")
        paras = paragraphs(target.text)
        if not 0 < at < len(paras):
            raise UsageError(f"chọn đoạn để tách, từ 2 đến {len(paras)}")
        name = title or paras[at]
        if len(name) > MAX_TITLE:
            raise UsageError("tiêu đề của tin, bài mới quá dài: hãy gõ một tiêu đề")
        if not title and at == len(paras) - 1:
            raise UsageError("lấy đoạn này làm tiêu đề thì tin, bài mới sẽ trống")
        op = {"op": "split", "article": article_id, "at": at, "anchor": anchor(paras[at]),
              "title": title}
        trial = split_at(articles, {**op, "new_id": "-"})
        first_page = next(a for a in trial if a.id == "-").first_page
        taken = {a.id for a in articles} | issued_ids(db, issue_id)  # never an id issued before
        op["new_id"] = make_article_id(issue_id, first_page, name, taken)
        done = _add_op(db, catalog, issue_id, current + 1, op, author, reason)
    assert op["new_id"] in done
    return str(op["new_id"])


def merge_articles(catalog: Catalog, article_ids: Sequence[str], *, author: str, base_ops: int,
                   reason: str = "") -> str:
    """Merge articles of one issue into the first of them (in issue order); returns its id.
    The merged article takes the kind of its largest part (a title taken for a short *tin*
    merged back into its long article gives a *bài*)."""
    if not author:
        raise UsageError("a correction needs its author")
    ids = list(dict.fromkeys(article_ids))
    if len(ids) < 2:
        raise UsageError("chọn ít nhất hai tin, bài để gộp")
    with catalog.transaction() as db:
        rows = db.execute(f"SELECT id, issue_id, seq FROM article WHERE id IN ({','.join('?' * len(ids))})",
                          ids).fetchall()
        if len(rows) != len(ids):
            raise UsageError("có tin, bài không còn trong kho")
        issues = {r["issue_id"] for r in rows}
        if len(issues) != 1:
            raise UsageError("chỉ gộp được các tin, bài cùng một số")
        issue_id = issues.pop()
        current = _check_structure(catalog, issue_id, base_ops)
        ordered = [r["id"] for r in sorted(rows, key=lambda r: r["seq"])]
        _add_op(db, catalog, issue_id, current + 1, {"op": "merge", "articles": ordered}, author, reason)
    return ordered[0]


def undo_op(catalog: Catalog, issue_id: str, seq: int, *, author: str, base_ops: int,
            reason: str = "") -> None:
    """Revert a split or merge (later edits that depended on it stop applying, and say so
    in the log); recorded as an ``undo`` op so the history shows who reverted it."""
    with catalog.transaction() as db:
        current = _check_structure(catalog, issue_id, base_ops)
        row = db.execute("SELECT op, undone FROM issue_op WHERE issue_id = ? AND seq = ?",
                         (issue_id, seq)).fetchone()
        if row is None or json.loads(row["op"]).get("op") not in ("split", "merge"):
            raise UsageError(f"số {issue_id} không có thao tác tách, gộp thứ {seq}")
        if row["undone"]:
            raise UsageError(f"thao tác {seq} của số {issue_id} đã được hoàn tác")
        db.execute("UPDATE issue_op SET undone = 1 WHERE issue_id = ? AND seq = ?", (issue_id, seq))
        before = {r[0] for r in db.execute("SELECT id FROM article WHERE issue_id = ?", (issue_id,))}
        _add_op(db, catalog, issue_id, current + 1, {"op": "undo", "target": seq}, author,
                reason or f"hoàn tác thao tác {seq}")
        after = {r[0] for r in db.execute("SELECT id FROM article WHERE issue_id = ?", (issue_id,))}
        # articles back from a merge were deleted with their analysis: have them analysed again
        db.executemany("DELETE FROM analyze_state WHERE article_id = ?", [(i,) for i in after - before])
