"""Curated topics: the editors' topic list (``topics.toml``), tagging articles with it, measuring.

Why a curated list with weighted phrases rather than a trained classifier: the review needs
labels an editor can read, explain and change (a new resolution, a new campaign) without
retraining anything, and every label must show its evidence. The unsupervised view
(:mod:`indexer.analyze.suggest`) only proposes what the list may lack.

How an article is scored (:func:`tag_topics`):

* text and terms are compared as folded syllables (no diacritics, đ→d, lower case: *hoà* and
  *hòa*, *Đảng* and *dang* meet), whole syllables only, never across a sentence end; at each
  place the longest term of a topic wins, so a negative term (``"môi trường đầu tư" = -2``)
  can cancel a shorter positive one (``"môi trường"``);
* a term found ``c`` times in the body adds ``weight × (1 + ln c)`` (repetition helps, but
  less and less); the body total is divided by ``sqrt(max(words, pivot) / pivot)`` so long
  articles do not win every topic; a term in the title adds ``weight × title_weight`` once;
* the section, the kind of item and the documents cited add their own points;
* the best topic is always a label; others are labels when their score reaches
  ``relative_threshold`` × the best and ``min_score``; at most ``max_labels``. An article
  that matches nothing gets the ``fallback`` topic with score 0 and no evidence.

Scores are points per article (not probabilities): comparable across articles of any length.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from archive.vntext import fold, nfc
from indexer.analyze.citations import find_citations
from indexer.analyze.measure import Measure, micro

SYLLABLE = re.compile(r"[^\W_]+")
# Sentence ends, paragraph breaks and brackets/quotes: a phrase never matches across them.
SENTENCE_BREAK = re.compile(r"[.!?;:…]+(?=\s|$)|\n\s*\n|[()\[\]\"“”«»]")



@dataclass(frozen=True)
class Settings:
    """How scores become labels (see the module docstring); defaults used when omitted."""

    title_weight: float = 3.0
    relative_threshold: float = 0.5
    min_score: float = 3.0
    max_labels: int = 3
    length_pivot: float = 150.0  # syllables
    fallback: str = "thoi-su"


@dataclass(frozen=True)
class Term:
    """One weighted term as the editor wrote it (NFC) and as it is matched (folded syllables)."""

    text: str
    key: tuple[str, ...]
    weight: float
    line: int = 0


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    description: str
    terms: tuple[Term, ...]
    sections: tuple[Term, ...] = ()
    documents: tuple[tuple[str, float], ...] = ()  # normalised document id, weight
    kinds: tuple[tuple[str, float], ...] = ()
    line: int = 0  # of its [[topic]] header


@dataclass(frozen=True)
class TopicScore:
    """One topic's result for one article. ``evidence`` maps each matched term (as written in
    the topic list; sections as ``chuyên mục: …``, kinds as ``thể loại: …``, documents by
    their identifier) to how many times it matched."""

    topic: str
    score: float
    label: bool
    evidence: Mapping[str, int] = field(default_factory=dict)


class Taggable(Protocol):
    """What tagging reads from an article (``archive.models.Article`` has all of it)."""

    @property
    def title(self) -> str: ...
    @property
    def section(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class Item:
    """A minimal article for tagging text that is not in the catalog (truth, tests)."""

    title: str
    text: str
    section: str = ""
    kind: str = ""


@dataclass(frozen=True)
class TopicList:
    version: str
    digest: str  # sha256 of the file's bytes
    topics: tuple[Topic, ...]
    settings: Settings = Settings()
    path: str = ""

    @property
    def key(self) -> str:
        """Version plus a fingerprint of the content: what every result records, so an edit
        made without bumping ``version`` still shows (and still triggers re-tagging)."""
        return f"{self.version}#{self.digest[:8]}"

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(t.slug for t in self.topics)

    def get(self, slug: str) -> Topic | None:
        return next((t for t in self.topics if t.slug == slug), None)

    @cached_property
    def _matcher(self) -> _Matcher:
        return _Matcher(self.topics)


# --- matching ----------------------------------------------------------------------------

def folded_syllables(text: str) -> list[str | None]:
    """Folded syllables of ``text`` in order, with None where a sentence or paragraph ends."""
    out: list[str | None] = []
    for i, part in enumerate(SENTENCE_BREAK.split(fold(nfc(text)))):
        if i:
            out.append(None)
        out.extend(SYLLABLE.findall(part))
    return out


def term_key(text: str) -> tuple[str, ...]:
    return tuple(SYLLABLE.findall(fold(nfc(text))))


class _Matcher:
    """All topics' terms indexed by folded syllables, for one pass over a text."""

    def __init__(self, topics: tuple[Topic, ...]) -> None:
        self.index: dict[tuple[str, ...], list[tuple[int, Term]]] = {}
        self.lengths: dict[str, list[int]] = {}  # first syllable → term lengths, longest first
        for t, topic in enumerate(topics):
            for term in topic.terms:
                self.index.setdefault(term.key, []).append((t, term))
        for key in self.index:
            self.lengths.setdefault(key[0], []).append(len(key))
        for first, ns in self.lengths.items():
            self.lengths[first] = sorted(set(ns), reverse=True)
        self.count = len(topics)

    def match(self, tokens: list[str | None]) -> list[Counter[Term]]:
        """Per topic, how often each term matched (longest term first at each place)."""
        counts: list[Counter[Term]] = [Counter() for _ in range(self.count)]
        covered = [0] * self.count  # per topic: first token not yet inside a match
        n_tokens = len(tokens)
        for i, token in enumerate(tokens):
            if token is None:
                continue
            for n in self.lengths.get(token, ()):
                if i + n > n_tokens:
                    continue
                entries = self.index.get(tuple(tokens[i:i + n]))  # type: ignore[arg-type]
                if not entries:
                    continue
                for t, term in entries:
                    if covered[t] <= i:
                        counts[t][term] += 1
                        covered[t] = i + n
        return counts


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def _sub(count: int) -> float:
    return 1.0 + math.log(count) if count > 0 else 0.0


def tag_topics(article: Taggable, topic_list: TopicList, *,
               doc_ids: Iterable[str] | None = None) -> list[TopicScore]:
    """Score every topic for ``article`` and label one to ``max_labels`` of them.

    ``doc_ids`` are the normalised identifiers the article cites; when None they are found in
    its title and text with :func:`indexer.analyze.citations.find_citations`. Returns one
    :class:`TopicScore` per topic, best first (ties in the list's order).
    """
    settings = topic_list.settings
    matcher = topic_list._matcher
    body = folded_syllables(article.text or "")
    words = sum(1 for t in body if t is not None)
    body_counts = matcher.match(body)
    title_counts = matcher.match(folded_syllables(article.title or ""))
    section_key = term_key(article.section or "")
    if doc_ids is None:
        doc_ids = [c.doc_id for c in find_citations(f"{article.title or ''}\n\n{article.text or ''}")]
    cited = Counter(doc_ids)
    norm = math.sqrt(max(words, settings.length_pivot) / settings.length_pivot)

    results: list[tuple[float, int, str, dict[str, int]]] = []
    for t, topic in enumerate(topic_list.topics):
        evidence: Counter[str] = Counter()
        body_points = 0.0
        for term, c in body_counts[t].items():
            body_points += term.weight * _sub(c)
            evidence[term.text] += c
        points = body_points / norm
        for term, c in title_counts[t].items():
            points += term.weight * settings.title_weight
            evidence[term.text] += c
        for hint in topic.sections:
            if _contains(section_key, hint.key):
                points += hint.weight
                evidence[f"chuyên mục: {hint.text}"] += 1
        for kind, weight in topic.kinds:
            if article.kind == kind:
                points += weight
                evidence[f"thể loại: {kind}"] += 1
        for doc_id, weight in topic.documents:
            if cited.get(doc_id):
                points += weight * _sub(cited[doc_id])
                evidence[doc_id] += cited[doc_id]
        results.append((max(points, 0.0), t, topic.slug, dict(evidence)))

    results.sort(key=lambda r: (-r[0], r[1]))
    labels: set[str] = set()
    best = results[0][0] if results else 0.0
    if best > 0:
        for score, _t, slug, _ev in results:
            if len(labels) >= settings.max_labels:
                break
            if not labels or (score >= settings.relative_threshold * best
                              and score >= settings.min_score):
                labels.add(slug)
    elif topic_list.topics:
        labels.add(settings.fallback)
    return [TopicScore(slug, round(score, 4), slug in labels, evidence)
            for score, _t, slug, evidence in results]


def labels_of(scores: Iterable[TopicScore]) -> list[str]:
    return [s.topic for s in scores if s.label]


# --- measuring ---------------------------------------------------------------------------

def evaluate(pairs: Iterable[tuple[Iterable[str], Iterable[str]]]) -> Measure:
    """Micro-averaged precision, recall and F1 of topic labels over (predicted, truth) pairs,
    one pair per article."""
    return micro(pairs)
