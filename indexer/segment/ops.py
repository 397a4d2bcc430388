"""Structural edits of an issue's articles: split one at a paragraph, merge several, undo.

Why ops replayed over the machine's articles (and not edited rows): a page correction or a
better segmenter re-segments the issue, and the editor's split must still apply. Each op is
a row of ``issue_op`` (JSON ``{"op": "split" | "merge" | "undo", ...}``); :func:`replay`
applies those not undone, in order, to the segmenter's articles. A split finds its paragraph
again by its first words (``anchor``), falling back to its number; a merge names its
articles. Undoing marks the op ``undone`` and adds an ``undo`` row, so the history keeps who
did what and the issue's structure version (its highest op number, carried by forms as
``base_ops``) only grows: a stale form is an :class:`archive.editorial.EditConflict`.

This module holds the ops and their replay; :mod:`indexer.segment.structure` saves an
editor's op and writes the articles in force (:func:`indexer.segment.edits.materialise`), in
the op's own transaction.
"""

from __future__ import annotations

import difflib
import json
import logging
import sqlite3
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from archive.catalog import Catalog, now
from archive.models import Article
from archive.vntext import match_key, nfc
from indexer.segment.articletext import word_count

log = logging.getLogger(__name__)

MAX_TITLE = 500  # characters
_ANCHOR_WORDS = 12  # words of a paragraph that find it again after re-segmentation
RENAME_SIMILARITY = 0.6  # folded-title likeness (0..1) of an article whose id changed with its title


@dataclass(frozen=True)
class IssueOp:
    """A structural edit of an issue: ``op`` is ``split``, ``merge``, ``undo``, or ``rename``
    (written by the segment stage when a corrected title changed an article's id)."""

    issue_id: str
    seq: int
    op: dict[str, Any]
    author: str
    at: str
    reason: str
    undone: bool = False

    @property
    def kind(self) -> str:
        return str(self.op.get("op", ""))

    @property
    def articles(self) -> list[str]:
        """Article ids this op touched (for an article's history)."""
        if self.kind == "split":
            return [self.op["article"], self.op.get("new_id", "")]
        if self.kind == "merge":
            return list(self.op.get("articles", []))
        if self.kind == "rename":
            return [self.op["from"], self.op["to"]]
        return []



def read_ops(db: sqlite3.Connection, issue_id: str) -> list[IssueOp]:
    return [IssueOp(r["issue_id"], r["seq"], json.loads(r["op"]), r["author"], r["at"], r["reason"],
                    bool(r["undone"]))
            for r in db.execute("SELECT * FROM issue_op WHERE issue_id = ? ORDER BY seq", (issue_id,))]


def issue_ops(catalog: Catalog, issue_id: str) -> list[IssueOp]:
    """Every structural edit of an issue, oldest first (undone ones included, marked)."""
    return read_ops(catalog.db, issue_id)


def structure_version(catalog: Catalog, issue_id: str) -> int:
    """The issue's structure version: the number of its last op (0 before any)."""
    row = catalog.one("SELECT MAX(seq) AS v FROM issue_op WHERE issue_id = ?", (issue_id,))
    return int(row["v"]) if row and row["v"] is not None else 0


def merged_into(catalog: Catalog, article_id: str) -> str | None:
    """The article ``article_id`` went into: merged by an editor, or renamed when its title
    changed (following chains), or None. Keeps old permalinks and collection items working."""
    seen = {article_id}
    current = article_id
    while True:
        found = None
        for r in catalog.query("SELECT op FROM issue_op WHERE undone = 0 AND instr(op, ?) > 0"
                               " ORDER BY seq DESC", (json.dumps(current),)):
            op = json.loads(r["op"])
            if op.get("op") == "merge" and current in op.get("articles", [])[1:]:
                found = op["articles"][0]
                break
            if op.get("op") == "rename" and op.get("from") == current:
                found = op["to"]
                break
        if found is None or found in seen:
            return None if current == article_id else current
        seen.add(found)
        current = found


def carry_renames(db: sqlite3.Connection, issue_id: str, previous: Sequence[Article],
                  machine: Sequence[Article]) -> dict[str, str]:
    """Carry editors' work to articles whose id the segmenter changed (inside the segment
    stage's transaction); returns {old id: new id}.

    The id hashes the title, so correcting a misread word of a title gives the article a new
    id. An article gone from the new segmentation is the same as a new one on the same first
    page whose folded title is at least :data:`RENAME_SIMILARITY` alike: its field versions,
    the collection items and the ops that name it move to the new id, and a ``rename`` op
    (by the machine, author '') keeps the old permalink redirecting.
    """
    new_ids = {a.id for a in machine}
    old_ids = {a.id for a in previous}
    added = [a for a in machine if a.id not in old_ids]
    pairs: dict[str, str] = {}
    for gone in (a for a in previous if a.id not in new_ids):
        best, score = None, 0.0
        for a in added:
            if a.first_page != gone.first_page or a.id in pairs.values():
                continue
            s = difflib.SequenceMatcher(None, match_key(gone.title), match_key(a.title)).ratio()
            if s > score:
                best, score = a, s
        if best is not None and score >= RENAME_SIMILARITY:
            pairs[gone.id] = best.id
    if not pairs:
        return pairs
    seq = db.execute("SELECT COALESCE(MAX(seq), 0) FROM issue_op WHERE issue_id = ?", (issue_id,)).fetchone()[0]
    for old, new in pairs.items():
        if db.execute("SELECT 1 FROM article_version WHERE article_id = ?", (new,)).fetchone() is None:
            db.execute("UPDATE article_version SET article_id = ? WHERE article_id = ?", (new, old))
        db.execute("UPDATE collection_item SET ref = ? WHERE kind = 'article' AND ref = ?", (new, old))
        db.execute("UPDATE issue_op SET op = replace(op, ?, ?) WHERE issue_id = ?",
                   (json.dumps(old), json.dumps(new), issue_id))
        seq += 1
        db.execute("INSERT INTO issue_op(issue_id, seq, op, author, at, reason) VALUES (?,?,?,?,?,?)",
                   (issue_id, seq, json.dumps({"op": "rename", "from": old, "to": new}), "", now(),
                    "tiêu đề đổi sau khi sửa chữ trên trang"))
    log.info("%s: article ids changed with their titles: %s", issue_id, pairs)
    return pairs


def replay(articles: list[Article], ops: list[IssueOp]) -> list[Article]:
    """``articles`` with the split and merge ops that are not undone applied in order; an op
    that no longer applies (its article is gone after re-segmentation) is skipped and logged."""
    for op in ops:
        if op.undone or op.kind not in ("split", "merge"):
            continue
        try:
            articles = split_at(articles, op.op) if op.kind == "split" else _merge(articles, op.op)
        except (KeyError, ValueError, TypeError) as e:
            log.warning("%s: edit %d (%s) no longer applies: %s", op.issue_id, op.seq, op.kind, e)
    return articles


def paragraphs(text: str) -> list[str]:
    return [p for p in (p.strip() for p in text.split("\n\n")) if p]


def anchor(paragraph: str) -> str:
    return " ".join(match_key(paragraph).split()[:_ANCHOR_WORDS])


def split_at(articles: list[Article], op: dict[str, Any]) -> list[Article]:
    k = next((i for i, a in enumerate(articles) if a.id == op["article"]), None)
    if k is None:
        raise ValueError(f"article {op['article']} is not in the issue any more")
    a = articles[k]
    paras = paragraphs(a.text)
    at = next((i for i, p in enumerate(paras) if i > 0 and anchor(p) == op.get("anchor")), None)
    if at is None:
        at = int(op["at"])
        if not 0 < at < len(paras):
            raise ValueError(f"paragraph {at} is not inside article {a.id}")
    head, tail = paras[:at], paras[at:]
    title = op.get("title") or ""
    if not title:  # the first paragraph of the new part is its title
        title, tail = tail[0], tail[1:]
    box_list = [(page, b) for page in sorted(a.boxes) for b in a.boxes[page]]
    head_words = sum(word_count(p) for p in head)
    share = head_words / max(1, head_words + sum(word_count(p) for p in tail) + word_count(title))
    cut = round(len(box_list) * share)
    first_boxes, second_boxes = _group(box_list[:cut]), _group(box_list[cut:])
    first_pages = sorted(first_boxes) or [a.first_page]
    second_pages = sorted(second_boxes) or [a.last_page]
    taken = {x.id for x in articles}
    new_id = str(op.get("new_id") or a.id + "-t")
    while new_id in taken:
        new_id += "-2"
    text_a, text_b = "\n\n".join(head), "\n\n".join(tail)
    first = replace(a, text=text_a, words=word_count(text_a), boxes=first_boxes,
                    first_page=first_pages[0], last_page=first_pages[-1])
    second = replace(a, id=new_id, title=nfc(title), byline="", text=text_b,
                     words=word_count(text_b), boxes=second_boxes, first_page=second_pages[0],
                     last_page=max(second_pages[-1], a.last_page))
    if a.byline:  # a signature closes the article: it belongs to the second part
        second = replace(second, byline=a.byline)
        first = replace(first, byline="")
    return articles[:k] + [first, second] + articles[k + 1:]


def _group(boxes: list[tuple[int, Any]]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for page, b in boxes:
        out.setdefault(page, []).append(b)
    return out


def _merge(articles: list[Article], op: dict[str, Any]) -> list[Article]:
    wanted = list(op["articles"])
    parts = [a for a in articles if a.id in wanted]
    if len(parts) < 2:
        raise ValueError("fewer than two of the merged articles are in the issue")
    parts.sort(key=lambda a: wanted.index(a.id))
    head = parts[0]
    # the later parts' titles were lines of the one article (a subheading taken for a title):
    # they go back into the text, so a split undone by a merge gives the text it had
    text = "\n\n".join(t for t in [head.text, *(x for p in parts[1:] for x in (p.title, p.text))] if t)
    words = sum(p.words for p in parts)
    conf = (sum(p.confidence * p.words for p in parts) / words) if words else \
        statistics.fmean(p.confidence for p in parts)
    boxes: dict[int, list[Any]] = {}
    for p in parts:
        for page, bs in p.boxes.items():
            boxes.setdefault(page, []).extend(bs)
    bylines = list(dict.fromkeys(p.byline for p in parts if p.byline))
    larger = max(parts, key=lambda p: p.words)  # the first of the largest on a tie
    merged = replace(head, kind=larger.kind, text=text, words=word_count(text), confidence=round(conf, 2),
                     boxes=boxes,
                     first_page=min(p.first_page for p in parts),
                     last_page=max(p.last_page for p in parts), byline=" ".join(bylines))
    gone = {p.id for p in parts[1:]}
    return [merged if a.id == head.id else a for a in articles if a.id not in gone]
