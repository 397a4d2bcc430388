"""Writing one article from a theme: title, byline, paragraphs, topics and cited documents.

Lengths are in words (syllables, as :func:`samplegen.content_text.words` counts them): a
*bài* grows paragraph by paragraph (two to four sentences each) until it reaches its target,
a *tin* is one short paragraph, a *hỏi – đáp* one to three questions with their answers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from samplegen.content_corpus import QA, Corpus, DocNote, Document, Theme
from samplegen.content_docs import cite, cite_brief, find_refs, issuer_name
from samplegen.content_text import Filler, words


@dataclass(frozen=True)
class Draft:
    """An article before it gets its key and printed banner."""

    title: str
    byline: str
    kind: str
    paragraphs: tuple[str, ...]
    topics: tuple[str, ...]
    doc_refs: tuple[str, ...]


class Writer:
    """Writes articles for one issue (series, year, month) with the issue's random stream."""

    def __init__(self, corpus: Corpus, rng: random.Random, series: str, year: int, month: int) -> None:
        self.corpus = corpus
        self.rng = rng
        self.series = series
        self.year = year
        self.month = month

    # -- helpers ------------------------------------------------------------------------
    def filler(self, docs: tuple[str, ...], cited: set[str] | None = None) -> Filler:
        register = self.corpus.register
        notes = self.corpus.docs

        def citation(doc_id: str, first: bool, about: bool, brief: bool) -> str:
            doc = register[doc_id]
            if brief:
                return cite_brief(doc, self.rng)
            text = cite(doc, self.rng, first)
            if about and first and doc_id in notes:
                text = f"{text} {notes[doc_id].subject}"
            return text

        return Filler(self.rng, self.corpus, series=self.series, year=self.year, month=self.month,
                      cite=citation, docs=docs, cited=cited)

    def _usable(self, template: str, filler: Filler, docs: tuple[str, ...]) -> bool:
        slots = filler.mentions(template)
        if "doc3" in slots or "doc3_ve" in slots:
            return len(docs) >= 3
        if "doc2" in slots or "doc2_ve" in slots:
            return len(docs) >= 2
        if "doc" in slots or "doc_ve" in slots:
            return len(docs) >= 1
        return True

    def _pool(self, theme: Theme, part: str, filler: Filler, docs: tuple[str, ...]) -> list[str]:
        items = [t for t in getattr(theme, part) if self._usable(t, filler, docs)]
        self.rng.shuffle(items)
        return items

    def _common(self, topics: tuple[str, ...], filler: Filler, docs: tuple[str, ...]) -> list[str]:
        """Shared body sentences of the article's topics, interleaved (two of the main topic's
        for each of another label's), so no one pool is worn out by every article."""
        pools: list[list[str]] = []
        for topic in topics:
            items = [s for pool in self.corpus.pools_by_topic
                     if pool.topic == topic and pool.years[0] <= self.year <= pool.years[1]
                     and self.series in pool.series
                     for s in pool.sentences if self._usable(s, filler, docs)]
            self.rng.shuffle(items)
            pools.append(items)
        out: list[str] = []
        while any(pools):
            for rank, items in enumerate(pools):
                for _ in range(2 if rank == 0 else 1):
                    if items:
                        out.append(items.pop())
        return out

    def _citation_sentence(self, index: int, filler: Filler) -> str:
        key = ("doc", "doc2", "doc3")[index]
        templates = [t.replace("{doc_ve}", "{" + key + "_ve}").replace("{doc}", "{" + key + "}")
                     for t in self.corpus.pools["trich_dan"]]
        return filler.fill(self.rng.choice(templates))

    def byline(self, kind: str, section: str) -> str:
        rng = self.rng
        if kind == "tin":
            roll = rng.random()
            if roll < 0.55:
                return ""
            if roll < 0.8:
                return "PV"
            return self.corpus.person(rng, rng.choice(("nam", "nu")))
        if kind == "van-ban":
            return "" if rng.random() < 0.5 else self._office()
        if kind == "hoi-dap":
            return "" if rng.random() < 0.6 else self._office()
        if kind == "khac":
            return ""
        roll = rng.random()
        if roll < 0.6:
            return self.corpus.person(rng, rng.choice(("nam", "nam", "nu")))
        if roll < 0.72:
            given = self.corpus.person(rng, rng.choice(("nam", "nu"))).split()
            return f"{given[-2]} {given[-1]}"  # pen names: middle + given name
        if roll < 0.85:
            return "PV"
        return self._office()

    def _office(self) -> str:
        if self.series == "tbnb":
            return "Ban Tuyên giáo Tỉnh ủy" if self.year >= 2008 else "Ban Tư tưởng – Văn hóa Tỉnh ủy"
        return "BTG" if self.year >= 2007 else "Ban TT-VH"

    def _title(self, theme: Theme, filler: Filler, docs: tuple[str, ...], taken: set[str],
               tries: int = 8) -> tuple[str, int] | None:
        """A fresh title and the index of its pattern (briefs pair titles with leads)."""
        patterns = [i for i, t in enumerate(theme.titles) if self._usable(t, filler, docs)]
        if not patterns:
            return None
        for _ in range(tries):
            index = self.rng.choice(patterns)
            title = filler.title(theme.titles[index])
            if title not in taken:
                return title, index
        return None

    def _finish(self, title: str, byline: str, kind: str, paragraphs: list[str], topics: tuple[str, ...],
                docs: tuple[str, ...], filler: Filler) -> Draft:
        for index, doc_id in enumerate(docs):  # make sure every chosen document is named
            if doc_id not in filler.cited():
                sentence = self._citation_sentence(index, filler)
                if kind == "hoi-dap":
                    paragraphs[-1] = f"{paragraphs[-1]} {sentence}"
                else:
                    at = 1 if len(paragraphs) > 1 else 0
                    paragraphs[at] = f"{sentence} {paragraphs[at]}"
        text = "\n".join([title, *paragraphs])
        refs = find_refs(text, self.corpus.register)
        missing = [d for d in docs if d not in refs]
        if missing:
            raise ValueError(f"{title!r}: chosen documents {missing} not found in the text")
        return Draft(title, byline, kind, tuple(paragraphs), topics, refs)

    # -- kinds ----------------------------------------------------------------------------
    def article(self, theme: Theme, kind: str, section: str, docs: tuple[str, ...], target: int,
                taken: set[str]) -> Draft | None:
        """A *bài* or *tin* of about ``target`` words; None if no fresh title could be made."""
        filler = self.filler(docs)
        if theme.gender:
            filler.person_gender = theme.gender
        chosen = self._title(theme, filler, docs, taken)
        if chosen is None:
            return None
        title, index = chosen
        lead = self._pool(theme, "lead", filler, docs)
        if kind in ("tin", "khac") and len(theme.lead) == len(theme.titles) > 1:
            paired = theme.lead[index]  # a brief's lead tells the story its title names
            lead = [paired] if self._usable(paired, filler, docs) else lead
        body = self._pool(theme, "body", filler, docs)
        common = self._common(theme.topics, filler, docs)
        body += common[:1] if kind == "tin" else ([] if kind == "khac" else common)
        close = self._pool(theme, "close", filler, docs)
        seen: set[str] = set()

        def take(pool: list[str]) -> str | None:
            while pool:
                template = pool.pop(0)
                if template not in seen:
                    seen.add(template)
                    return filler.fill(template)
            return None

        paragraphs: list[str] = []
        if kind == "tin":
            first = take(lead) or take(body) or ""
            sentences = [first]
            while words(" ".join(sentences)) < target:
                nxt = take(body)
                if nxt is None:
                    break
                if words(" ".join([*sentences, nxt])) > target + 25:
                    continue  # a brief stays brief: skip a sentence that would overshoot
                sentences.append(nxt)
            paragraphs.append(" ".join(s for s in sentences if s))
        else:
            opening = [s for s in (take(lead), take(lead) if self.rng.random() < 0.4 else None) if s]
            paragraphs.append(" ".join(opening) or (take(body) or ""))
            ending = take(close)
            budget = target - (words(ending) if ending else 0)
            while words(" ".join(paragraphs)) + (words(title)) < budget:
                count = self.rng.choice((2, 3, 3, 4))
                sentences = [s for s in (take(body) for _ in range(count)) if s]
                if not sentences:
                    break
                paragraphs.append(" ".join(sentences))
            if ending:
                paragraphs.append(ending)
        byline = self.byline(kind, section)
        return self._finish(title, byline, kind, paragraphs, theme.topics, docs, filler)

    def document(self, doc: Document, note: DocNote, taken: set[str], target: int) -> Draft | None:
        """A *van-ban* item: what a newly issued document asks, in our own words.

        Real documents are summarised ("Những nội dung chủ yếu của ..."); the sample
        province's fictional ones may be quoted ("Trích ...").
        """
        rng = self.rng
        filler = self.filler((doc.id,))
        ident = f"{doc.kind} số {doc.id}"
        if doc.fictional:
            patterns = [f"Trích {ident} của {doc.issuer.replace('Ban Chấp hành Đảng bộ tỉnh', 'Tỉnh ủy')}"]
            if len(note.subject.split()) <= 16:
                patterns.append(f"Trích {ident} {note.subject}")
        else:
            patterns = [f"Những nội dung chủ yếu của {ident}", f"Những điểm mới của {ident}", f"Giới thiệu {ident}"]
            if len(note.subject.split()) <= 16:  # a heading may carry a short subject, not a long one
                patterns += [f"Tóm tắt {ident} {note.subject}", f"{doc.kind} số {doc.id} {note.subject}"]
        patterns = [p for p in patterns if p not in taken]
        if not patterns:
            return None
        title = rng.choice(patterns)
        day = f"{doc.day}/{doc.month}/{doc.year}"
        opening = (f"Ngày {day}, {doc.issuer.split(', Hội nghị')[0].split(' (')[0]} đã ban hành "
                   f"{ident} {note.subject}.")
        filler.mark_cited(doc.id)
        summary = list(note.summary)
        paragraphs = [opening]
        chunk: list[str] = []
        for sentence in summary:
            chunk.append(filler.fill(sentence))
            if len(chunk) >= rng.choice((2, 3)):
                paragraphs.append(" ".join(chunk))
                chunk = []
            if words(" ".join(paragraphs)) >= target:
                break
        if chunk:
            paragraphs.append(" ".join(chunk))
        paragraphs.append(filler.fill(rng.choice(self.corpus.pools["ket_van_ban"])))
        byline = self.byline("van-ban", "")
        return self._finish(title, byline, "van-ban", paragraphs, note.topics[:3], (doc.id,), filler)

    def new_documents(self, docs: list[tuple[Document, DocNote]], taken: set[str]) -> Draft | None:
        """A *Văn bản mới* item: one short paragraph on each recently issued document.

        Each entry names the document in full (kind, number, date, issuer, subject) and adds
        one sentence on what it asks, so the item is also a dated citation of each.
        """
        rng = self.rng
        ids = tuple(doc.id for doc, _ in docs)
        filler = self.filler(ids)
        patterns = [f"Văn bản mới tháng {self.month}/{self.year}", f"Giới thiệu văn bản mới ({self.month}/{self.year})",
                    f"Một số văn bản mới ban hành (tháng {self.month}/{self.year})"]
        patterns = [p for p in patterns if p not in taken]
        if not patterns:
            return None
        paragraphs = []
        for doc, note in docs:
            issuer = issuer_name(doc)
            when = f"ngày {doc.day}/{doc.month}/{doc.year}"
            entry = f"{doc.kind} số {doc.id} {when} của {issuer} {note.subject}."
            if doc.kind == "Luật":
                entry = f"{doc.title} số {doc.id}, {note.subject}, ngày {doc.day}/{doc.month}/{doc.year}."
            filler.mark_cited(doc.id)
            if note.summary:
                entry += " " + filler.fill(note.summary[0])
            paragraphs.append(entry)
        topics = tuple(dict.fromkeys(t for _, note in docs for t in note.topics))[:3]
        return self._finish(rng.choice(patterns), "", "van-ban", paragraphs, topics, ids, filler)

    def questions(self, items: list[QA], taken: set[str]) -> Draft | None:
        """A *hỏi – đáp* with one to three questions, each 'Hỏi:' then 'Đáp:' paragraphs."""
        rng = self.rng
        docs = tuple(dict.fromkeys(d for qa in items for d in qa.docs))
        filler = self.filler(docs)
        subject = items[0].subject
        patterns = [f"Hỏi – đáp về {subject}", f"Giải đáp về {subject}", f"Trả lời bạn đọc về {subject}"]
        if len(items) > 1:
            patterns.append(f"Hỏi – đáp: {subject} và một số vấn đề khác")
        patterns = [p for p in patterns if p not in taken]
        if not patterns:
            return None
        title = rng.choice(patterns)
        paragraphs: list[str] = []
        for qa in items:
            local = self.filler(qa.docs, cited=filler.cited_set)  # long forms only the first time
            paragraphs.append("Hỏi: " + local.fill(qa.question))
            answer = [local.fill(a) for a in qa.answer]
            paragraphs.append("Đáp: " + answer[0])
            paragraphs += answer[1:]
        topics = tuple(dict.fromkeys(t for qa in items for t in qa.topics))[:3]
        byline = self.byline("hoi-dap", "")
        return self._finish(title, byline, "hoi-dap", paragraphs, topics, docs, filler)
