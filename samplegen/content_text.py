"""Sentences from templates: slots filled with fictional names, places, numbers and citations.

A template is a Vietnamese sentence with slots in braces: ``{xa}`` (a commune), ``{ho_ten}``
(the article's main person), ``{n:3-12}`` (an integer in a range), ``{pct:70-95}`` (a
percentage), ``{so:1000-9000}`` (a rounded count with Vietnamese thousands dots: 4.300), ``{doc}`` (the
article's main cited document, long form the first time, short after). Place and person
slots keep one value for the whole article (a :class:`Filler` is made per article), so
"xã {xa}" names the same commune in every sentence; numbers are drawn afresh each time.

Everything here is deterministic for the ``random.Random`` it is given.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable

from samplegen.content_corpus import Corpus

_SLOT = re.compile(r"\{(\w+)(?::(\d+)-(\d+))?\}")
_WORD = re.compile(r"\w+", re.UNICODE)
_OLD_PAIRS = {"oa", "oe", "uy"}
# {doc} the main cited document, {doc_ve} the same followed by its subject ("về ...").
_DOC_SLOTS = {"doc": 0, "doc2": 1, "doc3": 2, "doc_ve": 0, "doc2_ve": 1, "doc3_ve": 2}
# {goi} addresses the main person as the article began to: "anh"/"chị" after {anh_chi},
# otherwise "ông"/"bà"; shared sentence pools use it so one article never mixes the two.
_PERSON_SLOTS = {"ho_ten", "ten", "ong_ba", "anh_chi", "goi", "ho_ten2", "ten2", "ong_ba2", "anh_chi2"}
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

# Party Congress terms (khóa) by the year they began, for "{khoa}" and "{dai_hoi}".
_TERMS = ((1986, "VI"), (1991, "VII"), (1996, "VIII"), (2001, "IX"), (2006, "X"), (2011, "XI"),
          (2016, "XII"), (2021, "XIII"))


def term_of(year: int, month: int = 6) -> str:
    """The national Party Congress term (roman numeral) in force in year/month."""
    starts = {1991: 6, 1996: 7, 2001: 4, 2006: 4, 2011: 1, 2016: 1, 2021: 2}
    current = "VI"
    for start, roman in _TERMS:
        if (year, month) >= (start, starts.get(start, 12)):
            current = roman
    return current


def grouped(number: int) -> str:
    """An integer with Vietnamese thousands dots: 12500 → '12.500'."""
    return f"{number:,}".replace(",", ".")


def local_term(year: int, month: int = 6) -> str:
    """The grassroots Party congress term in force ('2015 – 2020'), in five-year cycles.

    Grassroots congresses sit in the first half of years ending in 0 and 5, so before June
    of such a year the outgoing term is still in force.
    """
    start = year - year % 5
    if year % 5 == 0 and month < 6:
        start -= 5
    return f"{start} – {start + 5}"


def old_tones(text: str) -> str:
    """Move tones to the older placement: hòa → hoà, thủy → thuỷ, khỏe → khoẻ (NFC).

    Bulletins of the 1990s and 2000s (and some later ones) print the older placement;
    search and counting must treat both alike, so the sample carries both.
    """

    def one(match: re.Match[str]) -> str:
        word = match.group(0)
        decomposed = unicodedata.normalize("NFD", word)
        tone = next((ch for ch in decomposed if ch in _TONES), "")
        if not tone:
            return word
        base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
        tail = base[-2:].lower()
        if len(base) < 2 or tail not in _OLD_PAIRS or base[:-2].lower().endswith("q"):
            return word
        if len(base) >= 3 and base[-3].lower() in "aăâeêioôơuưy":
            return word
        second = unicodedata.normalize("NFC", base[-1] + tone)
        return base[:-1] + second

    return unicodedata.normalize("NFC", _WORD.sub(one, unicodedata.normalize("NFC", text)))


def capitalise(sentence: str) -> str:
    """Upper-case the first letter when a sentence starts with one (a slot such as '{xa}');
    a sentence that starts with a number stays as it is ("56 tập thể ...")."""
    for i, ch in enumerate(sentence):
        if ch.isalpha():
            return sentence[:i] + ch.upper() + sentence[i + 1 :]
        if not (ch.isspace() or ch in "“\"'(«"):
            return sentence
    return sentence


class Filler:
    """Fills templates for one article; place and person values stay fixed within it."""

    def __init__(self, rng: random.Random, corpus: Corpus, *, series: str, year: int, month: int,
                 cite: Callable[[str, bool, bool, bool], str] | None = None, docs: tuple[str, ...] = (),
                 cited: set[str] | None = None) -> None:
        self.rng = rng
        self.corpus = corpus
        self.series = series
        self.year = year
        self.month = month
        self._cite = cite
        self._docs = docs
        self._cited: set[str] = set() if cited is None else cited  # shared within one article
        self._fixed: dict[str, str] = {}
        self._in_title = False
        self._address = "ong_ba"
        self._genders: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self.person_gender = rng.choice(("nam", "nam", "nu"))

    # -- values -----------------------------------------------------------------------
    def _place(self, key: str) -> str:
        places = self.corpus.places
        rng = self.rng
        if key.startswith("tinh"):
            if self.series == "tbnb":
                return places["home_province"]
            return rng.choice(places["provinces"])
        if key.startswith("huyen"):
            pool = places["home_districts"] if self.series == "tbnb" else places["districts"]
            return rng.choice(pool)
        if key.startswith("xa"):
            return rng.choice(places["communes"])
        if key.startswith("thon"):
            return rng.choice(places["villages"])
        raise KeyError(key)

    def _person(self, key: str) -> str:
        """ho_ten (full name), ten (given name), ong_ba, anh_chi; suffix 2 for a second person."""
        suffix = "2" if key.endswith("2") else ""
        base = key[:-1] if suffix else key
        if suffix not in self._genders:
            gender = self.person_gender if not suffix else self.rng.choice(("nam", "nu"))
            self._genders[suffix] = gender
            self._names[suffix] = self.corpus.person(self.rng, gender)
        gender, full = self._genders[suffix], self._names[suffix]
        if base == "ho_ten":
            return full
        if base == "ten":
            return full.split()[-1]
        if base == "goi":
            base = self._address
        elif not suffix and base in ("ong_ba", "anh_chi"):
            self._address = base
        if base == "ong_ba":
            return "ông" if gender == "nam" else "bà"
        return "anh" if gender == "nam" else "chị"

    def value(self, name: str, low: str | None, high: str | None) -> str:
        """The text for one slot (see the module docstring for the slot names)."""
        rng = self.rng
        if low is not None and high is not None:
            lo, hi = sorted((int(low), int(high)))
            number = rng.randint(lo, hi)
            if name == "so":  # a count as a bulletin rounds it: 4.300, 12.000
                step = 100 if number < 10000 else 1000
                return grouped(max(step, round(number / step) * step) if number >= 1000 else number)
            if name == "pct":
                return f"{number}%"
            if name == "thap_phan":  # one decimal, Vietnamese comma: 12,5
                return f"{number // 10},{number % 10}"
            return str(number)
        if name in _DOC_SLOTS:
            index = _DOC_SLOTS[name]
            if self._cite is None or index >= len(self._docs):
                raise KeyError(f"template uses {{{name}}} but the article cites no such document")
            doc_id = self._docs[index]
            if self._in_title:  # titles name a document briefly and leave the full form to the text
                return self._cite(doc_id, True, False, True)
            first = doc_id not in self._cited
            self._cited.add(doc_id)
            return self._cite(doc_id, first, name.endswith("_ve"), False)
        if name in _PERSON_SLOTS:
            return self._person(name)
        if name in self._fixed:
            return self._fixed[name]
        fixed = self._computed(name)
        if fixed is None:
            if name.rstrip("0123456789") in ("tinh", "huyen", "xa", "thon"):
                fixed = self._place(name)
            elif name in self.corpus.pools:
                fixed = self.fill(rng.choice(self.corpus.pools[name]), capital=False)
            else:
                raise KeyError(f"unknown slot {{{name}}}")
        self._fixed[name] = fixed
        return fixed

    def _computed(self, name: str) -> str | None:
        year = self.year
        if name == "nam_dang":  # a Party membership badge: 30, 40, 45, 50... years
            return str(self.rng.choice((30, 40, 45, 50, 55, 60, 65, 70)))
        table = {
            "nam": str(year),
            "nam_truoc": str(year - 1),
            "nam_sau": str(year + 1),
            "thang": str(self.month),
            "thang_truoc": str(12 if self.month == 1 else self.month - 1),
            "khoa": term_of(year, self.month),
            "nhiem_ky": local_term(year, self.month),
            "tuoi_dang": str(year - 1930),
            "tuoi_bac": str(year - 1890),
            "tuoi_cmt8": str(year - 1945),
            "tuoi_qd": str(year - 1944),
            "tuoi_gp": str(year - 1975),
            "tuoi_dbp": str(year - 1954),
            "tuoi_tbls": str(year - 1947),
            "tuoi_mt": str(year - 1930),
            "tuoi_doan": str(year - 1931),
            "tuoi_dimoi": str(year - 1986),
        }
        return table.get(name)

    # -- templates --------------------------------------------------------------------
    def fill(self, template: str, capital: bool = True) -> str:
        """The template with every slot replaced; unknown slots raise KeyError (a corpus bug)."""
        text = _SLOT.sub(lambda m: self.value(m.group(1), m.group(2), m.group(3)), template)
        return capitalise(text) if capital else text

    def title(self, template: str) -> str:
        """A title: like :meth:`fill`, but documents in their short form ("Chỉ thị 05-CT/TW")."""
        self._in_title = True
        try:
            return self.fill(template)
        finally:
            self._in_title = False
        self._address = "ong_ba"

    @property
    def cited_set(self) -> set[str]:
        """The (shared, mutable) set of documents already written out in this article."""
        return self._cited

    def mark_cited(self, doc_id: str) -> None:
        """Record a document written out without a slot (a van-ban item's opening line)."""
        self._cited.add(doc_id)

    def cited(self) -> tuple[str, ...]:
        """Documents this filler has written out so far, in the order of ``docs``."""
        return tuple(d for d in self._docs if d in self._cited)

    def mentions(self, template: str) -> set[str]:
        """Slot names used by a template (to choose sentences that cite or not)."""
        return {m.group(1) for m in _SLOT.finditer(template)}


def words(text: str) -> int:
    """Number of syllables/words in text, as the sample counts them."""
    return len(_WORD.findall(text))
