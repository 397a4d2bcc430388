"""What each line of an issue is: banner, title, byline, continuation note or body text.

Signals, all relative to the page's own body text so that they hold for any font, size and
extraction method (see :mod:`indexer.segment.headings`): a title is larger, or bold, or in capitals,
or (on OCR pages, where bold is unknown and sizes are rough) a short line standing alone
after a finished sentence. A title in the body size counts only where a title is expected.
Banners are matched against the editors' sections list; bylines are names or signatures
under a title or closing an article; the table of contents confirms titles and finds those
the layout missed. Roles are set on the lines in place (``Line.role``, ``Line.tags``).

Why one module of about 600 lines: the rules decide each line's role in one pass in which each
rule reads the roles the others just gave (a title decides whether the next line is a byline, a
banner whether the next is a title); split across files, one ordered decision list would be read
in pieces.
"""

from __future__ import annotations

import re

from archive import problemtext
from archive.vntext import match_key
from indexer.segment import headings as hd
from indexer.segment.lines import Line
from indexer.segment.sections import SectionList
from indexer.segment.toc import TocEntry, title_similarity


def set_styles(per_page: list[list[Line]], methods: dict[int, str]) -> None:
    everything = [ln for lines in per_page for ln in lines]
    issue_body = hd.body_size(everything)
    issue_cw = hd.body_char_width(everything)
    for lines in per_page:
        if not lines:
            continue
        full = [ln for ln in lines if ln.role == "body" and ln.letters >= 12]
        own = len(full) >= 15  # enough text on the page to measure its own body type
        body = hd.body_size(lines) if own else issue_body
        cw = hd.body_char_width(lines) if own else issue_cw
        method = methods.get(lines[0].page, "text")
        for ln in lines:
            ln.rel = ln.size / body if body else 1.0
            ln.wrel = ln.cw / cw if cw else 1.0
            ln.style = hd.style_of(ln, body, method)


def mark_banners(flow: list[Line], sections: SectionList, methods: dict[int, str]) -> None:
    """Section banners: a line, or two or three wrapped lines set alike, naming a known
    section and set off from the text (a heading style, capitals, or white space above).
    All of the wrapped run must match: a title that begins with a section's name is not a
    banner."""
    i = 0
    last: Line | None = None  # the last banner line
    while i < len(flow):
        ln = flow[i]
        if ln.role == "banner":
            last = ln
        if ln.role != "body" or ln.letters > 90 or not _set_off(ln, flow[i - 1] if i else None) \
                or _wraps_above(ln, flow[i - 1] if i else None):
            i += 1
            continue
        run = [ln]
        size_step = 0.4 if methods.get(ln.page) == "ocr" else 0.15  # OCR sizes are rough
        for nxt in flow[i + 1:i + 3]:
            if nxt.page != ln.page or nxt.role != "body" or not 0 <= nxt.gap < 0.5 \
                    or abs(nxt.size - ln.size) > size_step * ln.size or nxt.letters > 90 \
                    or (nxt.bold >= 0.6) != (ln.bold >= 0.6):
                break
            run.append(nxt)
        for k in range(len(run), 0, -1):
            # all of the run, or a first part set unlike the rest (a banner over a title
            # that OCR sizes could not tell apart)
            if k < len(run) and not _unlike(run[k - 1], run[k]):
                continue
            match = sections.match(" ".join(p.text for p in run[:k]))
            if match and k < len(run) and i and flow[i - 1].role == "banner" and \
                    section_tag(flow[i - 1]) == match.name:
                continue  # under its section's banner, a title that begins with its name
            if match and last is not None and section_tag(last) == match.name and \
                    flow[i - 1] is not last and _unlike(last, ln) and not _centred(ln):
                continue  # in its section, set unlike its banner: a title (Điểm tin quốc tế)
            if match:
                for p in run[:k]:
                    p.role = "banner"
                    p.tags.add("section=" + match.name)
                last = run[k - 1]
                i += k
                break
        else:
            i += 1


def _wraps_above(ln: Line, prev: Line | None) -> bool:
    """A line in lower case close under the line above goes on with its wording (*Chi bộ
    thôn Đông Hà đổi mới / nội dung sinh hoạt*): a title wrapped, never a banner, even when
    OCR measured the two lines at different sizes. A banner OCR garbled into lower case
    (*¬ảpbười TỐT việc TỐT*) stands apart from what is above it."""
    first = next((ch for ch in ln.text if ch.isalnum()), "")
    return prev is not None and first.islower() and ln.caps < 0.5 and 0 <= ln.gap < 0.3 and \
        prev.page == ln.page and prev.column == ln.column


def _unlike(a: Line, b: Line) -> bool:
    """Two lines set differently (width of the characters, size, weight or case), or two
    heading lines of which the first ends by choice, not by wrapping."""
    return abs(a.wrel - b.wrel) > 0.15 * max(a.wrel, b.wrel) or \
        abs(a.size - b.size) > 0.15 * max(a.size, b.size) or \
        (a.bold >= 0.6) != (b.bold >= 0.6) or (a.caps >= 0.8) != (b.caps >= 0.8) or \
        ((a.style != "plain" or a.caps >= 0.8) and ends_by_choice(a, b))


def ends_by_choice(a: Line, b: Line) -> bool:
    """Whether line ``a`` ended although ``b``'s first word would have fit after it (with
    an em to spare): then ``b`` does not wrap ``a``'s text, it starts something else (a
    banner, then a title). Text is wrapped greedily; a heading broken by hand is not, so
    this only tells apart lines that are otherwise alike."""
    if not b.words or b.column != a.column:
        return False
    first = min(b.words, key=lambda w: w.box[0])
    free = (a.col_x1 - a.col_x0) - (a.x1 - a.x0)
    return free > (first.box[2] - first.box[0]) + 2 * a.em


def _centred(ln: Line) -> bool:
    """Set in the middle of its column, with white space on both sides."""
    return min(ln.indent, ln.right_space) > 1.0 and abs(ln.indent - ln.right_space) < 2.0


def _set_off(ln: Line, prev: Line | None) -> bool:
    """Space above, or a heading style that the line before does not share (a banner is
    not the second line of a title)."""
    if ln.gap >= 0.3 or ln.gap == -1.0 or prev is None:
        return True
    continues = prev.style == ln.style and abs(prev.size - ln.size) <= 0.15 * ln.size
    return (ln.style != "plain" or ln.caps >= 0.8) and not continues


def mark_end_bylines(flow: list[Line], sections: SectionList) -> None:
    """Bylines that close an article: a name or signature line, right-aligned, or last
    before a heading. Found before titles because they are often bold too."""
    for i, ln in enumerate(flow):
        if ln.role != "body" or ln.letters > 60 or ln.letters < 2:
            continue
        text = ln.text.strip()
        signed = sections.is_signature(text.rstrip(".")) or hd.is_source_line(text)
        if not (signed or (hd.looks_like_name(text) and not text.endswith((".", ",", ";", ":")))):
            continue
        # flush right, well clear of the left edge (a long signature in a narrow column,
        # *Ban Tuyên giáo Trung ương*, starts a few ems in, not a third of the way)
        right = ln.right_space <= 1.5 and (ln.indent >= 3.0 or
                                           ln.x0 > ln.col_x0 + 0.3 * (ln.col_x1 - ln.col_x0))
        nxt = flow[i + 1] if i + 1 < len(flow) else None
        before_heading = nxt is None or nxt.role == "banner" or nxt.style == "strong" \
            or nxt.page != ln.page and nxt.style != "plain"
        close = 0 <= ln.gap < 0.8 and ln.rel < 1.1  # under the text it closes, in its size
        if right or (before_heading and close and (signed or ln.width_share < 0.6)):
            ln.role = "byline-end"
    for i, ln in enumerate(flow):  # a short line set flush right, last before a heading
        if ln.role != "body" or not 2 <= ln.letters <= 24 or len(ln.text.split()) > 4 or \
                hd.line_end(ln.text).endswith((".", ",", ";", ":")) or not i or \
                flow[i - 1].role not in ("body", "byline-end") or flow[i - 1].page != ln.page:
            continue
        right = ln.right_space <= 1.0 and ln.x0 > ln.col_x0 + 0.5 * (ln.col_x1 - ln.col_x0)
        nxt = flow[i + 1] if i + 1 < len(flow) else None
        if right and (nxt is None or nxt.role == "banner" or nxt.page != ln.page or
                      nxt.column != ln.column or nxt.style == "strong"):
            ln.role = "byline-end"  # a signature OCR misread (Đan TT-VN for Ban TT-VH)


def _same_style(a: Line, b: Line, method: str, sections: SectionList) -> bool:
    """Whether ``b`` continues the heading that ``a`` starts: same weight and case, and as
    large (OCR line heights vary with the letters, so a size step is what counts there)."""
    t = hd.Thresholds.for_method(method)
    if b.gap >= 0.1 and hd.looks_like_name(b.text) and not (
            method != "ocr" and b.caps >= 0.8 and a.caps >= 0.8 and
            (a.bold >= 0.6) == (b.bold >= 0.6) and abs(a.size - b.size) <= 0.05 * a.size):
        return False  # a byline under the title, set apart by a little space (a line in
        # the title's very type and capitals wraps the title: ... CỦA BÌNH / XUYÊN HẠ)
    if is_signed(b.text, sections) or (a.caps < 0.8 and hd.is_signature_token(b.text)):
        return False  # a signature under the title (PV, BTG), not the end of its wording
    if method != "ocr" and (a.bold >= 0.6) != (b.bold >= 0.6):
        return False
    if b.letters == 0 and len(b.text) <= 8:
        return True  # a year or a number wrapped onto its own line ("... năm / 2012")
    if b.letters >= 6 and (a.caps >= 0.8) != (b.caps >= 0.8):
        return False
    if method == "ocr" and a.wrel >= hd.WIDER:  # OCR: wide type continues wide
        if b.wrel >= max(hd.WIDER, 0.82 * a.wrel):
            return True
        return len(b.text.split()) <= 2 and b.wrel >= hd.WIDER and not hd.looks_like_name(b.text)
    if a.rel >= t.larger:
        return b.rel >= t.larger and abs(a.size - b.size) <= 0.25 * a.size
    return abs(a.size - b.size) <= 0.12 * max(a.size, b.size)


def mark_titles(flow: list[Line], methods: dict[int, str], sections: SectionList) -> None:
    """Title groups (role ``title``, first line tagged ``title-start``) and bylines under
    them (role ``byline``). A title in the body face and size (bold, or standing alone on
    OCR pages) counts only where a title is expected: no larger titles in the issue, right
    after a banner or a closing byline, among news briefs, or in a news section."""
    strong = sum(1 for ln in flow if ln.style == "strong" and ln.role == "body"
                 and hd.can_start_title(ln) and "subhead" not in ln.tags)
    issue_has_strong = strong >= 2
    indented = indented_pages(flow)
    context = "start"  # what the line follows: start | banner | byline | title | text
    last_title = ""  # style of the last title: strong | bold | weak
    section_tin = False
    i = 0
    while i < len(flow):
        ln = flow[i]
        if ln.role == "banner":
            context = "banner"
            section = sections.by_name(section_tag(ln))
            section_tin = section is not None and section.kind == "tin"
            i += 1
            continue
        if ln.role == "byline-end":
            context = "byline"
            i += 1
            continue
        # OCR misreads a capital (*mình hình* for *Tình hình*): a line in larger type right
        # under a banner is a title whatever case its first letter came out in
        proven = methods.get(ln.page) == "ocr" and (
            proven_heading(flow, i, indented) or
            (ln.style == "strong" and i > 0 and flow[i - 1].role == "banner"))
        if ln.role != "body" or not hd.can_start_title(ln, lower=proven):
            if ln.role == "body":
                context = "text"
            i += 1
            continue
        group = [ln]
        kind = ln.style
        if methods.get(ln.page) == "ocr" and not _after_break(flow, i):
            kind = "plain"  # OCR sizes are rough: a title never continues a sentence
        if kind == "plain":
            group = _weak_group(flow, i, methods, indented, proven)
            kind = "weak" if group else "plain"
        else:
            j = i + 1
            while j < len(flow) and len(group) < 11 and flow[j].role == "body" \
                    and _same_style(ln, flow[j], methods.get(ln.page, "text"), sections) \
                    and 0 <= flow[j].gap < 0.8 and flow[j].page == ln.page \
                    and not hd.is_numbered(flow[j].text):
                group.append(flow[j])
                j += 1
        if kind != "plain":
            group += _continue_title(flow, i + len(group), group,
                                     methods.get(ln.page, "text"), sections)
        after = flow[i + len(group)] if group and i + len(group) < len(flow) else None
        if kind in ("bold", "weak") and _runs_on(group[-1], after):
            context = "text"  # a paragraph's first line that OCR saw wider: it runs on
            i += len(group)
            continue
        words = sum(len(g.text.split()) for g in group)
        long = words > 50 or len(group) > 10 if kind == "strong" else words > 40 or len(group) > 5
        if kind == "plain" or long or not ("stray-stop" in group[-1].tags or
                                           hd.can_end_title(group[-1], strong=kind == "strong")):
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


def _runs_on(last: Line, nxt: Line | None) -> bool:
    """A line set to the column's right edge whose words go on in the text line under it
    (in lower case, in the body type): the first line of a paragraph, not a title, however
    wide or bold it looks (*Công tác xây dựng Đảng được chú / trọng, chất lượng ...*)."""
    return nxt is not None and last.right_space <= 0.5 and nxt.role == "body" and \
        nxt.style == "plain" and nxt.page == last.page and nxt.column == last.column and \
        nxt.text[:1].islower() and 0 <= nxt.gap < 0.3


_ENDS_SENTENCE = tuple(".!?…\"”»)")


def _after_break(flow: list[Line], i: int) -> bool:
    """The line before ends a sentence, or is not text (a heading, banner, byline), or white
    space sets this line apart."""
    prev, ln = flow[i - 1] if i else None, flow[i]
    if ln.wrel >= hd.WIDE and ln.right_space > 3.0:
        return True  # a short line in much wider type: a title, whatever OCR lost before it
    return prev is None or prev.role != "body" or "subhead" in prev.tags or \
        hd.line_end(prev.text).endswith(_ENDS_SENTENCE) or ln.gap >= 0.6 or \
        prev.right_space > 4.0  # a short line: the end of a paragraph or a heading


def indented_pages(flow: list[Line]) -> set[tuple[int, int]]:
    """(page, column) pairs whose paragraphs start with a first-line indent.

    Votes over lines whose sentence wraps onto the next line (which starts in lower case):
    one indented more than the next, after a short line or a heading, is the first line
    of an indented paragraph (for); one flush like the next, after a line that ends a
    sentence short of the margin, starts an unindented paragraph (against). Where
    paragraphs are indented, a flush line after a paragraph is no paragraph: a heading."""
    votes: dict[tuple[int, int], list[int]] = {}
    for prev, ln, nxt in zip(flow, flow[1:], flow[2:]):
        if ln.role != "body" or nxt.role != "body" or not nxt.text[:1].islower() or \
                len({(o.page, o.column) for o in (prev, ln, nxt)}) > 1 or \
                prev.role in ("running", "noise") or not 0 <= ln.gap < 0.6:
            continue
        short = prev.role != "body" or prev.right_space >= 3.0
        vote = votes.setdefault((ln.page, ln.column), [0, 0])
        if short and 0.8 <= ln.indent < 6.0 and nxt.indent <= ln.indent - 0.5:
            vote[0] += 1
        elif short and prev.role == "body" and ln.indent < 0.5 and nxt.indent < 0.5 and \
                hd.line_end(prev.text).endswith(_ENDS_SENTENCE):
            vote[1] += 1
    return {k for k, (yes, no) in votes.items() if yes >= 2 and no <= 0.34 * yes}


def _starts_paragraph(ln: Line, after: Line) -> bool:
    """``ln`` (right after ``after``) starts a paragraph: a capital or a digit, and an
    indent or white space that sets it off."""
    first = ln.text[:1]
    if not (first.isupper() or first.isdigit() or first in "\"“'(–-"):
        return False
    return ln.indent >= max(0.8, after.indent + 0.8) or ln.gap >= 0.3


def proven_heading(flow: list[Line], i: int, indented: set[tuple[int, int]]) -> bool:
    """The layout alone shows ``flow[i]`` is a one-line heading, whatever OCR made of its
    letters: where paragraphs start indented, it stands flush and short between the end of a
    paragraph (a full stop, white space after it) and an indented paragraph."""
    ln = flow[i]
    if (ln.page, ln.column) not in indented or ln.indent >= 0.5 or ln.right_space < 3.0 or \
            ln.letters < 10 or len(ln.text.split()) > 15 or not 0 < i < len(flow) - 1:
        return False
    prev, nxt = flow[i - 1], flow[i + 1]
    if prev.role == "body":
        after = hd.line_end(prev.text).endswith((".", "!", "?", "…")) and \
            prev.right_space >= 3.0 and prev.page == ln.page and prev.column == ln.column
    else:
        after = prev.role in ("banner", "byline-end")  # first under a banner, or a signature
    return after and nxt.role == "body" and nxt.page == ln.page and \
        nxt.column == ln.column and nxt.indent >= 0.8 and _starts_paragraph(nxt, ln)


def _weak_group(flow: list[Line], i: int, methods: dict[int, str],
                indented: set[tuple[int, int]], proven: bool = False) -> list[Line]:
    """One to three plain lines that stand alone like a title, on OCR pages (where bold is
    unknown and sizes are rough): they start after a paragraph's end (or a heading or a
    byline), wrap like a title (no further indent, ragged) and end short without a full
    stop, and a paragraph starts after them. [] when they do not. On text pages fonts tell
    bold from regular.

    Old typewritten and stencilled pages lose full stops to OCR and gain stray ones, so there
    the layout speaks instead: where paragraphs start indented, a short line flush with the
    column after a paragraph, followed by an indented paragraph, is a heading."""
    ln = flow[i]
    if methods.get(ln.page) != "ocr" or (ln.text[:1].islower() and not proven):
        return []
    prev = flow[i - 1] if i else None
    layout_indents = (ln.page, ln.column) in indented
    flush = layout_indents and ln.indent < 0.5
    centred = _centred(ln)
    apart = ln.gap >= 0.3 or flush
    if prev is not None and prev.role == "body" and "subhead" not in prev.tags:
        ended = hd.line_end(prev.text).endswith(_ENDS_SENTENCE)
        if not (ended or (apart and prev.right_space >= 3.0)):
            return []
    group = [ln]
    while True:
        last = group[-1]
        j = i + len(group)
        nxt = flow[j] if j < len(flow) else None
        end = hd.line_end(last.text)
        stray_stop = end.endswith(".") and not end.endswith("..") and len(group) == 1 and \
            proven  # a full stop OCR saw in a speck
        if nxt is None or end.endswith(tuple(";,:")) or (end.endswith(".") and not stray_stop):
            return []
        if nxt.role == "byline-end" and last.right_space > 1.5:
            return group  # the title, then its signature at the right
        if nxt.role != "body":
            return []
        lower = nxt.text[:1].islower()
        if last.right_space > 1.5 and not (lower and nxt.right_space > 1.5) or stray_stop:
            # the group ends here: a paragraph must start after it
            if stray_stop:
                if not _starts_paragraph(nxt, last):
                    return []
                last.tags.add("stray-stop")
                return group
            starts = nxt.text[:1].isupper() or nxt.text[:1].isdigit() or nxt.indent >= 0.8
            return group if starts and not lower else []
        if len(group) == 3 or nxt.page != ln.page or nxt.gap >= 0.3 or (
                nxt.indent >= max(0.8, ln.indent + 0.8) and not lower):
            return []
        if nxt.indent <= ln.indent - 0.8 and not centred:
            return []  # the first line was indented: a paragraph
        group.append(nxt)  # a title wrapped (ragged lines continue in lower case)


def _continue_title(flow: list[Line], j: int, group: list[Line], method: str,
                    sections: SectionList) -> list[Line]:
    """Lines after a title group that finish its wording: set like the title (case, and
    type at least as wide on OCR pages, as large and as bold on text pages), close under
    it, not indented like a paragraph, ending short, and followed by a break (white space,
    an indented paragraph, a byline, a heading or the end of the column). A title does not
    end where its last line leaves a sentence open (*... Nghị quyết* / *Đại hội XIII*)."""
    added: list[Line] = []
    first, title_end = group[0], hd.line_end(group[-1].text)
    if title_end.endswith((".", "!", "?", "…", ";")):
        return added
    while j < len(flow) and len(added) < 2:
        nxt = flow[j]
        last = (group + added)[-1]
        if nxt.role != "body" or nxt.page != last.page or nxt.column != last.column or \
                not 0 <= nxt.gap < 0.5 or not hd.can_continue_title(nxt) or \
                is_signed(nxt.text, sections) or hd.is_signature_token(nxt.text) or \
                (nxt.letters >= 6 and (first.caps >= 0.8) != (nxt.caps >= 0.8)):
            break
        if nxt.indent >= max(0.8, last.indent + 0.8) and not nxt.text[:1].islower():
            break  # a paragraph starts
        if nxt.right_space <= 1.5 or hd.line_end(nxt.text).endswith((".", ";", ",")):
            break  # a full line, or one that ends a sentence: text
        if method == "ocr":
            if nxt.wrel < min(g.wrel for g in group) - 0.12 and nxt.wrel < hd.WIDER:
                break
        elif (nxt.bold >= 0.6) != (first.bold >= 0.6) or \
                abs(nxt.size - last.size) > 0.12 * max(nxt.size, last.size):
            break
        after = flow[j + 1] if j + 1 < len(flow) else None
        if not (after is None or after.role != "body" or after.page != nxt.page or
                after.column != nxt.column or after.gap >= 0.3 or
                _starts_paragraph(after, nxt)):
            break  # text goes on under it: it is the first line of the text
        added.append(nxt)
        j += 1
    return added


def stacked_headings(flow: list[Line], sections: SectionList) -> list[str]:
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
        if len(text.split()) <= 10 and (all(ln.caps >= 0.75 for ln in group) or centred):
            near = sections.closest(text)  # a banner OCR garbled (NGƯỜI TỐT ch uc TỐT)
            name = near.name if near else \
                text[:1].upper() + text[1:].lower() if text.isupper() else text
            for ln in group:
                ln.role = "banner"
                ln.tags.discard("title-start")
                ln.tags.add("section=" + name)
            if near is None:
                problems.append(problemtext.unknown_banner(text, flow[a].page))
        else:
            flow[b].tags.discard("title-start")
    return problems


def _mark_byline_under(flow: list[Line], i: int, sections: SectionList) -> int:
    """A name or signature line right under a title is its byline; returns the index after."""
    if i >= len(flow):
        return i
    ln = flow[i]
    text = ln.text.strip()
    centred = abs(ln.indent - ln.right_space) < 2.0 and ln.indent > 1.0
    short = ln.width_share <= (0.9 if centred else 0.75)  # a name, not a line of text
    if ln.role == "body" and short and ln.letters <= 30 and \
            (is_signed(text, sections) or hd.is_signature_token(text)):
        ln.role = "byline"  # PV, BTG, Ban TT-VH: in whatever type
        return i + 1
    if ln.role == "body" and ln.letters <= 60 and ln.style != "strong" and short and \
            not text.endswith((".", ";", ":")) and (hd.looks_like_name(text) or
                                                    hd.is_source_line(text) or
                                                    is_signed(text, sections) or
                                                    hd.is_signature_token(text)):
        ln.role = "byline"
        return i + 1
    if ln.role == "byline-end":  # a signature line under the title, e.g. "PV"
        ln.role = "byline"
        return i + 1
    return i


def apply_toc(toc: list[TocEntry], flow: list[Line]) -> list[str]:
    """Confirm titles with the table of contents and promote the lines of entries the layout
    missed. Printed page numbers may be offset from the page sequence (an unnumbered cover):
    the offset that matches most entries wins."""
    starts = [(i, ln) for i, ln in enumerate(flow) if "title-start" in ln.tags]

    def title_at(i: int) -> str:
        out: list[str] = []
        for ln in flow[i:]:
            if ln.role != "title" or (out and "title-start" in ln.tags):
                break
            out.append(ln.text)
        return " ".join(out)

    titles = [(ln.page, title_at(i)) for i, ln in starts]
    best, best_offset = -1, 0
    for offset in (0, 1, -1, 2, -2):
        hits = sum(1 for e in toc if e.page and any(pg == e.page + offset and title_similarity(e.title, t) >= 0.85
                                         for pg, t in titles))
        if hits > best:
            best, best_offset = hits, offset
    problems = []
    for e in toc:
        page = e.page + best_offset
        if any((abs(pg - page) <= 1 or not e.page) and title_similarity(e.title, t) >= 0.85
               for pg, t in titles):
            continue
        everywhere = {ln.page for ln in flow}
        found = _find_lines(flow, e.title, {page, page - 1, page + 1} if e.page else everywhere)
        if found is None:
            problems.append(problemtext.toc_not_found(e.title, e.page))
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
        for k in range(10):
            if i + k >= len(flow) or flow[i + k].page != ln.page:
                break
            text = (text + " " + flow[i + k].text).strip()
            if len(text) > 1.5 * len(title) + 10:
                break
            score = title_similarity(title, text)
            if score >= 0.85 and (best is None or score > best[0]):
                best = (score, flow[i:i + k + 1])
    return best[1] if best else None


# --- articles ----------------------------------------------------------------------------

_JUMP_OUT = re.compile(r"^\(?\s*(xem )?tiep (o |sang )?trang (\d{1,3})\s*\)?\.?$")
_JUMP_IN = re.compile(r"^\(?\s*tiep theo (o |tu )?trang (\d{1,3})\s*\)?\.?$")
_TO_FOLLOW = re.compile(r"^\(?\s*(con nua|con tiep|con tiep theo|het|tiep theo so truoc|"
                        r"ky sau dang tiep)\s*\)?\.?$")


def jump(text: str) -> tuple[str, int] | None:
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


def mark_jumps(flow: list[Line]) -> None:
    """Continuation notes belong to no text: the article they point to is continued instead."""
    for ln in flow:
        if ln.role == "body" and ln.letters <= 30 and jump(ln.text):
            ln.role = "jump"


def is_signed(text: str, sections: SectionList) -> bool:
    """A signature line from the list (PV, BTG, Ban TT-VH ...), a trailing full stop aside."""
    return sections.is_signature(text.strip().rstrip("."))


def section_tag(ln: Line) -> str:
    return next((t.split("=", 1)[1] for t in ln.tags if t.startswith("section=")), "")
