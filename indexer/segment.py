"""Segment: an issue's pages → its articles (section, title, byline, page span, kind, text).

How: the pages are read into lines in reading order (:mod:`indexer.layout`); what belongs
to no article is set aside (running headers and footers, the masthead, the table of
contents, the colophon); section banners are matched against the editors' list
(:mod:`indexer.sections`); bylines, then titles are found from what the lines look like
relative to the body text (:mod:`indexer.headings`); the table of contents confirms titles
and finds those the layout missed (:mod:`indexer.toc`). An article then runs from its title
to the next title or banner, across columns and pages.

:func:`segment_issue` is the stage's one public verb; :mod:`indexer.articles` stores its
output and decides what must be redone.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from archive.models import Article, Issue
from archive.vntext import fold, match_key, nfc
from indexer import headings as hd
from indexer.articletext import article_text, join_words, vocabulary, word_count
from indexer.layout import Line, PageWords, mark_running, page_lines, set_gaps
from indexer.masthead import mark_colophon, mark_masthead, mark_running_titles, masthead_date
from indexer.sections import SectionList, load_sections
from indexer.toc import TocEntry, find_toc, title_similarity

SEGMENTER_VERSION = "segment-1"
TIN_WORDS = 180  # an item this short is a news brief (tin) whatever its title looks like
_SKIP = {"running", "masthead", "toc", "colophon", "noise"}
_DOC_TITLE = re.compile(
    r"^(trich|toan van|tom tat|gioi thieu|nhung noi dung (chu yeu|chinh|co ban)|nhung diem moi)\b"
    r"|^(nghi quyet|chi thi|ket luan|quy dinh|quyet dinh|huong dan|thong bao|thong tri|ke hoach|"
    r"luat|nghi dinh|thong tu|van kien)\s+(so\s+)?\d")
_NOTICE_TITLE = re.compile(r"^(thu gui|thu cua|loi toa soan|loi ban bien tap|loi gioi thieu|loi noi dau|"
                           r"thong bao (ve viec|cua ban bien tap|phat hanh)|dinh chinh|cao loi|"
                           r"chuc mung|thu chuc mung)")
_DOC_WORD = re.compile(r"\b(nghi quyet|chi thi|ket luan|quy dinh|quyet dinh|huong dan|thong bao|"
                       r"ke hoach|luat|nghi dinh|thong tu|van kien|dieu le|cuong linh)\b")


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
                         series_titles: Sequence[str] = ()) -> Segmentation:
    """:func:`segment_issue` with the masthead date, the table of contents and problems."""
    sections = sections or load_sections()
    pages = sorted(pages, key=lambda p: p.seq)
    methods = {p.seq: p.method for p in pages}
    per_page = [page_lines(p) for p in pages]
    mark_running(per_page)
    toc: list[TocEntry] = []
    for lines in per_page[:3]:
        toc = find_toc(lines, sections, max_page=len(pages) + 4)
        if toc:
            break
    first = next((lines for lines in per_page if lines), [])
    mark_running_titles([lines for lines in per_page if lines is not first], series_titles)
    mark_masthead(first, series_titles)
    date = masthead_date(first, issue.year)
    if per_page:
        mark_colophon(per_page[-1])
    for lines in per_page:
        for ln in lines:  # OCR specks and smudges read as a few letters with no confidence
            if methods.get(ln.page) == "ocr" and ln.role == "body" and ln.conf < 35 \
                    and ln.letters <= 12:
                ln.role = "noise"
    for lines in per_page:  # white space is measured between the lines that remain
        set_gaps([ln for ln in lines if ln.role not in _SKIP])
    stream = [ln for lines in per_page for ln in lines]
    _set_styles(per_page, methods)
    flow = [ln for ln in stream if ln.role not in _SKIP]
    _mark_jumps(flow)
    flow = [ln for ln in flow if ln.role != "jump"]
    _mark_banners(flow, sections)
    _mark_end_bylines(flow, sections)
    _mark_titles(flow, methods, sections)
    problems = _stacked_headings(flow)
    if toc:
        problems += _apply_toc(toc, flow)
    drafts = _assemble(stream, sections, toc)
    articles = _articles(issue, drafts, sections, date)
    empty = sorted({p.seq for p, lines in zip(pages, per_page) if lines}
                   - {pg for a in articles for pg in range(a.first_page, a.last_page + 1)})
    if empty:
        problems.append("no article found on page(s) " + ", ".join(map(str, empty)))
    return Segmentation(tuple(articles), date, tuple(toc), tuple(dict.fromkeys(problems)))


# --- line roles --------------------------------------------------------------------------

def _set_styles(per_page: list[list[Line]], methods: dict[int, str]) -> None:
    everything = [ln for lines in per_page for ln in lines]
    issue_body = hd.body_size(everything)
    for lines in per_page:
        if not lines:
            continue
        full = [ln for ln in lines if ln.role == "body" and ln.letters >= 12]
        body = hd.body_size(lines) if len(full) >= 8 else issue_body
        method = methods.get(lines[0].page, "text")
        for ln in lines:
            ln.style = hd.style_of(ln, body, method)
            ln.rel = ln.size / body if body else 1.0


def _mark_banners(flow: list[Line], sections: SectionList) -> None:
    """Section banners: a line, or two or three wrapped lines set alike, naming a known
    section and set off from the text (a heading style, capitals, or white space above).
    All of the wrapped run must match: a title that begins with a section's name is not a
    banner."""
    i = 0
    while i < len(flow):
        ln = flow[i]
        if ln.role != "body" or ln.letters > 90 or not _set_off(ln, flow[i - 1] if i else None):
            i += 1
            continue
        run = [ln]
        for nxt in flow[i + 1:i + 3]:
            if nxt.page != ln.page or nxt.role != "body" or not 0 <= nxt.gap < 0.5 \
                    or abs(nxt.size - ln.size) > 0.15 * ln.size or nxt.letters > 90 \
                    or (nxt.bold >= 0.6) != (ln.bold >= 0.6):
                break
            run.append(nxt)
        match = sections.match(" ".join(p.text for p in run))
        if match:
            for p in run:
                p.role = "banner"
                p.tags.add("section=" + match.name)
            i += len(run)
            continue
        i += 1


def _set_off(ln: Line, prev: Line | None) -> bool:
    """Space above, or a heading style that the line before does not share (a banner is
    not the second line of a title)."""
    if ln.gap >= 0.3 or ln.gap == -1.0 or prev is None:
        return True
    continues = prev.style == ln.style and abs(prev.size - ln.size) <= 0.15 * ln.size
    return (ln.style != "plain" or ln.caps >= 0.8) and not continues


def _mark_end_bylines(flow: list[Line], sections: SectionList) -> None:
    """Bylines that close an article: a name or signature line, right-aligned, or last
    before a heading. Found before titles because they are often bold too."""
    for i, ln in enumerate(flow):
        if ln.role != "body" or ln.letters > 60 or ln.letters < 2:
            continue
        text = ln.text.strip()
        signed = sections.is_signature(text.rstrip(".")) or hd.is_source_line(text)
        if not (signed or (hd.looks_like_name(text) and not text.endswith((".", ",", ";", ":")))):
            continue
        right = ln.right_space <= 1.5 and ln.x0 > ln.col_x0 + 0.3 * (ln.col_x1 - ln.col_x0)
        nxt = flow[i + 1] if i + 1 < len(flow) else None
        before_heading = nxt is None or nxt.role == "banner" or nxt.style == "strong" \
            or nxt.page != ln.page and nxt.style != "plain"
        close = 0 <= ln.gap < 0.8 and ln.rel < 1.1  # under the text it closes, in its size
        if right or (before_heading and close and (signed or ln.width_share < 0.6)):
            ln.role = "byline-end"


def _same_style(a: Line, b: Line, method: str) -> bool:
    """Whether ``b`` continues the heading that ``a`` starts: same weight and case, and as
    large (OCR line heights vary with the letters, so a size step is what counts there)."""
    t = hd.Thresholds.for_method(method)
    if method != "ocr" and (a.bold >= 0.6) != (b.bold >= 0.6):
        return False
    if (a.caps >= 0.8) != (b.caps >= 0.8 or b.letters < 6):
        return False
    if a.rel >= t.larger:
        return b.rel >= t.larger and abs(a.size - b.size) <= 0.25 * a.size
    return abs(a.size - b.size) <= 0.12 * max(a.size, b.size)


def _mark_titles(flow: list[Line], methods: dict[int, str], sections: SectionList) -> None:
    """Title groups (role ``title``, first line tagged ``title-start``) and bylines under
    them (role ``byline``). A title in the body face and size (bold, or standing alone on
    OCR pages) counts only where a title is expected: no larger titles in the issue, right
    after a banner or a closing byline, among news briefs, or in a news section."""
    strong = sum(1 for ln in flow if ln.style == "strong" and ln.role == "body"
                 and hd.can_start_title(ln) and "subhead" not in ln.tags)
    issue_has_strong = strong >= 2
    context = "start"  # what the line follows: start | banner | byline | title | text
    last_title = ""  # style of the last title: strong | bold | weak
    section_tin = False
    i = 0
    while i < len(flow):
        ln = flow[i]
        if ln.role == "banner":
            context = "banner"
            section = sections.by_name(_section_tag(ln))
            section_tin = section is not None and section.kind == "tin"
            i += 1
            continue
        if ln.role == "byline-end":
            context = "byline"
            i += 1
            continue
        if ln.role != "body" or not hd.can_start_title(ln):
            if ln.role == "body":
                context = "text"
            i += 1
            continue
        group = [ln]
        kind = ln.style
        if methods.get(ln.page) == "ocr" and not _after_break(flow, i):
            kind = "plain"  # OCR sizes are rough: a title never continues a sentence
        if kind == "plain":
            group = _weak_group(flow, i, methods)
            kind = "weak" if group else "plain"
        else:
            j = i + 1
            while j < len(flow) and len(group) < 6 and flow[j].role == "body" \
                    and _same_style(flow[j], ln, methods.get(ln.page, "text")) \
                    and 0 <= flow[j].gap < 0.8 and flow[j].page == ln.page \
                    and not hd.is_numbered(flow[j].text):
                group.append(flow[j])
                j += 1
        words = sum(len(g.text.split()) for g in group)
        if kind == "plain" or words > 40 or len(group) > 5 or \
                not hd.can_end_title(group[-1], strong=kind == "strong"):
            context = "text"
            i += max(1, len(group))
            continue
        # a title in the body size is expected after a banner or a closing byline, among
        # briefs (after the text of one whose title was in the body size too), in a news
        # section, or anywhere in an issue whose titles are all in the body size
        expected = context in ("start", "banner", "byline") or (context == "text" and (
            last_title in ("bold", "weak") or section_tin))
        if kind == "strong" or (kind == "bold" and (expected or (
                not issue_has_strong and context != "title"))) or (kind == "weak" and expected):
            for g in group:
                g.role = "title"
                g.tags.add("title-style=" + kind)
            group[0].tags.add("title-start")
            last_title, context = kind, "title"
            i += len(group)
            i = _mark_byline_under(flow, i, sections)
            continue
        for g in group:
            g.tags.add("subhead")
        i += len(group)
        context = "text"


_ENDS_SENTENCE = tuple(".!?…\"”»)")


def _after_break(flow: list[Line], i: int) -> bool:
    """The line before ends a sentence, or is not text (a heading, banner, byline), or white
    space sets this line apart."""
    prev = flow[i - 1] if i else None
    return prev is None or prev.role != "body" or "subhead" in prev.tags or \
        prev.text.rstrip().endswith(_ENDS_SENTENCE) or flow[i].gap >= 0.6 or \
        prev.right_space > 4.0  # a short line: the end of a paragraph or a heading


def _weak_group(flow: list[Line], i: int, methods: dict[int, str]) -> list[Line]:
    """One to three plain lines that stand alone like a title, on OCR pages (where bold is
    unknown and sizes are rough): they start after a finished sentence (or a heading or
    byline), wrap like a title and end short without a full stop, and a sentence starts
    after them. [] when they do not. On text pages fonts tell bold from regular."""
    ln = flow[i]
    if methods.get(ln.page) != "ocr":
        return []
    prev = flow[i - 1] if i else None
    if prev is not None and prev.role == "body" and not prev.text.rstrip().endswith(_ENDS_SENTENCE):
        return []
    if ln.text[:1].islower():
        return []
    group = [ln]
    while True:
        last = group[-1]
        j = i + len(group)
        nxt = flow[j] if j < len(flow) else None
        if nxt is None or nxt.role != "body" or last.text.rstrip().endswith(tuple(".;,:")):
            return []
        lower = nxt.text[:1].islower()
        if last.right_space > 1.5 and not (lower and nxt.right_space > 1.5):
            # the group ends here: the next line must start a sentence
            starts = nxt.text[:1].isupper() or nxt.text[:1].isdigit() or nxt.indent >= 0.8
            return group if starts and not lower else []
        if len(group) == 3 or nxt.page != ln.page or nxt.gap >= 0.3 or (
                nxt.indent >= 0.8 and not lower):
            return []
        group.append(nxt)  # a title wrapped (ragged lines continue in lower case)


def _stacked_headings(flow: list[Line]) -> list[str]:
    """Two title groups with no text between them: a short first one in capitals or
    centred is a section banner the list does not know (it is kept as printed, and reported
    so that editors can add it to sections.toml); otherwise the second continues the first
    (a title and its subtitle)."""
    problems = []
    starts = [i for i, ln in enumerate(flow) if "title-start" in ln.tags]
    for a, b in zip(starts, starts[1:]):
        group = flow[a:b]
        if any(ln.role != "title" for ln in group) or flow[b].page != flow[a].page:
            continue
        text = " ".join(ln.text for ln in group)
        centred = all(abs(ln.indent - ln.right_space) < 2.0 and ln.indent > 1.0 for ln in group)
        if len(text.split()) <= 10 and (all(ln.caps >= 0.8 for ln in group) or centred):
            name = text[:1].upper() + text[1:].lower() if text.isupper() else text
            for ln in group:
                ln.role = "banner"
                ln.tags.discard("title-start")
                ln.tags.add("section=" + name)
            problems.append(f"unknown section banner '{text}' (page {flow[a].page}): "
                            "add it to sections.toml if it names a section")
        else:
            flow[b].tags.discard("title-start")
    return problems


def _mark_byline_under(flow: list[Line], i: int, sections: SectionList) -> int:
    """A name or signature line right under a title is its byline; returns the index after."""
    if i >= len(flow):
        return i
    ln = flow[i]
    text = ln.text.strip()
    if ln.role == "body" and ln.letters <= 60 and ln.style != "strong" and \
            not text.endswith((".", ";", ":")) and (hd.looks_like_name(text) or
                                                    hd.is_source_line(text) or
                                                    sections.is_signature(text)):
        ln.role = "byline"
        return i + 1
    if ln.role == "byline-end":  # a signature line under the title, e.g. "PV"
        ln.role = "byline"
        return i + 1
    return i


def _apply_toc(toc: list[TocEntry], flow: list[Line]) -> list[str]:
    """Confirm titles with the table of contents and promote the lines of entries the layout
    missed. Printed page numbers may be offset from the page sequence (an unnumbered cover):
    the offset that matches most entries wins."""
    starts = [(i, ln) for i, ln in enumerate(flow) if "title-start" in ln.tags]

    def title_at(i: int) -> str:
        out = []
        for ln in flow[i:]:
            if ln.role != "title" or (out and "title-start" in ln.tags):
                break
            out.append(ln.text)
        return " ".join(out)

    titles = [(ln.page, title_at(i)) for i, ln in starts]
    best, best_offset = -1, 0
    for offset in (0, 1, -1, 2, -2):
        hits = sum(1 for e in toc if any(pg == e.page + offset and title_similarity(e.title, t) >= 0.85
                                         for pg, t in titles))
        if hits > best:
            best, best_offset = hits, offset
    problems = []
    for e in toc:
        page = e.page + best_offset
        if any(abs(pg - page) <= 1 and title_similarity(e.title, t) >= 0.85 for pg, t in titles):
            continue
        found = _find_lines(flow, e.title, {page, page - 1, page + 1})
        if found is None:
            problems.append(f"Mục lục: '{e.title}' (trang {e.page}) not found on the page")
            continue
        for k, ln in enumerate(found):
            ln.role = "title"
            ln.tags.discard("subhead")
            ln.tags.add("title-style=toc")
            if k == 0:
                ln.tags.add("title-start")
        nxt = flow.index(found[-1]) + 1
        if nxt < len(flow) and "title-start" not in flow[nxt].tags and flow[nxt].role == "title":
            flow[nxt].tags.add("title-start")
    return problems


def _find_lines(flow: list[Line], title: str, pages: set[int]) -> list[Line] | None:
    best: tuple[float, list[Line]] | None = None
    for i, ln in enumerate(flow):
        if ln.page not in pages or ln.role not in ("body", "title"):
            continue
        text = ""
        for k in range(4):
            if i + k >= len(flow) or flow[i + k].page != ln.page:
                break
            text = (text + " " + flow[i + k].text).strip()
            score = title_similarity(title, text)
            if score >= 0.85 and (best is None or score > best[0]):
                best = (score, flow[i:i + k + 1])
    return best[1] if best else None


# --- articles ----------------------------------------------------------------------------

def _assemble(stream: list[Line], sections: SectionList, toc: list[TocEntry]) -> list[_Draft]:
    drafts: list[_Draft] = []
    section, section_kind = "", ""
    current: _Draft | None = None
    orphans: list[Line] = []
    banner_text = ""
    jumps: dict[int, list[tuple[int, _Draft]]] = {}  # page → (from page, article) to continue
    for ln in stream:
        if ln.role == "jump":
            kind, page = _jump(ln.text)  # type: ignore[misc]
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
                name = _section_tag(ln) or (sections.match(ln.text).name  # type: ignore[union-attr]
                                            if ln.letters <= 90 and sections.match(ln.text) else "")
                if name and name != section:
                    section, section_kind = name, _kind_of_section(sections, name)
                    current = None
            continue
        if ln.role == "banner":
            name = _section_tag(ln)
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


_JUMP_OUT = re.compile(r"^\(?\s*(xem )?tiep (o |sang )?trang (\d{1,3})\s*\)?\.?$")
_JUMP_IN = re.compile(r"^\(?\s*tiep theo (o |tu )?trang (\d{1,3})\s*\)?\.?$")
_TO_FOLLOW = re.compile(r"^\(?\s*(con nua|con tiep|con tiep theo|het|tiep theo so truoc|"
                        r"ky sau dang tiep)\s*\)?\.?$")


def _jump(text: str) -> tuple[str, int] | None:
    """("out", page) for *(Xem tiếp trang 7)*, ("in", page) for *(Tiếp theo trang 1)*,
    ("end", 0) for *(Còn nữa)*, *(Hết)* and the like; None for other lines."""
    key = match_key(text)
    m = _JUMP_OUT.match(key)
    if m:
        return "out", int(m.group(3))
    m = _JUMP_IN.match(key)
    if m:
        return "in", int(m.group(2))
    if _TO_FOLLOW.match(key):
        return "end", 0
    return None


def _mark_jumps(flow: list[Line]) -> None:
    """Continuation notes belong to no text: the article they point to is continued instead."""
    for ln in flow:
        if ln.role == "body" and ln.letters <= 30 and _jump(ln.text):
            ln.role = "jump"


def _section_tag(ln: Line) -> str:
    return next((t.split("=", 1)[1] for t in ln.tags if t.startswith("section=")), "")


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
        byline = [ln.text for ln in d.byline] + closing
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
    return nfc(" ".join(tokens))


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
