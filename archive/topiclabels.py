"""Editors' topic labels and audit samples: the SQL of ``archive/schema/050_topic_audit.sql``.

Why in the catalog (and so in every backup): a label an editor gave is work nobody should do
twice; it is the topic model's training data and the editors' side of the agreement figures.
Each row records the machine's labels and the model version in force when it was saved, so
an agreement figure can always say which model it measured.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from archive.catalog import Catalog, now

SOURCES = ("audit", "article", "desk", "import")


@dataclass(frozen=True)
class AuditSample:
    id: int
    n: int
    by: str
    seed: int
    drawn_by: str
    drawn_at: str
    strata: dict[str, list[int]]  # stratum → [population, drawn]


@dataclass(frozen=True)
class LabelRow:
    article_id: str
    editor: str
    source: str
    sample_id: int | None
    labels: tuple[str, ...]
    machine: tuple[str, ...]
    model_version: str
    at: str


def current_model_version(db: sqlite3.Connection) -> str:
    row = db.execute("SELECT version FROM topic_model WHERE id = 1").fetchone()
    return row[0] if row else ""


def machine_labels(db: sqlite3.Connection, article_id: str) -> list[str]:
    return sorted(r[0] for r in db.execute(
        "SELECT topic FROM article_topic WHERE article_id = ? AND label = 1", (article_id,)))


def record_label(db: sqlite3.Connection, article_id: str, labels: Iterable[str], *, editor: str,
                 source: str, sample_id: int | None = None,
                 machine: Sequence[str] | None = None) -> None:
    """Add one editor's labels for an article (inside the caller's transaction), with the
    machine's labels (those in force before any editor labelled it) and the model version in
    force now."""
    if source not in SOURCES:
        raise ValueError(f"unknown label source {source!r}")
    if machine is None:  # once an editor labelled it, the labels in force are theirs
        first = db.execute("SELECT machine FROM topic_label WHERE article_id = ? ORDER BY id LIMIT 1",
                           (article_id,)).fetchone()
        shown = json.loads(first[0]) if first else machine_labels(db, article_id)
    else:
        shown = list(machine)
    db.execute("INSERT INTO topic_label(article_id, editor, source, sample_id, labels, machine,"
               " model_version, at) VALUES (?,?,?,?,?,?,?,?)",
               (article_id, editor, source, sample_id, json.dumps(sorted(set(labels))),
                json.dumps(sorted(shown)), current_model_version(db), now()))


def _row(r: sqlite3.Row) -> LabelRow:
    return LabelRow(r["article_id"], r["editor"], r["source"], r["sample_id"],
                    tuple(json.loads(r["labels"])), tuple(json.loads(r["machine"])),
                    r["model_version"], r["at"])


def latest_labels(catalog: Catalog, *, sample_id: int | None = None) -> list[LabelRow]:
    """The label rows in force: the latest per (article, editor), of one sample when given."""
    where, params = ("WHERE sample_id = ?", (sample_id,)) if sample_id is not None else ("", ())
    rows = catalog.query(f"SELECT * FROM topic_label {where} ORDER BY id", params)
    latest: dict[tuple[str, str], sqlite3.Row] = {}
    for r in rows:
        latest[(r["article_id"], r["editor"])] = r
    return [_row(r) for r in latest.values()]


def labels_by_article(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """One set of labels per article labelled in an audit (or imported): the latest row of
    any editor. Labels set on the article page (source ``desk``) are recorded here for their
    model version, but the article's versions (``article_version``) hold them in force, so
    a restore withdraws them."""
    out: dict[str, tuple[str, ...]] = {}
    for r in catalog.query("SELECT article_id, labels FROM topic_label"
                           " WHERE source IN ('audit', 'import') ORDER BY id"):
        out[r["article_id"]] = tuple(json.loads(r["labels"]))
    return out


# --- audit samples -----------------------------------------------------------------------

def save_sample(catalog: Catalog, *, n: int, by: str, seed: int, drawn_by: str,
                items: Sequence[tuple[str, str]], strata: dict[str, list[int]]) -> int:
    """Store a drawn sample (``items``: (article id, stratum) in desk order); its id."""
    with catalog.transaction() as db:
        cur = db.execute("INSERT INTO audit_sample(n, by, seed, drawn_by, drawn_at, strata)"
                         " VALUES (?,?,?,?,?,?)", (n, by, seed, drawn_by, now(), json.dumps(strata)))
        sample_id = int(cur.lastrowid or 0)
        db.executemany("INSERT INTO audit_item(sample_id, position, article_id, stratum)"
                       " VALUES (?,?,?,?)",
                       [(sample_id, i, a, s) for i, (a, s) in enumerate(items, 1)])
    return sample_id


def samples(catalog: Catalog) -> list[AuditSample]:
    return [AuditSample(r["id"], r["n"], r["by"], r["seed"], r["drawn_by"], r["drawn_at"],
                        json.loads(r["strata"]))
            for r in catalog.query("SELECT * FROM audit_sample ORDER BY id")]


def sample(catalog: Catalog, sample_id: int) -> AuditSample | None:
    return next((s for s in samples(catalog) if s.id == sample_id), None)


def sample_items(catalog: Catalog, sample_id: int) -> list[tuple[int, str, str]]:
    """(position, article id, stratum) of a sample, in desk order."""
    return [(r["position"], r["article_id"], r["stratum"]) for r in catalog.query(
        "SELECT * FROM audit_item WHERE sample_id = ? ORDER BY position", (sample_id,))]


def audit_article_ids(catalog: Catalog) -> set[str]:
    return {r["article_id"] for r in catalog.query("SELECT article_id FROM audit_item")}


def progress(catalog: Catalog, sample_id: int) -> dict[str, int]:
    """Per editor, how many articles of the sample they labelled."""
    return {r["editor"]: r["n"] for r in catalog.query(
        "SELECT editor, COUNT(DISTINCT article_id) n FROM topic_label WHERE sample_id = ?"
        " GROUP BY editor ORDER BY editor", (sample_id,))}
