"""The content of the fictional sample archive: series, issues, sources by era, articles.

``plan_archive(size, seed)`` returns the :class:`~samplegen.plan.ArchivePlan` the renderers
turn into scans/ and sample-truth/. Deterministic for a seed: every random choice comes from
``random.Random`` objects seeded from ``seed`` (and the issue id), and nothing depends on
dict or set iteration order of unsorted data.

The two series
    ``ttshcb`` (central) from July 1989 to 2024, titled *Thông báo nội bộ* until 1995 and
    *Thông tin sinh hoạt chi bộ* from 1996; published by the *Ban Tư tưởng – Văn hóa Trung
    ương* until March 2007, then the *Ban Tuyên giáo Trung ương*. ``tbnb`` (provincial) for
    the fictional *tỉnh Vân Giang* from March 2004, titled *Thông tin nội bộ* until 2011 and
    *Thông báo nội bộ* from 2012; published by the *Ban Tư tưởng – Văn hóa Tỉnh ủy* until
    2007, then the *Ban Tuyên giáo Tỉnh ủy*.

Expected issues a year
    Both series are monthly, so ``issues_per_year`` is 12 (realistic). The sample holds two
    or three issues a year (``full``), so completeness is 17–25 % and varies from year to
    year: low, but real, as for an archive rebuilt from what offices kept.

Sources by era (``IssuePlan.source``)
    ``scan-old`` (typewriter era, one column) 1989–1996; ``scan-300`` 1997 and early 1998;
    ``pdf-tcvn3`` (most) and ``pdf-vni`` (a few central issues, the provincial ones of
    2004–2006) 1998–2009; ``pdf-unicode`` from 2010; and in every decade a few issues that
    survive only on paper (``scan-300`` or ``scan-photo``). About 110–130 scanned pages in
    ``full``, so OCR stays within minutes.

Topics, gaps and documents
    The topic mix by period is corpus/eras.toml; the gaps the sample keeps are :data:`GAPS`
    (recorded in ``ArchivePlan.gaps``; no article of that topic in that series and years
    beyond ``max_articles``). Articles cite documents of indexer/analyze/documents.toml only after
    they are issued and after the series' lag (samplegen.content_docs). Documents no article
    cites are listed in ``ArchivePlan.uncited``: by design 57-NQ/TW (issued 22/12/2024, after
    the sample ends) and 03-NQ/HNTW (the 1997 cadre strategy, which the sample never
    explains), and whatever else the schedule happened to miss.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

from archive.errors import UsageError
from samplegen.colophon import with_colophon
from samplegen.content_corpus import Corpus, load_corpus
from samplegen.content_docs import available_from, month_index
from samplegen.content_issue import Gap, IssueComposer, Ledger
from samplegen.content_text import old_tones, words
from samplegen.plan import ArchivePlan, ArticlePlan, IssuePlan, SeriesPlan

LAST_YEAR = 2024
PROVINCE = "Vân Giang"

BTTVH_TW = "Ban Tư tưởng – Văn hóa Trung ương"
BTG_TW = "Ban Tuyên giáo Trung ương"
BTTVH_TU = f"Ban Tư tưởng – Văn hóa Tỉnh ủy {PROVINCE}"
BTG_TU = f"Ban Tuyên giáo Tỉnh ủy {PROVINCE}"

SERIES = (
    SeriesPlan(
        code="ttshcb", title="Thông tin sinh hoạt chi bộ", publisher=BTG_TW, first_year=1989,
        issues_per_year=12, level="trung-uong", province="",
        titles=(("Thông báo nội bộ", BTTVH_TW, "1989-07", "1995-12"),
                ("Thông tin sinh hoạt chi bộ", BTTVH_TW, "1996-01", "2007-03"),
                ("Thông tin sinh hoạt chi bộ", BTG_TW, "2007-04", None)),
    ),
    SeriesPlan(
        code="tbnb", title="Thông báo nội bộ", publisher=BTG_TU, first_year=2004,
        issues_per_year=12, level="tinh", province=PROVINCE,
        titles=(("Thông tin nội bộ", BTTVH_TU, "2004-03", "2007-12"),
                ("Thông tin nội bộ", BTG_TU, "2008-01", "2011-12"),
                ("Thông báo nội bộ", BTG_TU, "2012-01", None)),
    ),
)
FIRST_MONTH = {"ttshcb": (1989, 7), "tbnb": (2004, 3)}

GAPS = (
    Gap("ttshcb", "khoa-hoc-cong-nghe-chuyen-doi-so", 1989, 2014, 0,
        "absent: science, technology and digital transformation enter the central bulletin only from 2015"),
    Gap("tbnb", "khoa-hoc-cong-nghe-chuyen-doi-so", 2004, 2014, 0,
        "absent: the provincial bulletin has nothing on technology before 2015"),
    Gap("ttshcb", "bao-ve-nen-tang-tu-tuong", 1989, 2017, 4,
        "thin: defending the Party's ideological foundation is rare before Resolution 35-NQ/TW (2018)"),
    Gap("tbnb", "bao-ve-nen-tang-tu-tuong", 2004, 2016, 1,
        "thin: at most one provincial article on rebutting hostile views before 2017"),
    Gap("tbnb", "doi-ngoai", 2010, 2014, 0,
        "absent in one series only: the provincial bulletin carries no foreign affairs in 2010-2014"),
    Gap("ttshcb", "moi-truong-thien-tai", 1989, 1996, 0,
        "absent in one series only: no environment or natural disasters in the central bulletin before 1997"),
    Gap("tbnb", "hoc-tap-lam-theo-bac", 2004, 2006, 0,
        "absent: the provincial campaign on following Uncle Ho's example starts with Directive 06-CT/TW (11/2006)"),
)

# Pages a rendered issue needs, for IssuePlan.pages_hint: words per page by source and columns.
_WORDS_PER_PAGE = {("scan-old", 1): 420, ("scan-300", 1): 470, ("scan-300", 2): 600,
                   ("scan-photo", 1): 450, ("scan-photo", 2): 580, (None, 1): 520, (None, 2): 640}


@dataclass(frozen=True)
class Frame:
    """An issue before its content: where and when it sits, how it survives."""

    series: str
    year: int
    month: int
    number: str
    suffix: str
    printed_number: str
    source: str
    columns: int
    toc: bool

    @property
    def issue_id(self) -> str:
        base = f"{self.series}-{self.year:04d}-{self.number}"
        return f"{base}-{self.suffix}" if self.suffix else base


def _can_chi(year: int) -> str:
    can = ("Canh", "Tân", "Nhâm", "Quý", "Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ")[year % 10]
    chi = ("Thân", "Dậu", "Tuất", "Hợi", "Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi")[year % 12]
    return f"{can} {chi}"


def _title_row(series: SeriesPlan, year: int, month: int) -> tuple[str, str]:
    key = f"{year:04d}-{month:02d}"
    for title, publisher, start, end in series.titles:
        if start <= key and (end is None or key <= end):
            return title, publisher
    return series.title, series.publisher


def _availability(corpus: Corpus, seed: int) -> dict[tuple[str, str], int]:
    """(series, document) → the month index from which the series may cite it."""
    out: dict[tuple[str, str], int] = {}
    for doc_id in sorted(corpus.docs):
        note = corpus.docs[doc_id]
        for series in sorted(note.series):
            rng = random.Random(f"{seed}:lag:{series}:{doc_id}")
            out[(series, doc_id)] = available_from(corpus.register[doc_id], series, rng)
    return out


def _months(rng: random.Random, series: str, year: int, count: int, landmark: list[int],
            wanted: list[int]) -> list[int]:
    """``count`` distinct issue months: when a landmark document becomes citable first, then
    when another new document does, then others spread over the year. The first issue of a
    series is always held (ttshcb Số 1, 7/1989; tbnb Số 1, 3/2004).
    """
    first_year, first_month = FIRST_MONTH[series]
    start = first_month if year == first_year else 1
    valid = list(range(start, 13))
    picked = [first_month] if year == first_year else []
    for keep_free, months in ((0, landmark), (1 if count > 2 else 0, wanted)):
        pool = sorted({m for m in months if m in valid and m not in picked})
        room = min(len(pool), count - len(picked) - keep_free)
        if room > 0:
            picked += rng.sample(pool, room)
    picked.sort()
    rest = [m for m in valid if m not in picked and all(abs(m - p) > 1 for p in picked)]
    rest = rest or [m for m in valid if m not in picked]
    picked += rng.sample(rest, count - len(picked))
    return sorted(picked)


def _schedule(corpus: Corpus, available: dict[tuple[str, str], int], seed: int) -> list[Frame]:
    """Every issue of the ``full`` sample, with its source, in chronological order per series."""
    rng = random.Random(f"{seed}:schedule")
    years = {"ttshcb": range(1989, LAST_YEAR + 1), "tbnb": range(2004, LAST_YEAR + 1)}
    pairs = [(s, y) for s in ("ttshcb", "tbnb") for y in years[s] if y >= 2000]
    third = set(rng.sample(pairs, 16))
    xuan = set(rng.sample([y for y in years["tbnb"] if y >= 2009], 2))
    frames: list[Frame] = []
    for series in ("ttshcb", "tbnb"):
        for year in years[series]:
            count = 3 if (series, year) in third else 2
            here = [(d, available[(s, d)] % 12 + 1) for (s, d) in sorted(available)
                    if s == series and available[(s, d)] // 12 == year]
            landmark = [m for d, m in here if corpus.docs[d].priority]
            wanted = [m for d, m in here if not corpus.docs[d].priority]
            months = _months(rng, series, year, count, landmark, wanted)
            special = series == "tbnb" and year in xuan
            if special:
                months = [1] + [m for m in months if m != 1][: count - 1]
            for index, month in enumerate(months):
                frames.append(_frame(rng, series, year, month, special and index == 0))
    return _sources(frames, random.Random(f"{seed}:sources"))


def _frame(rng: random.Random, series: str, year: int, month: int, xuan: bool) -> Frame:
    if series == "ttshcb":
        number = month - 6 if year == 1989 else month
        printed = f"Số {number} – tháng {month}/{year}"
        file_number = f"{number:02d}"
    else:
        number = month_index(year, month) - month_index(2004, 3) + 1  # numbered from the first issue
        printed = f"Số {number} – tháng {month}/{year}"
        file_number = f"{month:02d}"
    suffix = ""
    if xuan:
        printed = f"Số {number} – Xuân {_can_chi(year)} {year}"
        suffix = "xuan"
    toc = rng.random() < (0.7 if year >= 1998 else 0.15)
    return Frame(series, year, month, file_number, suffix, printed, "", 1, toc)


def _sources(frames: list[Frame], rng: random.Random) -> list[Frame]:
    """Sources by era, a few central issues in VNI, and paper-only issues in every decade."""
    def era_source(f: Frame) -> str:
        if f.year <= 1996:
            return "scan-old"
        if f.year == 1997:
            return "scan-300"
        if f.year <= 2009:
            return "pdf-vni" if f.series == "tbnb" and f.year <= 2006 else "pdf-tcvn3"
        return "pdf-unicode"

    source = {f.issue_id: era_source(f) for f in frames}
    first_1998 = min((f for f in frames if f.series == "ttshcb" and f.year == 1998), key=lambda f: f.month)
    source[first_1998.issue_id] = "scan-300"
    vni = [f for f in frames if f.series == "ttshcb" and 1999 <= f.year <= 2009]
    for f in rng.sample(vni, 3):
        source[f.issue_id] = "pdf-vni"
    paper = [("ttshcb", 1990, 1996, "scan-photo"),
             ("ttshcb", 2000, 2009, "scan-300"), ("tbnb", 2004, 2009, "scan-photo"),
             ("ttshcb", 2010, 2019, "scan-photo"), ("tbnb", 2010, 2019, "scan-300"),
             ("ttshcb", 2020, 2024, "scan-300"), ("tbnb", 2020, 2024, "scan-photo")]
    for series, lo, hi, kind in paper:
        pool = [f for f in frames if f.series == series and lo <= f.year <= hi and not f.suffix
                and source[f.issue_id] != "pdf-vni"]
        source[rng.choice(pool).issue_id] = kind
    out = []
    for f in frames:
        kind = source[f.issue_id]
        if kind == "scan-old" or (kind in ("scan-300", "scan-photo") and f.year < 2000):
            columns = 1
        elif kind.startswith("pdf-"):
            columns = 2 if rng.random() < (0.9 if kind == "pdf-unicode" else 0.75) else 1
        else:
            columns = 2 if rng.random() < 0.5 else 1
        out.append(replace(f, source=kind, columns=columns))
    return out


def _small(frames: list[Frame], seed: int) -> list[Frame]:
    """Seven issues covering every source kind and both series, for the test suite."""
    rng = random.Random(f"{seed}:small")
    wanted = [("ttshcb", "scan-old", 1990, 1996), ("ttshcb", "scan-300", 1997, 1998),
              ("ttshcb", "pdf-tcvn3", 1999, 2009), ("tbnb", "pdf-vni", 2004, 2009),
              ("tbnb", "scan-photo", 2004, 2024), ("ttshcb", "pdf-unicode", 2017, 2024),
              ("tbnb", "pdf-unicode", 2020, 2024)]
    out = []
    for series, kind, lo, hi in wanted:
        pool = [f for f in frames if f.series == series and f.source == kind and lo <= f.year <= hi]
        out.append(rng.choice(pool))
    return out


# Provincial issues that survive as the office's Word files (samplegen.render_word): kind, year.
WORD_ISSUES = {
    "full": (("word-tcvn3", 2005), ("word-vni", 2006), ("word-mixed", 2007),
             ("word-unicode", 2008), ("word-mixed", 2009), ("word-tcvn3", 2010)),
    "small": (("word-mixed", 2007),),
}


def _word_frames(schedule: list[Frame], size: str, seed: int) -> list[Frame]:
    """Extra ``tbnb`` issues in months the schedule left free (numbered like the others)."""
    out: list[Frame] = []
    for kind, year in WORD_ISSUES[size]:
        rng = random.Random(f"{seed}:word:{kind}:{year}")
        taken = {f.month for f in schedule if f.series == "tbnb" and f.year == year}
        taken |= {f.month for f in out if f.year == year}
        month = rng.choice([m for m in range(2, 13) if m not in taken])
        out.append(replace(_frame(rng, "tbnb", year, month, False), source=kind, toc=False))
    return out


def _colophon(series: str, year: int, rng: random.Random, editors: dict[str, list[tuple[int, str]]]
              ) -> tuple[int, str, str, str]:
    """(print run, editor in charge, printer, licence) for an issue: a slow trend with noise."""
    points: tuple[tuple[int, int], ...]
    if series == "ttshcb":
        points = ((1989, 15000), (1996, 42000), (2008, 95000), (2016, 110000), (2024, 78000))
        step, printer = 500, ("Xưởng in Ban Tư tưởng – Văn hóa Trung ương" if year < 2000
                              else "Công ty In Vân Hà (hư cấu)")
        office = "BVHTT" if year < 2008 else "BTTTT"
    else:
        points = ((2004, 3200), (2012, 5800), (2018, 6500), (2024, 4200))
        step, printer = 100, "Công ty Cổ phần In Vân Giang (hư cấu)"
        office = "SVHTT" if year < 2008 else "STTTT"
    run: float = points[-1][1]
    for (y0, v0), (y1, v1) in zip(points, points[1:]):
        if y0 <= year <= y1:
            run = v0 + (v1 - v0) * (year - y0) / (y1 - y0)
            break
    run = int(round(run * rng.uniform(0.96, 1.04) / step) * step)
    editor = next(name for start, name in reversed(editors[series]) if start <= year)
    licence = f"Giấy phép xuất bản số {rng.randint(12, 480)}/GP-{office}, cấp ngày {rng.randint(2, 28)}/12/{year - 1}"
    return run, editor, printer, licence


def _editors(corpus: Corpus, seed: int) -> dict[str, list[tuple[int, str]]]:
    rng = random.Random(f"{seed}:editors")
    starts = {"ttshcb": (1989, 1994, 2000, 2007, 2013, 2019), "tbnb": (2004, 2009, 2015, 2020)}
    return {s: [(y, corpus.person(rng, rng.choice(("nam", "nam", "nu")))) for y in starts[s]]
            for s in ("ttshcb", "tbnb")}


def _old_style(series: str, year: int, rng: random.Random) -> bool:
    """Whether an issue prints the older tone placement (hoà, uỷ): the norm before the 2010s."""
    cutoff = 2005 if series == "ttshcb" else 2010
    return year < cutoff or rng.random() < 0.15


def _restyle(article: ArticlePlan) -> ArticlePlan:
    return replace(article, title=old_tones(article.title), byline=old_tones(article.byline),
                   banner=old_tones(article.banner or article.section),
                   paragraphs=tuple(old_tones(p) for p in article.paragraphs))


def _pages(source: str, columns: int, articles: tuple[ArticlePlan, ...]) -> int:
    per_page = _WORDS_PER_PAGE.get((source, columns)) or _WORDS_PER_PAGE[(None, columns)]
    total = sum(words(" ".join(a.paragraphs)) + words(a.title) + 12 for a in articles) + 150
    return max(1, math.ceil(total / per_page))


def plan_archive(size: str = "full", seed: int = 1) -> ArchivePlan:
    """The whole sample: ``full`` (about 130 issues) or ``small`` (7 issues, every source kind)."""
    if size not in ("full", "small"):
        raise UsageError(f"unknown sample size {size!r}: use 'full' or 'small'")
    corpus = load_corpus()
    available = _availability(corpus, seed)
    frames = _schedule(corpus, available, seed)
    schedule = frames
    if size == "small":
        frames = _small(frames, seed)
    gaps = [replace(g) for g in GAPS]
    ledger = Ledger(available=available, gaps=gaps)
    editors = _editors(corpus, seed)
    plans: list[IssuePlan] = []
    series_by_code = {s.code: s for s in SERIES}
    for frame in sorted(frames, key=lambda f: (f.year, f.month, f.series)):
        rng = random.Random(f"{seed}:{size}:{frame.issue_id}")
        composer = IssueComposer(corpus, ledger, rng, series=frame.series, year=frame.year,
                                 month=frame.month, size=size, compact=frame.source.startswith("scan-"))
        articles = composer.compose(frame.issue_id)
        if _old_style(frame.series, frame.year, rng):
            articles = tuple(_restyle(a) for a in articles)
        else:
            articles = tuple(replace(a, banner=a.banner or a.section) for a in articles)
        title, publisher = _title_row(series_by_code[frame.series], frame.year, frame.month)
        run, editor, printer, licence = _colophon(frame.series, frame.year, rng, editors)
        plans.append(IssuePlan(
            series=frame.series, year=frame.year, number=frame.number, suffix=frame.suffix,
            month=frame.month, title=title, publisher=publisher, printed_number=frame.printed_number,
            source=frame.source, columns=frame.columns, toc=frame.toc, articles=articles,
            seed=seed, pages_hint=_pages(frame.source, frame.columns, articles), print_run=run,
            editor=editor, printer=printer, licence=licence,
        ))
        plans[-1] = with_colophon(plans[-1])
    # Word issues come last, so every other issue is exactly what it was before they existed
    for frame in _word_frames(schedule, size, seed):
        rng = random.Random(f"{seed}:{size}:{frame.issue_id}")
        composer = IssueComposer(corpus, ledger, rng, series=frame.series, year=frame.year,
                                 month=frame.month, size=size, compact=False)
        articles = tuple(replace(a, banner=a.banner or a.section)
                         for a in composer.compose(frame.issue_id))
        title, publisher = _title_row(series_by_code[frame.series], frame.year, frame.month)
        run, editor, printer, licence = _colophon(frame.series, frame.year, rng, editors)
        plans.append(IssuePlan(
            series=frame.series, year=frame.year, number=frame.number, suffix=frame.suffix,
            month=frame.month, title=title, publisher=publisher, printed_number=frame.printed_number,
            source=frame.source, columns=1, toc=False, articles=articles, seed=seed,
            pages_hint=_pages(frame.source, 1, articles), print_run=run, editor=editor,
            printer=printer, licence=licence))
        plans[-1] = with_colophon(plans[-1])
    plans.sort(key=lambda p: (p.series != "ttshcb", p.year, p.month, p.suffix))
    cited = {d for p in plans for a in p.articles for d in a.doc_refs}
    uncited = tuple(sorted(d for d in corpus.register if d not in cited))
    return ArchivePlan(series=SERIES, issues=tuple(plans), gaps=tuple(g.as_dict() for g in GAPS),
                       uncited=uncited)
