"""Segment: an issue's pages → its articles (section, title, byline, page span, kind, text).

How: the pages are read into lines in reading order (:mod:`indexer.segment.lines`); what belongs
to no article is set aside (running headers and footers, the masthead, the table of
contents, the colophon); section banners are matched against the editors' list
(:mod:`indexer.segment.sections`); bylines, then titles are found from what the lines look like
relative to the body text (:mod:`indexer.segment.headings`); the table of contents confirms titles
and finds those the layout missed (:mod:`indexer.segment.toc`). An article then runs from its title
to the next title or banner, across columns and pages.

:func:`segment_issue` is the stage's one public verb; :mod:`indexer.segment.stage` stores its
output and decides what must be redone.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from archive import problemtext
from archive.models import Article, Issue
from archive.vntext import fold, nfc
from indexer.extract.syllable import valid_counts
from indexer.segment import roles
from indexer.segment.articletext import article_text, join_words, vocabulary, word_count
from indexer.segment.lines import Line, PageWords, page_lines, set_gaps
from indexer.segment.masthead import mark_colophon, mark_masthead, mark_running_titles, masthead_date
from indexer.segment.running import mark_running
from indexer.segment.sections import SectionList, load_sections
from indexer.segment.toc import TocEntry, find_toc, title_similarity

SEGMENTER_VERSION = "segment-3"
TIN_WORDS = 180  # an item this short is a news brief (tin) whatever its title looks like
_SKIP = {"running", "masthead", "toc", "colophon", "noise"}
_DOC_TITLE = re.compile(
    r"^(trich|toan van|tom tat|gioi thieu|nhung noi dung (chu yeu|chinh|co ban)|nhung diem moi)\b"
    r"|^(nghi quyet|chi thi|ket luan|quy dinh|quyet dinh|huong dan|thong bao|thong tri|ke hoach|"
    r"luat|nghi dinh|thong tu|van kien)\s+(so\s+)?\d")
_NOTICE_TITLE = re.compile(
    r"^(thu gui|thu cua|loi toa soan|loi ban bien tap|loi gioi thieu|loi noi dau|"
    r"thong bao (ve viec|cua ban bien tap|phat hanh)|dinh chinh|cai chinh|cao loi|chuc mung|"
    r"thu chuc mung|moi cong tac|moi ban doc|dang ky (nhan|mua|phat hanh|dat mua)|"
    r"ban bien tap (tran trong|xin|chan thanh|cam on)|tran trong cam on|xin cam on|"
    r"(thong bao )?tuyen cong tac vien)")
_DOC_WORD = re.compile(r"\b(nghi quyet|chi thi|ket luan|quy dinh|quyet dinh|huong dan|thong bao|"
                       r"ke hoach|luat|nghi dinh|thong tu|van kien|van ban|dieu le|cuong linh)\b")


@dataclass(frozen=True)
class Segmentation:
    """Everything segmentation learnt about an issue."""

    articles: tuple[Article, ...]
    issue_date: str = ""  # YYYY-MM printed on the masthead ('' when not found)
    toc: tuple[TocEntry, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass
class _Draft:
    section: str
    section_kind: str
    title: list[Line] = field(default_factory=list)
    byline: list[Line] = field(default_factory=list)
    body: list[Line] = field(default_factory=list)
    title_style: str = "strong"
    banner_title: str = ""  # an untitled item under a banner takes the banner as its title

    @property
    def lines(self) -> list[Line]:
        return self.title + self.byline + self.body


def segment_issue(issue: Issue, pages: Sequence[PageWords], *,
                  sections: SectionList | None = None,
                  series_titles: Sequence[str] = ()) -> list[Article]:
    """The articles of ``issue`` from its pages' words, in reading order."""
    return list(segment_issue_report(issue, pages, sections=sections,
                                     series_titles=series_titles).articles)


def segment_issue_report(issue: Issue, pages: Sequence[PageWords], *,
                         sections: SectionList | None = None,
                         series_titles: Sequence[str] = (),
                         machine_pages: Sequence[PageWords] | None = None) -> Segmentation:
    """:func:`segment_issue` with the masthead date, the table of contents and problems.

    ``machine_pages``: the same pages before editors' corrections (when some were
    corrected): each corrected line keeps the role (title, byline, banner, body) the machine
    gave it, so a spelling correction changes words, never the issue's structure."""
    read = read_issue(issue, pages, sections=sections, series_titles=series_titles)
    if machine_pages is not None:
        before = read_issue(issue, machine_pages, sections=sections, series_titles=series_titles)
        keep_roles(read.stream, before.stream)
    sections = sections or load_sections()
    drafts = _assemble(read.stream, sections, list(read.toc))
    articles = _articles(issue, drafts, sections, read.date)
    problems = list(read.problems)
    empty = sorted({ln.page for ln in read.flow if ln.role == "body"}
                   - {pg for a in articles for pg in range(a.first_page, a.last_page + 1)})
    if empty:
        problems.append(problemtext.no_article(empty))
    return Segmentation(tuple(articles), read.date, read.toc, tuple(dict.fromkeys(problems)))


@dataclass(frozen=True)
class IssueLines:
    """An issue's lines with their roles set: what articles are assembled from (also what a
    person debugging segmentation wants to see)."""

    stream: list[Line]  # every line, in reading order, pages in sequence
    flow: list[Line]  # the lines that belong to articles (running lines, masthead... left out)
    toc: tuple[TocEntry, ...]
    date: str
    problems: tuple[str, ...]


def read_issue(issue: Issue, pages: Sequence[PageWords], *,
               sections: SectionList | None = None,
               series_titles: Sequence[str] = ()) -> IssueLines:
    """The issue's lines in reading order, each with its role (banner, title, byline,
    body, running ...)."""
    sections = sections or load_sections()
    pages = sorted(pages, key=lambda p: p.seq)
    methods = {p.seq: p.method for p in pages}
    per_page = [page_lines(p) for p in pages]
    mark_running(per_page)
    for lines in per_page:
        for ln in lines:
            if methods.get(ln.page) == "ocr" and ln.role == "body" and _speck(ln):
                ln.role = "noise"
    if per_page:
        mark_colophon(per_page[-1])
    roles.set_styles(per_page, methods)
    for lines in per_page:  # a picture read as a few letters narrower than any type
        for ln in lines:
            if methods.get(ln.page) == "ocr" and ln.role == "body" and ln.letters <= 20 and \
                    (ln.conf < 50 and ln.wrel < 0.8 or ln.letters <= 5 and ln.wrel < 0.5):
                ln.role = "noise"
    toc: list[TocEntry] = []
    for lines in per_page[:3]:
        toc = find_toc(lines, sections, max_page=len(pages) + 4)
        if toc:
            break
    first = next((lines for lines in per_page if lines), [])
    mark_running_titles([lines for lines in per_page if lines is not first], series_titles)
    mark_masthead(first, series_titles, ends=lambda text: sections.match(text) is not None)
    date = masthead_date(first, issue.year)
    for lines in per_page:  # white space is measured between the lines that remain
        set_gaps([ln for ln in lines if ln.role not in _SKIP])
    stream = [ln for lines in per_page for ln in lines]
    flow = [ln for ln in stream if ln.role not in _SKIP]
    roles.mark_jumps(flow)
    flow = [ln for ln in flow if ln.role != "jump"]
    roles.mark_banners(flow, sections, methods)
    roles.mark_end_bylines(flow, sections)
    roles.mark_titles(flow, methods, sections)
    problems = roles.stacked_headings(flow, sections)
    if toc:
        problems += roles.apply_toc(toc, flow)
    return IssueLines(stream, flow, tuple(toc), date, tuple(problems))


KEPT_ROLES = frozenset({"title", "byline", "byline-end", "banner", "body"})


def _line_key(ln: Line) -> tuple[int, int, int, int] | None:
    """A line's identity across a text correction: its page and the extractor's block and
    line numbers of its first word (kept by ``archive.editorial.align_words``), and its column."""
    if not ln.words:
        return None
    w = ln.words[0]
    return ln.page, w.block, w.line, ln.column


def keep_roles(stream: Sequence[Line], before: Sequence[Line]) -> int:
    """Give each line of ``stream`` the role its line had in ``before`` (the machine's text)
    when both are article roles (:data:`KEPT_ROLES`, or noise now); returns the lines changed."""
    was = {k: ln.role for ln in before if (k := _line_key(ln)) is not None}
    changed = 0
    for ln in stream:
        old = was.get(_line_key(ln))  # type: ignore[arg-type]
        if old in KEPT_ROLES and ln.role != old and (ln.role in KEPT_ROLES or ln.role == "noise"):
            ln.role = old
            changed += 1
    return changed


def _speck(ln: Line) -> bool:
    """What OCR made of specks, smudges and pictures: a few letters read with no confidence
    (unless they are whole Vietnamese words inside the column: a word OCR doubted), or a
    line of non-words read with little."""
    if ln.conf < 35 and ln.letters <= 12:
        valid, judged = valid_counts(ln.text)
        inside = ln.indent >= -0.5 and ln.right_space >= -0.5
        return not (inside and judged and valid == judged)
    return ln.conf < 50 and not ln.plausible


# --- line roles --------------------------------------------------------------------------

def _assemble(stream: list[Line], sections: SectionList, toc: list[TocEntry]) -> list[_Draft]:
    drafts: list[_Draft] = []
    section, section_kind = "", ""
    current: _Draft | None = None
    orphans: list[Line] = []
    banner_text = ""
    jumps: dict[int, list[tuple[int, _Draft]]] = {}  # page → (from page, article) to continue
    for ln in stream:
        if ln.role == "jump":
            kind, page = roles.jump(ln.text)  # type: ignore[misc]
            if kind == "out" and current is not None:
                jumps.setdefault(page, []).append((ln.page, current))
            elif kind == "in":
                waiting = [d for src, d in jumps.get(ln.page, []) if src == page] or \
                    [d for _src, d in jumps.get(ln.page, [])]
                if waiting:
                    if current is not None and current.title and not current.body and \
                            current is drafts[-1] and current.title[0].page == ln.page:
                        drafts.pop()  # the continued article's title, printed again
                    current = waiting[0]
                    jumps[ln.page].remove(next(j for j in jumps[ln.page] if j[1] is current))
            continue
        if ln.role in _SKIP:
            if ln.role == "running":
                name = roles.section_tag(ln) or (sections.match(ln.text).name  # type: ignore[union-attr]
                                            if ln.letters <= 90 and sections.match(ln.text) else "")
                if name and name != section:
                    section, section_kind = name, _kind_of_section(sections, name)
                    current = None
            continue
        if ln.role == "banner":
            name = roles.section_tag(ln)
            if current is None or current.title or current.body or name != section:
                banner_text = name
            section, section_kind = name, _kind_of_section(sections, name)
            current = None
            continue
        if ln.role == "title":
            if "title-start" in ln.tags or current is None or current.body or current.byline:
                current = _Draft(section, section_kind)
                style = next((t.split("=", 1)[1] for t in ln.tags if t.startswith("title-style=")),
                             "strong")
                current.title_style = style
                drafts.append(current)
            current.title.append(ln)
            continue
        if current is None:
            if banner_text:  # text right under a banner: the banner is its title
                current = _Draft(section, section_kind, banner_title=banner_text)
                drafts.append(current)
            else:
                orphans.append(ln)
                continue
        if ln.role == "byline" and not current.body:
            current.byline.append(ln)
        else:
            current.body.append(ln)
        banner_text = ""
    if orphans and sum(len(ln.text.split()) for ln in orphans if ln.role == "body") >= 25:
        lead = _Draft("", "", banner_title="")
        lead.body = orphans
        lead.title_style = "none"
        drafts.insert(0, lead)
    _toc_sections(drafts, toc)
    return drafts


def _kind_of_section(sections: SectionList, name: str) -> str:
    s = sections.by_name(name)
    return s.kind if s else ""


def _toc_sections(drafts: list[_Draft], toc: list[TocEntry]) -> None:
    """Articles under no banner take the section their table-of-contents entry is under."""
    for d in drafts:
        if d.section or not d.title:
            continue
        title = " ".join(ln.text for ln in d.title)
        for e in toc:
            if e.section and title_similarity(e.title, title) >= 0.85:
                d.section = e.section
                break


def _articles(issue: Issue, drafts: list[_Draft], sections: SectionList,
              date: str) -> list[Article]:
    vocab = vocabulary(ln for d in drafts for ln in d.body)
    out: list[Article] = []
    taken: set[str] = set()
    for d in drafts:
        body = list(d.body)
        closing: list[str] = []
        while body and body[-1].role == "byline-end":
            closing.insert(0, body.pop().text)
        byline = [_signature(t, sections) for t in [ln.text for ln in d.byline] + closing]
        text = article_text(body, vocab)
        title = _title_text(d.title) or d.banner_title or _lead_title(text)
        if not title or not (text or d.title):
            continue
        lines = d.lines
        pages = sorted({ln.page for ln in lines})
        words = word_count(text)
        conf = [w.conf for ln in lines for w in ln.words]
        boxes: dict[int, list[tuple[float, float, float, float]]] = {}
        for ln in sorted(lines, key=lambda ln: (ln.page, ln.order)):
            boxes.setdefault(ln.page, []).append(ln.box())
        kind = _kind(title, text, d, words)
        section = "" if _NOTICE_TITLE.match(fold(title)) else d.section  # not in a section
        article_id = make_article_id(issue.id, pages[0], title, taken)
        out.append(Article(
            id=article_id, issue_id=issue.id, series=issue.series, year=issue.year,
            number=issue.number, seq=len(out) + 1, section=section, title=title,
            byline=nfc(" ".join(dict.fromkeys(b.strip() for b in byline if b.strip()))),
            first_page=pages[0], last_page=pages[-1], kind=kind, text=text, words=words,
            confidence=round(statistics.fmean(conf), 2) if conf else 0.0,
            date=(issue.date or date)[:7], boxes=boxes))
    return out


def _signature(text: str, sections: SectionList) -> str:
    """A byline as printed, trimmed of specks; a signature OCR misread (*B1G*, *Ban TI-VH*)
    as the signature in the list."""
    text = text.strip().strip(".'\"`-–:").strip()
    return sections.near_signature(text) or text


def _title_text(lines: list[Line]) -> str:
    tokens: list[str] = []
    for ln in lines:
        parts = ln.text.split()
        if tokens and parts:
            joined = join_words(tokens[-1], parts[0], set())
            if joined is not None:
                tokens[-1] = joined
                parts = parts[1:]
        tokens.extend(parts)
    text = " ".join(tokens)
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()  # titles take no full stop: OCR saw one in a speck
    return nfc(text)


def _lead_title(text: str) -> str:
    words = text.split()
    if not words:
        return ""
    return " ".join(words[:10]) + ("…" if len(words) > 10 else "")


def _kind(title: str, text: str, d: _Draft, words: int) -> str:
    t = fold(title)
    if _NOTICE_TITLE.match(t):
        return "khac"  # a letter or notice from the editors
    leads = [fold(p[:12]) for p in text.split("\n\n")]
    asks = sum(1 for p in leads if p.startswith(("hoi:", "hoi :", "cau hoi")))
    answers = sum(1 for p in leads if p.startswith(("dap:", "dap :", "tra loi")))
    if (asks and answers) or d.section_kind == "hoi-dap" or t.startswith(("hoi dap", "hoi - dap",
                                                                           "hoi – dap")):
        return "hoi-dap"
    if _DOC_TITLE.search(t) and (_DOC_WORD.search(t) or re.search(r"\d+-?\w*/", title)):
        return "van-ban"
    if d.section_kind == "van-ban" and _DOC_WORD.search(t):
        return "van-ban"
    if d.title_style == "none":
        return "khac"
    if words <= TIN_WORDS or (d.title_style == "bold" and words <= 400) or \
            (d.section_kind == "tin" and words <= 400):
        return "tin"
    return "bai"


def make_article_id(issue_id: str, first_page: int, title: str, taken: set[str]) -> str:
    """``<issue id>-p<first page>-<4 hex of sha1(fold(title))>``, then ``-2``, ``-3`` ... on a
    collision within the issue; adds the id to ``taken``."""
    digest = hashlib.sha1(" ".join(fold(title).split()).encode("utf-8")).hexdigest()[:4]
    base = f"{issue_id}-p{first_page}-{digest}"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate
