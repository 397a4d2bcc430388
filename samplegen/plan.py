"""The plan of the sample archive: what each issue holds, before it is laid out and rendered.

``samplegen.content`` makes these values; ``samplegen.layout`` and the renderers turn them into
files under scans/ and the truth under sample-truth/. Deterministic for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How an issue survives, by era (see issue 3): the renderer picks the container.
SOURCE_KINDS = (
    "scan-old",     # 1989-1990s: 200 dpi, typewriter-like face, skew up to 2°, noise, blur
    "scan-300",     # clean-ish 300 dpi grayscale scan
    "scan-photo",   # phone photo of paper: uneven light, keystone, shadow
    "pdf-tcvn3",    # PDF whose text layer is TCVN3 (ABC) .VnTime fonts: mojibake until repaired
    "pdf-vni",      # PDF whose text layer is VNI-Times
    "pdf-unicode",  # born-digital Unicode PDF
    "word-tcvn3",   # the office's Word file typed in .VnTime/.VnTimeH (samplegen.render_word)
    "word-vni",     # ... in VNI-Times
    "word-mixed",   # ... TCVN3 body, VNI titles, a Unicode table, Wingdings bullets
    "word-unicode", # ... in Unicode
)


@dataclass(frozen=True)
class SeriesPlan:
    code: str
    title: str  # current title
    publisher: str
    first_year: int
    issues_per_year: int  # expected per year (completeness is measured against it)
    level: str  # "trung-uong" | "tinh"
    province: str
    titles: tuple[tuple[str, str, str, str | None], ...]  # (title, publisher, start, end)


@dataclass(frozen=True)
class ArticlePlan:
    key: str  # truth id, e.g. "ttshcb-1995-03#02"
    section: str  # canonical section name ('' for none)
    title: str
    byline: str  # '' when none; e.g. "PV", "Nguyễn Văn An", "BTG"
    kind: str  # tin | bai | hoi-dap | van-ban | khac
    paragraphs: tuple[str, ...]  # NFC, each one paragraph; Q&A: questions start "Hỏi:", answers "Đáp:"
    topics: tuple[str, ...]  # 1-3 slugs from indexer/analyze/topics.toml
    doc_refs: tuple[str, ...] = ()  # normalised identifiers cited in the text, e.g. "21-NQ/TW"
    banner: str = ""  # the section banner as printed in this issue ('' = print ``section``)


@dataclass(frozen=True)
class IssuePlan:
    series: str
    year: int
    number: str  # as in the file name, "01"
    suffix: str  # "" or e.g. "xuan"
    month: int
    title: str  # series title in force at the issue date
    publisher: str  # publisher in force
    printed_number: str  # as printed: "Số 7 – tháng 7/1995"
    source: str  # one of SOURCE_KINDS
    columns: int  # 1 or 2
    toc: bool  # whether page 1 or 2 carries a "Mục lục"
    articles: tuple[ArticlePlan, ...]
    seed: int = 0
    note: str = ""
    pages_hint: int = 0  # pages the content planner expects (0 = let the layout decide)
    print_run: int = 0  # colophon "In N bản" (0 = not printed)
    editor: str = ""  # colophon "Chịu trách nhiệm xuất bản: ..."
    printer: str = ""  # colophon: where it was printed
    licence: str = ""  # colophon "Giấy phép xuất bản số ..."
    format: str = ""  # colophon "khổ 19 x 27 cm" ('' = not printed)
    deposit: str = ""  # colophon "In xong và nộp lưu chiểu tháng M/YYYY": "YYYY-MM" ('' = not printed)
    colophon_form: str = ""  # how the print run is worded: '' "In N bản, khổ ..." | "so-luong" "Số lượng in: N bản ..."

    @property
    def issue_id(self) -> str:
        base = f"{self.series}-{self.year:04d}-{self.number}"
        return f"{base}-{self.suffix}" if self.suffix else base

    @property
    def date(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class ArchivePlan:
    series: tuple[SeriesPlan, ...]
    issues: tuple[IssuePlan, ...]
    gaps: tuple[dict[str, object], ...] = field(default=())  # topics deliberately thin/absent
    uncited: tuple[str, ...] = ()  # registered documents no article cites (a findable gap)


@dataclass(frozen=True)
class IssueStyle:
    """Typographic choices for one issue, drawn from its seed (see :func:`choose_style`)."""

    typeface: str  # a name in samplegen.typefaces.TYPEFACES, or vntime / vnitimes (legacy)
    columns: int
    body_size: float  # points
    leading: float  # line advance as a multiple of the size
    justified: bool
    indent: bool  # first-line indent of paragraphs (else a gap between paragraphs)
    title_size: float
    title_caps: bool
    title_align: str  # left | center
    banner: str  # box | rules
    banner_caps: bool
    byline: str  # end | under
    mast_caps: bool
    header_align: str  # outer | center
    toc_page: int  # 0 (none), 1 or 2
    colophon: tuple[str, ...]  # lines of the colophon closing the issue ('' when none)
