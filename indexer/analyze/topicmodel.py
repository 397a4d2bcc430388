"""Learning topics from editors: a classifier over the archive's own text and the keyword evidence.

Why: the keyword tagger (:mod:`indexer.analyze.topics`) is precise but misses labels (recall about
0.6 on articles it was not tuned on), so shares of the topics it misses are biased low. Every
label an editor confirms or corrects (the audit sample, the article page, the desk) is a
training example. The model is one logistic regression per topic (one-vs-rest) over

* TF-IDF of syllable unigrams and bigrams (a bigram is most Vietnamese words) of title,
  section, kind and text, fitted on the whole archive's text (no labels needed for that);
* the keyword evidence: per topic ``log(1 + points)`` and whether the keyword tagger labels it,
  so the editors' list keeps its say and a few hundred labels are enough.

Each regression weighs its classes equally (``class_weight="balanced"``: a rare topic is not
drowned by the articles without it, which keeps its recall up) and decides labels from that
balanced score; the probability reported is the same score with the prior put back (the
intercept shifted by ``log(π / (1 − π))``, π the topic's share of the labelled articles),
which is what log-loss fitting on unweighted classes would give. The calibration is measured
by cross-validation on the labelled articles (:func:`cross_validate`, Brier score
and calibration bias per topic) and that measured error is what the coverage intervals carry
(:mod:`review.shares`). A topic with fewer than :data:`MIN_POSITIVES` labelled examples (or no
negative) keeps the keyword tagger's decision, as a probability of :data:`KEYWORD_PROB`.

Labels: a topic is a label when its balanced score reaches :data:`THRESHOLD`; the most probable
topic always is; at most ``max_labels`` of the topic list.

Audit articles and agreement: the agreement of the machine with editors on audit articles is
measured by K-fold cross-validation (:func:`cross_validate`): each audit article is predicted
by a model trained without its fold. The model in force is trained on every label.

The model is derived data: written to ``index/topicmodel.pkl`` with its version (a hash of the
labels, the topic list key and :data:`MODEL_CODE`), retrained by ``bantin analyze`` when any
of those changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from archive.vntext import nfc
from indexer.analyze.topics import Taggable, TopicList, TopicScore

MODEL_CODE = "lr-2"  # bump when features or fitting change: every article is re-scored
THRESHOLD = 0.4
MIN_LABELLED = 20  # articles with editors' labels before a model is trained at all
MIN_POSITIVES = 2  # per topic, else the keyword decision stands
KEYWORD_PROB = (0.1, 0.9)  # probability given to a keyword "no" / "yes" for an untrained topic
C = 10.0  # inverse regularisation of every per-topic regression
FOLDS = 5


@dataclass(frozen=True)
class Example:
    """One labelled article: what the model reads and the editor's labels."""

    article_id: str
    item: Taggable
    keyword: Sequence[TopicScore]
    labels: frozenset[str]


def document_text(item: Taggable) -> str:
    """What the TF-IDF reads: the title twice (it says most), section, kind, text; NFC, lower."""
    return nfc(" ".join([item.title, item.title, item.section or "", f"kind{item.kind or ''}",
                         item.text or ""])).lower()


def keyword_matrix(scores: Sequence[Sequence[TopicScore]], slugs: Sequence[str]) -> np.ndarray:
    """Per article, per topic: log(1 + keyword points), then per topic the keyword label."""
    index = {s: j for j, s in enumerate(slugs)}
    out = np.zeros((len(scores), 2 * len(slugs)))
    for i, row in enumerate(scores):
        for s in row:
            j = index.get(s.topic)
            if j is not None:
                out[i, j] = np.log1p(max(s.score, 0.0))
                out[i, len(slugs) + j] = float(s.label)
    return out


@dataclass
class TopicModel:
    """A fitted model: the vectorizer, one regression (or None: keyword decision) per topic."""

    version: str
    slugs: tuple[str, ...]
    vectorizer: TfidfVectorizer
    models: list[LogisticRegression | None]
    max_labels: int
    priors: list[float]  # per topic: log(π / (1 − π)) of the labelled articles
    trained_on: int
    cv: Mapping[str, object] = field(default_factory=dict)  # see cross_validate

    def features(self, items: Sequence[Taggable], keyword: Sequence[Sequence[TopicScore]]) -> sp.csr_matrix:
        text = self.vectorizer.transform([document_text(i) for i in items])
        return sp.hstack([text, sp.csr_matrix(keyword_matrix(keyword, self.slugs))]).tocsr()

    def scores(self, items: Sequence[Taggable],
               keyword: Sequence[Sequence[TopicScore]]) -> tuple[np.ndarray, np.ndarray]:
        """Articles × topics (in ``slugs`` order): the balanced scores labels are decided
        from, and the probabilities (prior put back)."""
        if not items:
            empty = np.zeros((0, len(self.slugs)))
            return empty, empty
        return _predict(self.models, self.priors, self.features(items, keyword), len(self.slugs))

    def probabilities(self, items: Sequence[Taggable],
                      keyword: Sequence[Sequence[TopicScore]]) -> np.ndarray:
        return self.scores(items, keyword)[1]

    def labels(self, balanced: np.ndarray) -> list[set[str]]:
        return decide(balanced, self.slugs, self.max_labels)


def _predict(models: Sequence[LogisticRegression | None], priors: Sequence[float],
             x: sp.csr_matrix, k: int) -> tuple[np.ndarray, np.ndarray]:
    kw = x[:, -k:].toarray()
    balanced = np.zeros((x.shape[0], k))
    probs = np.zeros((x.shape[0], k))
    for j, m in enumerate(models):
        if m is None:
            balanced[:, j] = probs[:, j] = np.where(kw[:, j] > 0, KEYWORD_PROB[1], KEYWORD_PROB[0])
        else:
            z = m.decision_function(x)
            balanced[:, j] = 1.0 / (1.0 + np.exp(-z))
            probs[:, j] = 1.0 / (1.0 + np.exp(-(z + priors[j])))
    return balanced, probs


def decide(probs: np.ndarray, slugs: Sequence[str], max_labels: int) -> list[set[str]]:
    """Labels from probabilities: every topic at :data:`THRESHOLD` or more, at least the most
    probable, at most ``max_labels`` (the most probable)."""
    out = []
    for row in probs:
        order = np.argsort(-row, kind="stable")
        chosen = [j for j in order[:max_labels] if row[j] >= THRESHOLD] or [int(order[0])]
        out.append({slugs[j] for j in chosen})
    return out


def model_version(labels: Mapping[str, Iterable[str]], topic_list: TopicList) -> str:
    """What the model is made from: every (article, labels) pair, the topic list, the code."""
    payload = json.dumps([MODEL_CODE, topic_list.key,
                          sorted((k, sorted(v)) for k, v in labels.items())], ensure_ascii=False)
    return "m" + hashlib.sha1(payload.encode("utf-8")).hexdigest()[:10]


def fit_vectorizer(corpus: Iterable[Taggable]) -> TfidfVectorizer:
    vec = TfidfVectorizer(token_pattern=r"[^\W_]+", ngram_range=(1, 2), sublinear_tf=True,
                          min_df=2, max_features=60000, dtype=np.float32)
    vec.fit([document_text(i) for i in corpus])
    return vec


def _fit_topics(x: sp.csr_matrix, y: np.ndarray) -> tuple[list[LogisticRegression | None], list[float]]:
    models: list[LogisticRegression | None] = []
    priors: list[float] = []
    for j in range(y.shape[1]):
        pos = int(y[:, j].sum())
        if pos < MIN_POSITIVES or pos == len(y):
            models.append(None)
            priors.append(0.0)
            continue
        m = LogisticRegression(C=C, max_iter=2000, class_weight="balanced", solver="liblinear",
                               dual=True)  # dual: far faster with fewer articles than features
        m.fit(x, y[:, j])
        models.append(m)
        priors.append(float(np.log(pos / (len(y) - pos))))
    return models, priors


def _targets(examples: Sequence[Example], slugs: Sequence[str]) -> np.ndarray:
    return np.array([[s in e.labels for s in slugs] for e in examples], dtype=int)


def train(examples: Sequence[Example], topic_list: TopicList, vectorizer: TfidfVectorizer, *,
          version: str, folds: int = FOLDS) -> TopicModel:
    """Fit the model on every example, and measure it by ``folds``-fold cross-validation."""
    slugs = topic_list.slugs
    model = TopicModel(version, slugs, vectorizer, [], topic_list.settings.max_labels, [],
                       len(examples))
    x = model.features([e.item for e in examples], [e.keyword for e in examples])
    y = _targets(examples, slugs)
    model.models, model.priors = _fit_topics(x, y)
    model.cv = cross_validate(model, x, y, folds) if folds > 1 else {}
    return model


def cross_validate(model: TopicModel, x: sp.csr_matrix, y: np.ndarray, folds: int) -> dict[str, object]:
    """Held-out probabilities of every labelled article (each predicted by a model trained
    without its fold, folds drawn by a fixed seed), and from them per topic the Brier score,
    the calibration bias (mean probability − mean label) and the counts of a 2×2 table at the
    decision rule. Returned as plain JSON-able values: ``probs`` (list of rows), ``folds``."""
    n = x.shape[0]
    held = np.zeros(y.shape)
    balanced = np.zeros(y.shape)
    order = np.random.default_rng(0).permutation(n)
    for f in range(folds):
        test = np.sort(order[f::folds])
        train_rows = np.setdiff1d(np.arange(n), test)
        models, priors = _fit_topics(x[train_rows], y[train_rows])
        balanced[test], held[test] = _predict(models, priors, x[test], len(model.slugs))
    topics = {}
    for j, slug in enumerate(model.slugs):
        err = held[:, j] - y[:, j]
        topics[slug] = {"brier": float(np.mean(err ** 2)) if n else 0.0,
                        "bias": float(np.mean(err)) if n else 0.0,
                        "bias_se": float(np.std(err, ddof=1) / np.sqrt(n)) if n > 1 else 0.0,
                        "mean": float(np.mean(held[:, j])) if n else 0.0}
    labels = decide(balanced, model.slugs, model.max_labels)
    return {"folds": folds, "articles": n, "probs": held.round(4).tolist(),
            "labels": [sorted(x) for x in labels], "topics": topics}


# --- storage -----------------------------------------------------------------------------

def model_path(index_dir: str | Path) -> Path:
    return Path(index_dir) / "topicmodel.pkl"


def save_model(model: TopicModel, path: str | Path) -> None:
    """Write atomically (temporary name, then ``os.replace``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".topicmodel-")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_model(path: str | Path) -> TopicModel | None:
    """The saved model, or None when there is none or it cannot be read (it is derived: the
    next ``bantin analyze`` trains it again). Only files this program wrote are read."""
    try:
        with open(path, "rb") as f:
            model = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return model if isinstance(model, TopicModel) else None
