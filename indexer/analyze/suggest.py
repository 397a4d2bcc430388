"""Topic suggestions for editors: NMF over the corpus finds themes the curated list may lack.

Why NMF on TF-IDF: it gives additive, readable components (a theme = a weighted list of
words) and a weight per article, so each suggestion comes with its top terms and the articles
that show it best; it is deterministic for a seed and fast on a few thousand articles.

Features are folded syllables and syllable pairs (Vietnamese words are mostly one or two
syllables), without a list of function syllables (:data:`STOP_SYLLABLES`) and numbers; terms
are shown in their most frequent written form, with diacritics. Each suggestion is compared
with the curated topics: the share of its top-term weight that falls on a topic's terms says
which topic it resembles; failing that, a curated label carried by most of its best articles
does; top terms no topic knows are listed as candidates to add.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from archive.vntext import canonical_word, fold, nfc
from indexer.analyze.topics import SENTENCE_BREAK, SYLLABLE, Item, TopicList, tag_topics

# Function syllables, folded, that fold from nothing else: they carry no topic. A syllable whose
# folded form is also a content word stays (co: có/cơ sở, so: số/cơ sở, tai: tại/thiên tai):
# frequent ones fall to the document-frequency limit, and their pairs carry the meaning.
STOP_SYLLABLES = frozenset([
    "cac", "cang", "cho", "chua", "cua", "deu", "duoc", "duoi", "gi", "giua", "hay", "hoac", "hon",
    "khong", "kia", "la", "lai", "len", "loai", "mai", "mot", "muon", "nay", "ngay", "nhieu", "nhu",
    "nhung", "nua", "ong", "phai", "ra", "rang", "rat", "ro", "roi", "sau", "se", "ta", "tat",
    "theo", "tot", "tren", "truoc", "tung", "tuy", "va", "vao", "voi", "vua", "xong", "ay"
])


UNIGRAM_WEIGHT = 0.5  # of a single syllable's TF-IDF, relative to a syllable pair
PAIR_DICE = 0.15  # below it a syllable pair is taken for two halves of neighbouring words
LABEL_SAMPLE = 10  # a theme's best articles tagged with the curated list...
LABEL_AGREEMENT = 0.7  # ...it resembles a topic most of them carry, even with few shared terms


@dataclass(frozen=True)
class Suggestion:
    """One proposed theme. ``terms``: (term as written, weight); ``examples``: (article id,
    title, weight); ``resembles``: the curated slug it overlaps most, or None when the overlap
    is below the threshold (a candidate new topic); ``new_terms``: top terms no topic has."""

    number: int
    terms: tuple[tuple[str, float], ...]
    examples: tuple[tuple[str, str, float], ...]
    resembles: str | None
    overlap: float  # 0..1, share of the top terms' weight on the resembled topic's terms
    new_terms: tuple[str, ...]
    articles: int  # articles for which this theme is the strongest
    label: str = ""  # the curated label most of the theme's best articles carry
    label_share: float = 0.0  # 0..1, share of those articles that carry it
    # per period given (in the order first seen): (period, articles for which this theme is
    # the strongest, the period's best examples as (article id, title, weight))
    by_period: tuple[tuple[str, int, tuple[tuple[str, str, float], ...]], ...] = ()


class _Analyzer:
    """Turns a text into features and remembers how each feature was written."""

    def __init__(self) -> None:
        self.surface: dict[str, Counter[str]] = {}
        self.counts: Counter[str] = Counter()  # syllables (all) and pairs, over the corpus

    def features(self, text: str) -> list[str]:
        out: list[str] = []
        for part in SENTENCE_BREAK.split(nfc(text)):
            words = [w.lower() for w in SYLLABLE.findall(part)]
            folded = [fold(w) for w in words]
            keep = [not (f in STOP_SYLLABLES or f.isdigit() or len(f) < 2) for f in folded]
            self.counts.update(folded)
            for i, f in enumerate(folded):
                if keep[i]:
                    self._see(f, words[i])
                    out.append(f)
                if i + 1 < len(folded) and keep[i] and keep[i + 1]:
                    pair = f"{f} {folded[i + 1]}"
                    self._see(pair, f"{words[i]} {words[i + 1]}")
                    self.counts[pair] += 1
                    out.append(pair)
        return out

    def words(self, features: list[str]) -> list[str]:
        """``features`` without the pairs that straddle two words (*mực đạo* of *chuẩn mực
        đạo đức*): a pair stays when it is frequent relative to its syllables (Dice
        coefficient 2·n(ab) / (n(a) + n(b)) ≥ :data:`PAIR_DICE`)."""
        keep: dict[str, bool] = {}
        out = []
        for f in features:
            ok = keep.get(f)
            if ok is None:
                parts = f.split(" ")
                ok = len(parts) == 1 or (2 * self.counts[f] / (self.counts[parts[0]] + self.counts[parts[1]])
                                         >= PAIR_DICE)
                keep[f] = ok
            if ok:
                out.append(f)
        return out

    def _see(self, feature: str, written: str) -> None:
        self.surface.setdefault(feature, Counter())[written] += 1

    def display(self, feature: str) -> str:
        seen = self.surface.get(feature)
        if not seen:
            return feature
        return " ".join(canonical_word(w) for w in seen.most_common(1)[0][0].split())


def _topic_keys(topic_list: TopicList) -> dict[str, list[tuple[str, ...]]]:
    return {t.slug: [term.key for term in t.terms if term.weight > 0] for t in topic_list.topics}


def _match(feature: tuple[str, ...], keys: list[tuple[str, ...]]) -> float:
    """How much a feature belongs to a topic: 1 when it is one of its terms, 0.5 when a
    syllable pair lies inside a longer term (*sản phẩm* in *sản phẩm OCOP*), else 0. A single
    syllable inside a phrase says nothing (*viên* in *đảng viên*)."""
    n = len(feature)
    best = 0.0
    for key in keys:
        if key == feature:
            return 1.0
        if n > 1 and len(key) > n and any(key[i:i + n] == feature for i in range(len(key) - n + 1)):
            best = 0.5
    return best


def _labels_of(articles: Sequence[tuple[str, str, str]], rows: list[int],
               topic_list: TopicList) -> tuple[str, float]:
    """The curated label most frequent among ``rows`` (tagged now) and its share."""

    if not rows:
        return "", 0.0
    seen: Counter[str] = Counter()
    for i in rows:
        _id, title, text = articles[i]
        # a label with no evidence (the fallback) says nothing about the theme
        seen.update(s.topic for s in tag_topics(Item(title, text), topic_list) if s.label and s.score > 0)
    label, n = seen.most_common(1)[0] if seen else ("", 0)
    return label, n / len(rows)


def suggest_topics(articles: Sequence[tuple[str, str, str]], topic_list: TopicList, *,
                   k: int = 12, top_terms: int = 12, examples: int = 3, seed: int = 0,
                   min_overlap: float = 0.25,
                   periods: Sequence[str] | None = None) -> list[Suggestion]:
    """Propose ``k`` themes from ``articles`` given as (id, title, text).

    With ``periods`` (one period label per article, e.g. a Party Congress term), each theme
    also lists, period by period, how many articles it is strongest for and its best
    ``examples`` there: a reviewer sees when a theme the list lacks was written about.

    Fewer than ``k`` themes come back when the corpus is too small to support them (fewer
    articles than ``2 × k``, or fewer distinct features). Raises ValueError on an empty corpus.
    """
    import numpy as np
    from scipy import sparse
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not articles:
        raise ValueError("no articles to learn from")
    analyzer = _Analyzer()
    raw = [analyzer.features(f"{title}\n\n{text}") for _id, title, text in articles]
    docs = [analyzer.words(d) for d in raw]
    min_df = 2 if len(docs) >= 20 else 1
    vectorizer = TfidfVectorizer(analyzer=lambda d: d, min_df=min_df, max_df=0.5,
                                 sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError as e:  # every feature pruned: a corpus of near-identical tiny texts
        raise ValueError(f"the articles share too few words to suggest topics ({e})") from e
    names = vectorizer.get_feature_names_out()
    # Single syllables are often fragments of words (*huy* of *chỉ huy*): pairs count double.
    scale = np.array([1.0 if " " in str(n) else UNIGRAM_WEIGHT for n in names])
    matrix = matrix @ sparse.diags(scale)
    k = max(1, min(k, len(docs) // 2 or 1, matrix.shape[1]))
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
    weights = model.fit_transform(matrix)
    components = model.components_
    strongest = Counter(int(i) for i in weights.argmax(axis=1) if weights.max() > 0)
    keys = _topic_keys(topic_list)

    out: list[Suggestion] = []
    for c in range(k):
        order = components[c].argsort()[::-1][:top_terms]
        top = [(str(names[i]), float(components[c][i])) for i in order if components[c][i] > 0]
        total = sum(w for _f, w in top) or 1.0
        shares = {slug: sum(w * _match(tuple(f.split()), ks) for f, w in top) / total
                  for slug, ks in keys.items()}
        best = max(shares, key=lambda s: shares[s]) if shares else None
        overlap = shares.get(best, 0.0) if best else 0.0
        unknown = tuple(analyzer.display(f) for f, _w in top
                        if not any(_match(tuple(f.split()), ks) for ks in keys.values()))
        ranked = [int(i) for i in weights[:, c].argsort()[::-1] if weights[i, c] > 0]
        ex = tuple((articles[i][0], articles[i][1], round(float(weights[i, c]), 4))
                   for i in ranked[:examples])
        label, label_share = _labels_of(articles, ranked[:LABEL_SAMPLE], topic_list)
        resembles = best if overlap >= min_overlap else None
        if resembles is None and label_share >= LABEL_AGREEMENT:
            resembles = label
        by_period = []
        if periods is not None:
            best_of = weights.argmax(axis=1)
            for period in dict.fromkeys(periods):
                mine = [i for i in ranked if periods[i] == period]
                n = sum(1 for i in mine if best_of[i] == c)
                if n:
                    by_period.append((period, n, tuple(
                        (articles[i][0], articles[i][1], round(float(weights[i, c]), 4))
                        for i in mine[:examples])))
        out.append(Suggestion(
            number=c + 1, terms=tuple((analyzer.display(f), round(w, 4)) for f, w in top),
            examples=ex, resembles=resembles, overlap=round(overlap, 3), new_terms=unknown,
            articles=strongest.get(c, 0), label=label, label_share=round(label_share, 3),
            by_period=tuple(by_period)))
    out.sort(key=lambda s: (s.resembles is not None, -s.articles))
    return out


def format_suggestions(suggestions: Sequence[Suggestion], topic_list: TopicList) -> str:
    """Plain-text report for the terminal, new themes first."""
    lines = []
    for s in suggestions:
        if s.resembles:
            topic = topic_list.get(s.resembles)
            head = (f"giống chủ đề {s.resembles} ({topic.name if topic else ''}), trùng {s.overlap:.0%}"
                    f" từ khóa, {s.label_share:.0%} bài tiêu biểu mang nhãn {s.label or '–'}")
        else:
            head = f"CHỦ ĐỀ MỚI? (trùng nhiều nhất {s.overlap:.0%})"
        lines.append(f"#{s.number}  {head}  — {s.articles} bài")
        lines.append("   từ khóa: " + ", ".join(t for t, _w in s.terms))
        if s.new_terms:
            lines.append("   chưa có trong danh mục: " + ", ".join(s.new_terms))
        if s.by_period:
            for period, n, ex in s.by_period:
                lines.append(f"   {period}: {n} bài")
                for article_id, title, _w in ex:
                    lines.append(f"      ví dụ: {article_id}  {title}")
        else:
            for article_id, title, _w in s.examples:
                lines.append(f"   ví dụ: {article_id}  {title}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
