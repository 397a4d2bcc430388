"""The sample's writing material: sentence banks, titles, names and places (samplegen/corpus/).

The banks are TOML files an editor can read (UTF-8, NFC). Each ``topics/<slug>.toml`` holds
*themes*: a subject valid for some years, series, kinds of article and sections, with title
patterns and opening (``lead``), body and closing sentences; and ``[[common]]`` pools of
body sentences any theme of that topic may draw on in their years. ``news.toml`` holds the
short news (*tin*) of the same shape, ``qa.toml`` the questions and answers, ``docs.toml``
what the sample says about each registered document, ``sections.toml`` the *chuyên mục* and
their printed banners by era, ``names.toml`` and ``places.toml`` the fictional people and
places, ``eras.toml`` the weight of each topic by period (the topic mix of issue 3).

Loading checks what can be checked without generating: topic slugs, sections, documents,
year ranges and NFC. A bad file raises :class:`archive.errors.BadInput` naming it.
"""

from __future__ import annotations

import random
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from archive.errors import BadInput
from indexer.analyze.register import SHIPPED as REGISTER_SHIPPED

CORPUS = Path(__file__).resolve().parent / "corpus"
REGISTER = REGISTER_SHIPPED

TOPICS = (
    "xay-dung-dang", "hoc-tap-lam-theo-bac", "kinh-te", "van-hoa-xa-hoi", "quoc-phong-an-ninh",
    "doi-ngoai", "phong-chong-tham-nhung", "bao-ve-nen-tang-tu-tuong", "guong-dien-hinh",
    "phap-luat-chinh-sach", "thoi-su", "khoa-hoc-cong-nghe-chuyen-doi-so", "moi-truong-thien-tai",
    "dan-van-mat-tran", "lich-su-truyen-thong",
)
KINDS = ("tin", "bai", "hoi-dap", "van-ban", "khac")
SERIES = ("ttshcb", "tbnb")


@dataclass(frozen=True)
class Theme:
    """One subject an article (or a brief) can be written about."""

    id: str
    topics: tuple[str, ...]  # labels, the first the main one
    years: tuple[int, int]  # inclusive
    series: tuple[str, ...]
    kinds: tuple[str, ...]
    sections: tuple[str, ...]
    docs: tuple[str, ...]  # documents it may cite (when available)
    months: tuple[int, ...]  # issue months it fits (anniversaries); () = any
    weight: float
    titles: tuple[str, ...]
    lead: tuple[str, ...]
    body: tuple[str, ...]
    close: tuple[str, ...]
    needs_doc: bool  # written about a document: only when one of ``docs`` is available
    file: str
    gender: str = ""  # "nam" | "nu" when the story fixes the main person's gender ('' = either)

    def fits(self, series: str, year: int, month: int) -> bool:
        return (series in self.series and self.years[0] <= year <= self.years[1]
                and (not self.months or month in self.months))


@dataclass(frozen=True)
class Pool:
    """Body sentences shared by all themes of a topic within some years."""

    topic: str
    years: tuple[int, int]
    series: tuple[str, ...]
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class QA:
    """One question and its answer (answer: paragraphs)."""

    id: str
    topics: tuple[str, ...]
    years: tuple[int, int]
    series: tuple[str, ...]
    docs: tuple[str, ...]
    question: str
    answer: tuple[str, ...]
    subject: str  # for titles: "Hỏi – đáp về {subject}"


@dataclass(frozen=True)
class DocNote:
    """What the sample says about one registered document."""

    id: str
    topics: tuple[str, ...]
    series: tuple[str, ...]  # series that ever cite it; () = never cited (a findable gap)
    until: int  # last year it is cited
    subject: str  # short phrase, "nâng cao chất lượng sinh hoạt chi bộ"
    summary: tuple[str, ...]  # our own words on what it asks (van-ban items)
    priority: bool = False  # a landmark: the schedule places an issue soon after it may be cited


@dataclass(frozen=True)
class Section:
    name: str  # canonical
    series: tuple[str, ...]
    years: tuple[int, int]
    banners: tuple[tuple[int, int, str], ...]  # (from, to, printed form)

    def banner(self, year: int, rng: random.Random) -> str:
        forms = [text for lo, hi, text in self.banners if lo <= year <= hi]
        return rng.choice(forms) if forms else self.name


@dataclass(frozen=True)
class Document:
    """One row of indexer/analyze/documents.toml."""

    id: str
    kind: str
    number: str
    doc_type: str
    body: str
    issuer: str
    title: str
    date: str  # YYYY-MM-DD
    aliases: tuple[str, ...]
    fictional: bool

    @property
    def year(self) -> int:
        return int(self.date[:4])

    @property
    def month(self) -> int:
        return int(self.date[5:7])

    @property
    def day(self) -> int:
        return int(self.date[8:10])

    @property
    def party(self) -> bool:
        """Party documents are written <number>-<type>/<body>; State ones with slashes."""
        return "-" in self.id.split("/")[0]


@dataclass(frozen=True)
class Corpus:
    themes: tuple[Theme, ...]
    pools_by_topic: tuple[Pool, ...]
    qa: tuple[QA, ...]
    docs: dict[str, DocNote]
    register: dict[str, Document]
    sections: dict[str, Section]
    section_order: tuple[str, ...]
    weights: tuple[tuple[int, int, dict[str, float]], ...]  # (from, to, topic → weight)
    names: dict[str, tuple[str, ...]]
    places: dict[str, Any]
    pools: dict[str, tuple[str, ...]]  # named phrase lists for slots ({hoi}, {cay}...)
    notices: tuple[Theme, ...]

    def person(self, rng: random.Random, gender: str) -> str:
        """A fictional full name: family name, middle name(s), given name."""
        names = self.names
        family = rng.choice(names["ho"])
        middle = rng.choice(names["dem_nam" if gender == "nam" else "dem_nu"])
        given = rng.choice(names["ten_nam" if gender == "nam" else "ten_nu"])
        pool = names["ten_nam" if gender == "nam" else "ten_nu"]
        for _ in range(10):  # no "Thái Thế Thái", no famous names
            full = f"{family} {middle} {given}"
            if full not in names["avoid"] and given not in (family, middle):
                break
            given = rng.choice(pool)
        return full

    def weight(self, topic: str, year: int) -> float:
        for lo, hi, table in self.weights:
            if lo <= year <= hi:
                return table.get(topic, 0.0)
        return 0.0


def _read(path: Path) -> dict[str, Any]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise BadInput(path, f"not valid UTF-8 TOML: {e}", "fix the line named above") from e
    if not unicodedata.is_normalized("NFC", text):
        raise BadInput(path, "text is not Unicode NFC", "re-save it normalised to NFC")
    return data


def _years(path: Path, item: dict[str, Any], default: tuple[int, int] = (1989, 2024)) -> tuple[int, int]:
    years = item.get("years", list(default))
    if len(years) != 2 or years[0] > years[1]:
        raise BadInput(path, f"bad years {years!r} in {item.get('id', item)!r}", "use [from, to]")
    return int(years[0]), int(years[1])


def _theme(path: Path, item: dict[str, Any], topic: str | None, kinds: tuple[str, ...]) -> Theme:
    topics = tuple(item.get("topics", [topic] if topic else []))
    if topic and topics[0] != topic:
        topics = (topic, *[t for t in topics if t != topic])
    bad = [t for t in topics if t not in TOPICS]
    if not topics or bad or len(topics) > 3:
        raise BadInput(path, f"theme {item.get('id')!r}: topics {topics!r} not 1-3 of the 15 slugs")
    theme_kinds = tuple(item.get("kinds", kinds))
    if any(k not in KINDS for k in theme_kinds):
        raise BadInput(path, f"theme {item.get('id')!r}: unknown kind in {theme_kinds!r}")
    titles = tuple(item.get("titles", ()))
    if not titles:
        raise BadInput(path, f"theme {item.get('id')!r} has no titles")
    return Theme(
        id=str(item["id"]), topics=topics, years=_years(path, item),
        series=tuple(item.get("series", SERIES)), kinds=theme_kinds,
        sections=tuple(item.get("sections", ())), docs=tuple(item.get("docs", ())),
        months=tuple(item.get("months", ())), weight=float(item.get("weight", 1.0)),
        titles=titles, lead=tuple(item.get("lead", ())), body=tuple(item.get("body", ())),
        close=tuple(item.get("close", ())), needs_doc=bool(item.get("needs_doc", False)),
        file=path.name, gender=str(item.get("gender", "")),
    )


def load_register(path: Path = REGISTER) -> dict[str, Document]:
    """indexer/analyze/documents.toml as id → Document."""
    rows = _read(path).get("document", [])
    register: dict[str, Document] = {}
    for row in rows:
        doc = Document(
            id=row["id"], kind=row["kind"], number=row["number"], doc_type=row["doc_type"],
            body=row["body"], issuer=row["issuer"], title=row["title"], date=row["date"],
            aliases=tuple(row.get("aliases", ())), fictional=bool(row.get("fictional", False)),
        )
        if doc.id in register:
            raise BadInput(path, f"document {doc.id} registered twice", "keep one entry")
        register[doc.id] = doc
    return register


@lru_cache(maxsize=2)
def load_corpus(root: Path = CORPUS) -> Corpus:
    """Read and check every corpus file (cached: the files are data shipped with the code)."""
    register = load_register()
    themes: list[Theme] = []
    pools: list[Pool] = []
    for path in sorted((root / "topics").glob("*.toml")):
        topic = path.stem
        if topic not in TOPICS:
            raise BadInput(path, f"{topic!r} is not a topic slug", "name the file after a slug")
        data = _read(path)
        themes += [_theme(path, item, topic, ("bai",)) for item in data.get("theme", [])]
        for item in data.get("common", []):
            pools.append(Pool(topic, _years(path, item), tuple(item.get("series", SERIES)),
                              tuple(item["body"])))
    news_path = root / "news.toml"
    news = _read(news_path)
    themes += [_theme(news_path, item, None, ("tin",)) for item in news.get("theme", [])]
    notices = tuple(_theme(news_path, item, None, ("khac",)) for item in news.get("notice", []))

    qa_path = root / "qa.toml"
    qa = []
    for item in _read(qa_path).get("qa", []):
        topics = tuple(item["topics"])
        if any(t not in TOPICS for t in topics):
            raise BadInput(qa_path, f"qa {item['id']!r}: bad topics {topics!r}")
        qa.append(QA(str(item["id"]), topics, _years(qa_path, item), tuple(item.get("series", SERIES)),
                     tuple(item.get("docs", ())), item["q"], tuple(item["a"]), item["subject"]))

    docs_path = root / "docs.toml"
    docs: dict[str, DocNote] = {}
    for item in _read(docs_path).get("doc", []):
        if item["id"] not in register:
            raise BadInput(docs_path, f"{item['id']} is not in {REGISTER.name}", "register it first")
        docs[item["id"]] = DocNote(item["id"], tuple(item["topics"]), tuple(item.get("series", ())),
                                   int(item.get("until", 2024)), item["subject"],
                                   tuple(item.get("summary", ())), bool(item.get("priority", False)))

    sec_path = root / "sections.toml"
    sections: dict[str, Section] = {}
    order: list[str] = []
    for item in _read(sec_path).get("section", []):
        banners = tuple((int(b["years"][0]), int(b["years"][1]), b["text"]) for b in item.get("banner", []))
        sections[item["name"]] = Section(item["name"], tuple(item.get("series", SERIES)),
                                         _years(sec_path, item), banners)
        order.append(item["name"])

    eras_path = root / "eras.toml"
    weights = tuple((int(p["years"][0]), int(p["years"][1]), {k: float(v) for k, v in p["weights"].items()})
                    for p in _read(eras_path)["period"])
    for _, _, table in weights:
        if any(t not in TOPICS for t in table):
            raise BadInput(eras_path, f"unknown topic in {sorted(table)!r}")

    names = {k: tuple(v) for k, v in _read(root / "names.toml").items()}
    places_data = _read(root / "places.toml")
    phrase_pools = {k: tuple(v) for k, v in places_data.pop("pools", {}).items()}

    corpus = Corpus(tuple(themes), tuple(pools), tuple(qa), docs, register, sections, tuple(order),
                    weights, names, places_data, phrase_pools, notices)
    _check(corpus)
    return corpus


def _check(corpus: Corpus) -> None:
    """Cross-file checks: sections and documents that themes name must exist."""
    for theme in (*corpus.themes, *corpus.notices):
        for name in theme.sections:
            if name not in corpus.sections:
                raise BadInput(CORPUS / "topics" / theme.file, f"theme {theme.id!r}: unknown section {name!r}",
                               "use a name from sections.toml")
        for doc in theme.docs:
            if doc not in corpus.docs:
                raise BadInput(CORPUS / "topics" / theme.file, f"theme {theme.id!r}: document {doc} has no"
                               " entry in docs.toml", "add it there")
    for qa in corpus.qa:
        for doc in qa.docs:
            if doc not in corpus.docs:
                raise BadInput(CORPUS / "qa.toml", f"qa {qa.id!r}: document {doc} not in docs.toml")
