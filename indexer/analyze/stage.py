"""The analyze stage: topic labels and cited documents for every article, redone only when stale.

Why incremental: tagging the whole archive is cheap but not free, and an editor who adds a
term wants the new labels without waiting for segmentation or OCR. Each article's analysis
records what it was made from (:data:`analyze_state`): a key of its text, the topic list's
version+fingerprint and the citation rules' version+register fingerprint. A rerun redoes an
article when its text changed, every article's topics when the topic list changed, every
article's citations (and topics, which use them) when the rules or the register changed.
Writes go in batches of :data:`BATCH` articles, one transaction each: a crash loses one batch.

Articles are read through :func:`read_articles` only, so editors' corrections (issue 7) can
be applied in one place.

Why one module of a little over 400 lines: reading articles, tagging, the learnt model's scores
and writing labels with editors' labels winning are one transaction per article batch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from archive.catalog import Catalog, now
from archive.editorial import effective_page
from archive.models import Article
from archive.progress import Progress
from archive.topiclabels import labels_by_article
from archive.worklist import editors_refs
from indexer.analyze.citations import Citation, Measure, find_citations, rules_key
from indexer.analyze.citations import evaluate as evaluate_refs
from indexer.analyze.reconcile import Reading, reconcile, unsure_tokens
from indexer.analyze.register import Register, load_register, register_path
from indexer.analyze.topicfile import load_topics, topics_path
from indexer.analyze.topicmodel import (
    MIN_LABELLED,
    Example,
    TopicModel,
    fit_vectorizer,
    load_model,
    model_path,
    model_version,
    save_model,
    train,
)
from indexer.analyze.topics import Item, TopicList, TopicScore, tag_topics
from indexer.analyze.topics import evaluate as evaluate_topics
from indexer.segment.edits import editor_topics

log = logging.getLogger(__name__)

BATCH = 200  # articles per transaction


@dataclass(frozen=True)
class Ref:
    """One cited document of one article, all its mentions folded together."""

    doc_id: str
    kind: str
    number: str
    doc_type: str
    body: str
    year: int | None
    date: str
    raw: str
    count: int
    issuer: str = ""
    known: bool = False
    doubt: str = ""  # '' when it counts; else why it waits for an editor (indexer.analyze.reconcile)
    was: str = ""  # the identifier as read, when the register replaced it


@dataclass
class AnalyzeReport:
    analyzed: int = 0  # articles whose topics or citations were redone
    current: int = 0  # articles skipped as up to date
    failed: list[str] = field(default_factory=list)  # "article id: message"
    topics_version: str = ""
    refs_version: str = ""
    seconds: float = 0.0
    trained: int = 0  # labelled articles the topic model was (re)trained on this run; 0: none

    def summary(self) -> str:
        model = f", model trained on {self.trained} labelled articles" if self.trained else ""
        return (f"analyze: {self.analyzed} articles analysed, {self.current} current, "
                f"{len(self.failed)} failed (topics {self.topics_version}, "
                f"citations {self.refs_version}{model}), {self.seconds:.1f} s")


# --- reading articles --------------------------------------------------------------------

def has_articles_table(catalog: Catalog) -> bool:
    return catalog.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'article'") \
        is not None


def article_ids(catalog: Catalog) -> list[str]:
    """Every article id, in a stable order (series, year, issue, order in the issue)."""
    if not has_articles_table(catalog):
        return []
    rows = catalog.query("SELECT a.id FROM article a JOIN issue i ON i.id = a.issue_id"
                         " ORDER BY i.series, i.year, CAST(i.number AS INTEGER), i.number, i.suffix, a.seq, a.id")
    return [r["id"] for r in rows]


def read_articles(catalog: Catalog, ids: Iterable[str] | None = None) -> Iterator[Article]:
    """The articles in force, as values: the one place analysis and suggestions read them.

    The articles in force (table ``article``: the segment stage and every editor's edit
    write them with corrections applied, see ``indexer.segment.edits``) with their issue's
    series, year, number and date. Editors' topic labels are applied when writing (:func:`_write`).
    """
    wanted = list(ids) if ids is not None else article_ids(catalog)
    for i in range(0, len(wanted), 500):
        chunk = wanted[i:i + 500]
        marks = ",".join("?" * len(chunk))
        rows = catalog.query(
            "SELECT a.*, i.series, i.year, i.number, i.date AS issue_date FROM article a"
            f" JOIN issue i ON i.id = a.issue_id WHERE a.id IN ({marks})", chunk)
        by_id = {r["id"]: r for r in rows}
        for article_id in chunk:
            r = by_id.get(article_id)
            if r is not None:
                yield _article(r)


def _article(r: sqlite3.Row) -> Article:
    try:
        boxes = {int(k): [tuple(b) for b in v] for k, v in json.loads(r["boxes"] or "{}").items()}
    except (ValueError, TypeError, AttributeError):
        boxes = {}
    date = (r["issue_date"] or "")[:7] or str(r["year"])
    return Article(id=r["id"], issue_id=r["issue_id"], series=r["series"], year=r["year"],
                   number=r["number"], seq=r["seq"], section=r["section"] or "",
                   title=r["title"] or "", byline=r["byline"] or "",
                   first_page=r["first_page"], last_page=r["last_page"], kind=r["kind"] or "",
                   text=r["text"] or "", words=r["words"] or 0,
                   confidence=r["confidence"] or 0.0, date=date, boxes=boxes)  # type: ignore[arg-type]


def text_key(article: Article) -> str:
    """Fingerprint of everything analysis reads from an article."""
    payload = json.dumps([article.title, article.section, article.kind, article.text,
                          article.date], ensure_ascii=False)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


# --- analysing one article ---------------------------------------------------------------

def collect_refs(citations: Iterable[Citation | Reading]) -> list[Ref]:
    """One :class:`Ref` per document: mentions counted, the first mention's spelling kept,
    the first date and issuer any mention gives; doubtful only when every mention is."""
    grouped: dict[str, list[Reading]] = {}
    for c in citations:
        r = c if isinstance(c, Reading) else Reading(c)
        grouped.setdefault(r.citation.doc_id, []).append(r)
    out = []
    for doc_id, rs in grouped.items():
        cs = [r.citation for r in rs]
        first = cs[0]
        doubts = [r.doubt for r in rs]
        out.append(Ref(doc_id=doc_id, kind=next((c.kind for c in cs if c.kind), ""),
                       number=first.number, doc_type=first.doc_type, body=first.body,
                       year=next((c.year for c in cs if c.year), None),
                       date=next((c.date for c in cs if c.date), ""), raw=first.raw,
                       count=len(cs), issuer=next((c.issuer for c in cs if c.issuer), ""),
                       known=any(c.known for c in cs),
                       doubt=doubts[0] if all(doubts) else "",
                       was=next((r.was for r in rs if r.was), "")))
    return out


def analyze_article(article: Article, topic_list: TopicList, register: Register,
                    unsure: frozenset[str] | None = None) -> tuple[list[TopicScore], list[Ref]]:
    """Topics and cited documents of one article (title and text both searched).

    ``unsure`` (for an article on a page read by OCR: the words with a digit Tesseract was
    unsure of, :func:`indexer.analyze.reconcile.unsure_tokens`) turns on the reconciliation
    of its cited documents with the register; None (born-digital) trusts them as read."""
    text = f"{article.title}\n\n{article.text}"
    when = article.date or str(article.year)
    citations = find_citations(text, register=register, when=when)
    readings = (reconcile(text, citations, register, when, unsure) if unsure is not None
                else [Reading(c) for c in citations])
    refs = collect_refs(readings)
    # a doubtful reading is no evidence for a topic either (it waits for an editor)
    scores = tag_topics(article, topic_list, doc_ids=[r.citation.doc_id for r in readings
                                                      if not r.doubt])
    return scores, refs


# --- the stage ---------------------------------------------------------------------------

def run_analyze(catalog: Catalog, home: str | Path | None = None, *, force: bool = False,
                topic_list: TopicList | None = None,
                register: Register | None = None,
                only: Iterable[str] | None = None) -> AnalyzeReport:
    """Analyse every article that is out of date (all with ``force``).

    The topic list and register come from ``home`` (an editor's copy there wins over the
    shipped one, see :func:`indexer.analyze.topicfile.topics_path`) unless given. A malformed file
    raises :class:`indexer.analyze.datafile.DataFileError` naming the line, before anything is written.
    """
    started = time.monotonic()
    topic_list = topic_list or load_topics(topics_path(home))
    register = register if register is not None else load_register(register_path(home))
    model, trained = topic_model(catalog, topic_list, register, retrain=only is None)
    topics_version = topic_list.key + (f"+{model.version}" if model else "")
    report = AnalyzeReport(topics_version=topics_version, refs_version=rules_key(register),
                           trained=trained)
    ids = article_ids(catalog) if only is None else list(dict.fromkeys(only))  # only: after an edit
    if not ids:
        report.seconds = time.monotonic() - started
        return report
    if only is None:
        state = {r["article_id"]: r for r in catalog.query("SELECT * FROM analyze_state")}
    else:  # a few articles after an edit: not the whole table
        state = {r["article_id"]: r for i in range(0, len(ids), 500) for r in catalog.query(
            f"SELECT * FROM analyze_state WHERE article_id IN ({','.join('?' * len(ids[i:i + 500]))})",
            ids[i:i + 500])}
    if only is None:
        catalog.clear_problems("analyze")
    todo: list[str] = []
    for i in range(0, len(ids), 500):
        for article in read_articles(catalog, ids[i:i + 500]):
            st = state.get(article.id)
            current = (st is not None and st["text_key"] == text_key(article)
                       and st["topics_version"] == report.topics_version
                       and st["refs_version"] == report.refs_version)
            if current and not force:
                report.current += 1
            else:
                todo.append(article.id)
    with Progress(len(todo), "analyze") as progress:
        for i in range(0, len(todo), BATCH):
            batch = list(read_articles(catalog, todo[i:i + BATCH]))
            unsure = unsure_words(catalog, batch)
            results = []
            for article in batch:
                try:
                    results.append((article, *analyze_article(article, topic_list, register,
                                                              unsure.get(article.id))))
                except Exception as e:  # one bad article must not stop the stage
                    log.exception("analyze: %s failed", article.id)
                    report.failed.append(f"{article.id}: {e}")
                    catalog.add_problem("analyze", f"article {article.id}: {e}",
                                        issue_id=article.issue_id)
                    progress.advance(failed=True)
            probs = apply_model(model, results)
            _write(catalog, results, report.topics_version, report.refs_version, probs)
            report.analyzed += len(results)
            progress.advance(len(results))
    report.seconds = time.monotonic() - started
    log.info("%s", report.summary())
    return report


def editors_labels(catalog: Catalog, ids: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Labels editors set, per article: a correction on the article (``article_version``)
    wins over the latest label given in the audit or the desk (``topic_label``)."""
    given = {k: list(v) for k, v in labels_by_article(catalog).items()}
    wanted = article_ids(catalog) if ids is None else list(ids)
    if ids is not None:
        keep = set(wanted)
        given = {k: v for k, v in given.items() if k in keep}
    given.update(editor_topics(catalog, wanted))
    return given


def topic_model(catalog: Catalog, topic_list: TopicList, register: Register, *,
                retrain: bool = True) -> tuple[TopicModel | None, int]:
    """The topic model in force and how many articles it was trained on in this call (0 when
    the saved one is current, or ``retrain`` is False: after a single edit the saved model
    scores the article and the next full ``bantin analyze`` retrains). None until editors
    have labelled :data:`indexer.analyze.topicmodel.MIN_LABELLED` articles."""
    path = model_path(catalog.path.parent)
    saved = load_model(path)
    if not retrain:
        return (saved if saved is not None and saved.slugs == topic_list.slugs else None), 0
    labels = editors_labels(catalog)
    held = set(article_ids(catalog))
    present = {a: v for a, v in labels.items() if a in held}
    if len(present) < MIN_LABELLED:
        if saved is not None or catalog.one("SELECT 1 FROM topic_model") is not None:
            path.unlink(missing_ok=True)
            with catalog.transaction() as db:
                db.execute("DELETE FROM topic_model")
        return None, 0
    version = model_version(present, topic_list)
    if saved is not None and saved.version == version:
        return saved, 0
    corpus = list(read_articles(catalog))
    examples = []
    for article in corpus:
        if article.id in present:
            scores, _refs = analyze_article(article, topic_list, register)
            examples.append(Example(article.id, article, scores, frozenset(present[article.id])))
    model = train(examples, topic_list, fit_vectorizer(corpus), version=version)
    save_model(model, path)
    with catalog.transaction() as db:
        db.execute("INSERT INTO topic_model(id, version, trained_at, labelled, cv) VALUES"
                   " (1,?,?,?,?) ON CONFLICT(id) DO UPDATE SET version = excluded.version,"
                   " trained_at = excluded.trained_at, labelled = excluded.labelled,"
                   " cv = excluded.cv",
                   (version, now(), len(examples), json.dumps(
                       {**model.cv, "ids": [e.article_id for e in examples]})))
    log.info("topic model %s trained on %d labelled articles", version, len(examples))
    return model, len(examples)


def apply_model(model: TopicModel | None,
                results: list[tuple[Article, list[TopicScore], list[Ref]]]) -> dict[str, dict[str, float]]:
    """Replace each result's keyword labels by the model's (in place) and return the
    probabilities per article and topic; empty without a model."""
    if model is None or not results:
        return {}
    balanced, probs = model.scores([a for a, _s, _r in results], [s for _a, s, _r in results])
    out: dict[str, dict[str, float]] = {}
    for i, (labels, (article, scores, _refs)) in enumerate(zip(model.labels(balanced), results)):
        out[article.id] = {slug: float(probs[i, j]) for j, slug in enumerate(model.slugs)}
        scores[:] = [TopicScore(s.topic, s.score, s.topic in labels, s.evidence) for s in scores]
    return out


def _write(catalog: Catalog, results: list[tuple[Article, list[TopicScore], list[Ref]]],
           topics_version: str, refs_version: str,
           probs: dict[str, dict[str, float]] | None = None) -> None:
    """Replace the analysis of a batch of articles in one transaction. Labels an editor set
    (:func:`editors_labels`) replace the machine's; scores and evidence stay."""
    stamp = now()
    edited = editors_labels(catalog, [a.id for a, _, _ in results])
    probs = probs or {}
    with catalog.transaction() as db:
        for article, scores, refs in results:
            # a document read by OCR that reconciliation could not settle waits for an editor
            db.execute("DELETE FROM ref_review WHERE article_id = ? AND status = 'pending'",
                       (article.id,))
            db.executemany(
                "INSERT OR IGNORE INTO ref_review(article_id, doc_id, raw, reason)"
                " VALUES (?,?,?,?)",
                [(article.id, r.doc_id, r.raw, r.doubt) for r in refs if r.doubt])
            db.execute("DELETE FROM article_topic WHERE article_id = ?", (article.id,))
            db.execute("DELETE FROM article_ref WHERE article_id = ?", (article.id,))
            db.execute("DELETE FROM topic_prob WHERE article_id = ?", (article.id,))
            db.executemany("INSERT INTO topic_prob(article_id, topic, prob, model_version)"
                           " VALUES (?,?,?,?)",
                           [(article.id, t, round(p, 5), topics_version.rpartition("+")[2])
                            for t, p in probs.get(article.id, {}).items()])
            labels = edited.get(article.id)
            db.executemany(
                "INSERT INTO article_topic(article_id, topic, score, label, evidence,"
                " topics_version) VALUES (?,?,?,?,?,?)",
                [(article.id, s.topic, s.score, int(s.label if labels is None else s.topic in labels),
                  json.dumps(dict(s.evidence), ensure_ascii=False), topics_version)
                 for s in scores if s.score > 0 or s.label or (labels and s.topic in labels)]
                + [(article.id, t, 0.0, 1, "{}", topics_version) for t in labels or ()
                   if t not in {s.topic for s in scores}])
            db.executemany(
                "INSERT INTO article_ref(article_id, doc_id, kind, number, doc_type, body, year,"
                " date, raw, count, issuer, known) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [(article.id, r.doc_id, r.kind, r.number, r.doc_type, r.body, r.year, r.date,
                  r.raw, r.count, r.issuer, int(r.known)) for r in refs])
            found = {r.doc_id for r in refs}
            db.executemany(  # a document an editor gave in place of a misreading
                "INSERT OR IGNORE INTO article_ref(article_id, doc_id, raw, count) VALUES (?,?,?,1)",
                [(article.id, d, raw) for d, raw in editors_refs(catalog, article.id) if d not in found])
            db.execute(
                "INSERT INTO analyze_state(article_id, text_key, topics_version, refs_version,"
                " analyzed_at) VALUES (?,?,?,?,?) ON CONFLICT(article_id) DO UPDATE SET"
                " text_key = excluded.text_key, topics_version = excluded.topics_version,"
                " refs_version = excluded.refs_version, analyzed_at = excluded.analyzed_at",
                (article.id, text_key(article), topics_version, refs_version, stamp))


def unsure_words(catalog: Catalog, articles: Iterable[Article]) -> dict[str, frozenset[str]]:
    """For each article with a page read by OCR: the words with a digit read below
    :data:`indexer.analyze.reconcile.LOW_WORD` on its pages (text in force: an editor's
    correction counts as sure). Articles on born-digital pages are left out."""
    arts = list(articles)
    ocr = ocr_articles(catalog, arts)
    pages: dict[tuple[str, int], frozenset[str]] = {}
    out: dict[str, frozenset[str]] = {}
    for a in arts:
        if a.id not in ocr:
            continue
        tokens: set[str] = set()
        for seq in range(a.first_page, a.last_page + 1):
            key = (a.issue_id, seq)
            if key not in pages:
                version = effective_page(catalog, f"{a.issue_id}/{seq}")
                pages[key] = unsure_tokens(version.words) if version is not None else frozenset()
            tokens |= pages[key]
        out[a.id] = frozenset(tokens)
    return out


def ocr_articles(catalog: Catalog, articles: Iterable[Article]) -> set[str]:
    """Ids of the articles with a page read by OCR."""
    by_issue: dict[str, list[Article]] = {}
    for a in articles:
        by_issue.setdefault(a.issue_id, []).append(a)
    out: set[str] = set()
    for issue_id, arts in by_issue.items():
        seqs = {r["seq"] for r in catalog.query(
            "SELECT p.seq FROM page p JOIN page_text t ON t.page_id = p.id"
            " WHERE p.issue_id = ? AND t.method = 'ocr'", (issue_id,))}
        out.update(a.id for a in arts
                   if any(s in seqs for s in range(a.first_page, a.last_page + 1)))
    return out


# --- measuring on the sample's truth -----------------------------------------------------

@dataclass(frozen=True)
class TruthMeasure:
    """Topic labels and cited documents measured on the truth's own article text."""

    topics: Measure
    refs: Measure
    articles: int
    seconds: float


def evaluate_truth(articles_jsonl: str | Path, *, topic_list: TopicList | None = None,
                   register: Register | None = None) -> TruthMeasure:
    """Tag and cite every article of ``sample-truth/articles.jsonl`` from its true title,
    section, kind and text, and compare with its true ``topics`` and ``doc_refs``: the
    analysis alone, independent of segmentation (the bench measures the chain separately)."""

    topic_list = topic_list or load_topics()
    register = register if register is not None else load_register()
    started = time.monotonic()
    topic_pairs, ref_pairs = [], []
    with open(articles_jsonl, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            item = Item(rec.get("title", ""), rec.get("text", ""), rec.get("section", ""),
                        rec.get("kind", ""))
            when = str(rec.get("date") or rec.get("year") or "") or None
            cites = find_citations(f"{item.title}\n\n{item.text}", register=register, when=when)
            scores = tag_topics(item, topic_list, doc_ids=[c.doc_id for c in cites])
            topic_pairs.append(([s.topic for s in scores if s.label], rec.get("topics", [])))
            ref_pairs.append(({c.doc_id for c in cites}, rec.get("doc_refs", [])))
    return TruthMeasure(evaluate_topics(topic_pairs), evaluate_refs(ref_pairs), len(topic_pairs),
                        time.monotonic() - started)
