"""What one issue holds: its sections in order, and an article (or several briefs) in each.

The running order follows the bulletins: *Những vấn đề chung* first, then documents, the
guidance for Party cell meetings, *Học tập và làm theo...* (from 2007), news, examples,
experience, rebuttals, Q&A, new documents, and a short notice at the end. Which sections an
issue has depends on the series, the era and a little chance; which themes fill them
depends on the era's topic weights (corpus/eras.toml) and on the gaps the sample keeps.

Archive-wide state (:class:`Ledger`) carries what must hold across issues: titles already
used, documents already first mentioned in each series, how many articles each gap has
let through, and how often each theme has been used (so articles vary).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from samplegen.content_articles import Draft, Writer
from samplegen.content_corpus import QA, Corpus, Theme
from samplegen.content_docs import month_index
from samplegen.plan import ArticlePlan

NVDC = "Những vấn đề chung"
VKNQ = "Văn kiện – Nghị quyết"
DHSH = "Định hướng sinh hoạt chi bộ"
HTLT = "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"
TTTS = "Thông tin thời sự"
TTT = "Tin trong tỉnh"
GUONG = "Gương người tốt, việc tốt"
KNCL = "Kinh nghiệm – cách làm hay"
DTPB = "Đấu tranh phản bác các quan điểm sai trái, thù địch"
HOIDAP = "Hỏi – đáp"
VBM = "Văn bản mới"

PENDING_WINDOW = 12  # months: a document older than this is no longer "new" for a van-ban item
LANDMARK_WINDOW = 18  # months: a landmark document stays news longer
NEW_WINDOW = 6  # months: how long a document counts as new for the "Văn bản mới" list


@dataclass
class Gap:
    series: str
    topic: str
    from_year: int
    to_year: int
    max_articles: int
    note: str
    count: int = 0

    def covers(self, series: str, year: int, topic: str) -> bool:
        return self.series == series and self.topic == topic and self.from_year <= year <= self.to_year

    def as_dict(self) -> dict[str, object]:
        return {"series": self.series, "topic": self.topic, "from_year": self.from_year,
                "to_year": self.to_year, "max_articles": self.max_articles, "note": self.note}


@dataclass
class Ledger:
    """Archive-wide state, updated issue by issue in a fixed order."""

    available: dict[tuple[str, str], int]  # (series, doc id) → first month index it may be cited
    gaps: list[Gap]
    titles: set[str] = field(default_factory=set)
    mentioned: dict[str, set[str]] = field(default_factory=dict)  # series → docs cited so far
    theme_uses: dict[tuple[str, str], int] = field(default_factory=dict)
    listed: dict[str, set[str]] = field(default_factory=dict)  # series → docs listed under Văn bản mới

    def blocked(self, series: str, year: int, topics: tuple[str, ...]) -> bool:
        return any(g.covers(series, year, t) and g.count >= g.max_articles for g in self.gaps for t in topics)

    def count(self, series: str, year: int, topics: tuple[str, ...]) -> None:
        for gap in self.gaps:
            if any(gap.covers(series, year, t) for t in topics):
                gap.count += 1


@dataclass(frozen=True)
class Slot:
    section: str
    kind: str
    words: tuple[int, int]


def _slots(series: str, year: int, size: str, rng: random.Random, compact: bool = False) -> list[Slot]:
    """The sections of one issue and the kind and length of what goes in each.

    ``compact`` gives the thinner issue of the typewriter era (fewer, shorter items); it is
    also used for issues that survive only as scans, which keeps the OCR'd share modest.
    """
    chance = rng.random
    if size == "small":
        news = TTT if series == "tbnb" else TTTS
        out = [Slot(NVDC, "bai", (230, 360)), Slot(VKNQ, "van-ban", (110, 200))]
        out.append(Slot(DHSH if chance() < 0.5 else GUONG, "bai", (180, 280)))
        out += [Slot(news, "tin", (55, 110))] * rng.choice((2, 3))
        if chance() < 0.8:
            out.append(Slot(HOIDAP, "hoi-dap", (1, 1)))
        if chance() < 0.5:
            out.append(Slot("", "khac", (25, 70)))
        return out
    early = year < 1997 or compact
    out = [Slot(NVDC, "bai", (480, 700) if early else (600, 900))]
    out += [Slot(VKNQ, "van-ban", (200, 380) if early else (280, 480))] * (1 if early else 2)
    if chance() < (0.8 if early else 0.95):
        out.append(Slot(DHSH, "bai", (350, 480) if early else (420, 680)))
    if year >= 2007 or (year >= 2003 and chance() < 0.3):
        out.append(Slot(HTLT, "bai", (380, 620)))
    news = TTT if series == "tbnb" else TTTS
    out += [Slot(news, "tin", (60, 140))] * (3 if early else rng.choice((3, 4, 4, 5)))
    if series == "tbnb" and chance() < 0.35:
        out += [Slot(TTTS, "tin", (60, 130))] * 2
    if chance() < (0.5 if early else 0.85):
        out.append(Slot(GUONG, "bai", (300, 420) if early else (330, 480)))
    if chance() < (0.3 if early else 0.55):
        out.append(Slot(KNCL, "bai", (300, 520)))
    if chance() < (0.75 if year >= 2018 else 0.12):
        out.append(Slot(DTPB, "bai", (400, 650)))
    if chance() < (0.5 if early else 0.7):
        out.append(Slot(HOIDAP, "hoi-dap", (1, 2) if early else (2, 3)))
    if year >= 2005 and chance() < 0.6:
        out.append(Slot(VBM, "van-ban", (1, 3)))
    if chance() < 0.3:
        out.append(Slot("", "khac", (25, 80)))
    return out


class IssueComposer:
    """Fills the slots of one issue; see the module docstring."""

    def __init__(self, corpus: Corpus, ledger: Ledger, rng: random.Random, *, series: str, year: int,
                 month: int, size: str, compact: bool = False) -> None:
        self.corpus = corpus
        self.ledger = ledger
        self.rng = rng
        self.series = series
        self.year = year
        self.month = month
        self.size = size
        self.compact = compact
        self.now = month_index(year, month)
        self.writer = Writer(corpus, rng, series, year, month)
        self.taken: set[str] = set()  # titles in this issue
        self.issue_refs: set[str] = set()  # documents cited in this issue so far
        self.issue_themes: set[str] = set()  # themes already used in this issue
        self.mentioned = ledger.mentioned.setdefault(series, set())

    # -- documents ---------------------------------------------------------------------
    def citable(self, doc_id: str) -> bool:
        note = self.corpus.docs.get(doc_id)
        if note is None or self.series not in note.series or self.year > note.until:
            return False
        start = self.ledger.available.get((self.series, doc_id))
        return start is not None and start <= self.now

    def pending(self) -> list[str]:
        """New documents this series has not mentioned yet: landmarks first, then oldest first."""
        docs = [d for d in self.corpus.docs if self.citable(d) and d not in self.mentioned
                and self.now - self.ledger.available[(self.series, d)]
                < (LANDMARK_WINDOW if self.corpus.docs[d].priority else PENDING_WINDOW)]
        return sorted(docs, key=lambda d: (not self.corpus.docs[d].priority, self.corpus.register[d].date, d))

    def _choose_docs(self, theme: Theme, kind: str) -> tuple[str, ...] | None:
        usable = [d for d in theme.docs if self.citable(d)]
        if theme.needs_doc and not usable:
            return None
        wanted = 1.0 if theme.needs_doc else (0.55 if kind == "bai" else 0.25)
        if not usable or self.rng.random() >= wanted:
            return ()
        fresh = [d for d in usable if d not in self.mentioned]
        first = self.rng.choice(fresh) if fresh else self.rng.choice(usable)
        others = [d for d in usable if d != first]
        if others and kind == "bai" and self.rng.random() < 0.3:
            return (first, self.rng.choice(others))
        return (first,)

    # -- themes ------------------------------------------------------------------------
    def _candidates(self, slot: Slot) -> list[tuple[Theme, float]]:
        out = []
        for theme in self.corpus.themes:
            if slot.kind not in theme.kinds or slot.section not in theme.sections:
                continue
            if theme.id in self.issue_themes:  # one story once per issue
                continue
            if not theme.fits(self.series, self.year, self.month):
                continue
            if self.ledger.blocked(self.series, self.year, theme.topics):
                continue
            if theme.needs_doc and not any(self.citable(d) for d in theme.docs):
                continue
            weight = theme.weight * self.corpus.weight(theme.topics[0], self.year)
            if theme.needs_doc and any(d not in self.mentioned for d in theme.docs if self.citable(d)):
                weight *= 3.0  # a new document is news
            uses = self.ledger.theme_uses.get((self.series, theme.id), 0)
            weight /= 1.0 + 0.8 * uses
            if weight > 0:
                out.append((theme, weight))
        return out

    def _pick(self, candidates: list[tuple[Theme, float]]) -> Theme:
        total = sum(w for _, w in candidates)
        roll = self.rng.random() * total
        for theme, weight in candidates:
            roll -= weight
            if roll <= 0:
                return theme
        return candidates[-1][0]

    def _themed(self, slot: Slot) -> Draft | None:
        candidates = self._candidates(slot)
        for attempt in range(6):
            if not candidates:
                return None
            theme = self._pick(candidates)
            docs = self._choose_docs(theme, slot.kind)
            if docs is None:
                candidates = [c for c in candidates if c[0] is not theme]
                continue
            target = self.rng.randint(*slot.words)
            taken = self.taken | (self.ledger.titles if attempt < 4 else set())
            draft = self.writer.article(theme, slot.kind, slot.section, docs, target, taken)
            if draft is not None:
                key = (self.series, theme.id)
                self.ledger.theme_uses[key] = self.ledger.theme_uses.get(key, 0) + 1
                self.issue_themes.add(theme.id)
                return draft
            candidates = [c for c in candidates if c[0] is not theme] or candidates
        return None

    def _document(self, slot: Slot) -> Draft | None:
        for doc_id in self.pending():
            note = self.corpus.docs[doc_id]
            if not note.summary or self.ledger.blocked(self.series, self.year, note.topics[:3]):
                continue
            target = self.rng.randint(*slot.words)
            draft = self.writer.document(self.corpus.register[doc_id], note, self.taken | self.ledger.titles,
                                         target)
            if draft is not None:
                return draft
        return None

    def _new_documents(self, slot: Slot) -> Draft | None:
        """Recently citable documents not yet listed under *Văn bản mới* in this series."""
        listed = self.ledger.listed.setdefault(self.series, set())
        recent = [d for d in self.corpus.docs if self.citable(d) and d not in listed and d not in self.issue_refs
                  and self.now - self.ledger.available[(self.series, d)] < NEW_WINDOW]
        recent.sort(key=lambda d: (self.corpus.register[d].date, d))
        recent = [d for d in recent
                  if not self.ledger.blocked(self.series, self.year, self.corpus.docs[d].topics[:3])][:3]
        if not recent:
            return None
        draft = self.writer.new_documents([(self.corpus.register[d], self.corpus.docs[d]) for d in recent],
                                          self.taken | self.ledger.titles)
        if draft is not None:
            listed.update(recent)
        return draft

    def _qa(self, slot: Slot) -> Draft | None:
        items = [qa for qa in self.corpus.qa
                 if self.series in qa.series and qa.years[0] <= self.year <= qa.years[1]
                 and all(self.citable(d) for d in qa.docs)
                 and not self.ledger.blocked(self.series, self.year, qa.topics)]
        if not items:
            return None
        uses = self.ledger.theme_uses
        weights = [1.0 / (1.0 + 1.5 * uses.get((self.series, "qa:" + qa.id), 0)) for qa in items]
        count = min(len(items), self.rng.randint(*slot.words))
        chosen: list[QA] = []
        for _ in range(count):
            pick = self.rng.choices(range(len(items)), weights=weights)[0]
            if items[pick] not in chosen:
                chosen.append(items[pick])
                weights[pick] = 0.0
            if sum(weights) == 0:
                break
        draft = self.writer.questions(chosen, self.taken)
        if draft is not None:
            for qa in chosen:
                key = (self.series, "qa:" + qa.id)
                uses[key] = uses.get(key, 0) + 1
        return draft

    def _notice(self, slot: Slot) -> Draft | None:
        themes = [t for t in self.corpus.notices if t.fits(self.series, self.year, self.month)]
        if not themes:
            return None
        theme = self.rng.choice(themes)
        return self.writer.article(theme, "khac", "", (), self.rng.randint(*slot.words), self.taken)

    # -- the issue ---------------------------------------------------------------------
    def compose(self, issue_id: str) -> tuple[ArticlePlan, ...]:
        slots = [s for s in _slots(self.series, self.year, self.size, self.rng, self.compact)
                 if not s.section or self._section_open(s.section)]
        articles: list[ArticlePlan] = []
        banners: dict[str, str] = {}
        for slot in slots:
            if slot.kind == "van-ban" and slot.section == VBM:
                draft = self._new_documents(slot)
            elif slot.kind == "van-ban":
                draft = self._document(slot)
            elif slot.kind == "hoi-dap":
                draft = self._qa(slot)
            elif slot.kind == "khac":
                draft = self._notice(slot)
            else:
                draft = self._themed(slot)
            if draft is None:
                continue
            self._record(draft)
            if slot.section and slot.section not in banners:
                banners[slot.section] = self.corpus.sections[slot.section].banner(self.year, self.rng)
            key = f"{issue_id}#{len(articles) + 1:02d}"
            articles.append(ArticlePlan(key=key, section=slot.section, title=draft.title, byline=draft.byline,
                                        kind=draft.kind, paragraphs=draft.paragraphs, topics=draft.topics,
                                        doc_refs=draft.doc_refs, banner=banners.get(slot.section, "")))
        return tuple(articles)

    def _section_open(self, name: str) -> bool:
        section = self.corpus.sections[name]
        return self.series in section.series and section.years[0] <= self.year <= section.years[1]

    def _record(self, draft: Draft) -> None:
        for doc_id in draft.doc_refs:
            doc = self.corpus.register[doc_id]
            if month_index(doc.year, doc.month) > self.now or not self.citable(doc_id):
                raise ValueError(f"{self.series} {self.year}-{self.month:02d}: {draft.title!r} cites {doc_id}"
                                 " before it may be cited (a corpus sentence names it directly)")
        self.taken.add(draft.title)
        self.ledger.titles.add(draft.title)
        self.mentioned.update(draft.doc_refs)
        self.issue_refs.update(draft.doc_refs)
        self.ledger.count(self.series, self.year, draft.topics)
