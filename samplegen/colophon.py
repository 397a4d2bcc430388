"""What each sample issue's colophon prints, and its truth (``sample-truth/issues.jsonl``).

The print run, editor, printer and licence come from ``content._colophon`` (a slow trend per
series with noise, unchanged since the first sample). This module adds what the review of
distribution (*phát hành*) needs on top, drawn from a random stream of its own
(``"<seed>:<issue>:colophon"``) so that no other choice of the plan moves:

- the format (*khổ*), which changes once per series (ttshcb 19 x 27 cm until 2007, then
  20 x 28 cm; tbnb 19 x 27 cm until 2011, then 21 x 29 cm);
- the legal deposit month (*In xong và nộp lưu chiểu tháng M/YYYY*): the issue's month, or
  the next one;
- the wording of the print run: *In 1.500 bản, khổ ...* or *Số lượng in: 1.500 bản. Khổ ...*;
- a few issues without a colophon at all (about 4 %: the last page ran out of room), and a
  few whose colophon omits the print run (about 4 %: *In tại ...* only). Their truth has
  ``print_run`` null: the archive must count them as missing, never guess.

The truth record has the field names of ``bantin export issues``.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace

from samplegen.plan import IssuePlan

MISSING_SHARE = 0.04  # issues printed without a colophon
NO_RUN_SHARE = 0.04  # colophons that name the printer but not the print run

_FORMAT_CHANGE = {"ttshcb": (2008, "19 x 27 cm", "20 x 28 cm"), "tbnb": (2012, "19 x 27 cm", "21 x 29 cm")}


def with_colophon(plan: IssuePlan) -> IssuePlan:
    """``plan`` with its format, deposit month and wording drawn; some colophons removed or
    left without a print run."""
    rng = random.Random(f"{plan.seed}:{plan.issue_id}:colophon")
    draw, late, form = rng.random(), rng.random() < 0.3, rng.random() < 0.35
    since, before, after = _FORMAT_CHANGE.get(plan.series, (9999, "19 x 27 cm", ""))
    year, month = (plan.year, plan.month + 1) if late else (plan.year, plan.month)
    if month > 12:
        year, month = year + 1, 1
    out = replace(plan, format=after if plan.year >= since else before,
                  deposit=f"{year:04d}-{month:02d}", colophon_form="so-luong" if form else "")
    if draw < MISSING_SHARE:
        return replace(out, print_run=0, editor="", printer="", licence="", format="", deposit="")
    if draw < MISSING_SHARE + NO_RUN_SHARE:
        return replace(out, print_run=0, format="")
    return out


def has_colophon(plan: IssuePlan) -> bool:
    return bool(plan.editor or plan.print_run or plan.printer or plan.licence)


_LICENCE = re.compile(r"số\s+(\S+?),?\s+cấp ngày\s+(\d{1,2})/(\d{1,2})/(\d{4})")


def issue_record(plan: IssuePlan, pages: int) -> dict[str, object]:
    """One line of ``sample-truth/issues.jsonl`` (the export's field names)."""
    m = _LICENCE.search(plan.licence)
    return {
        "issue": plan.issue_id, "series": plan.series, "year": plan.year, "number": plan.number,
        "suffix": plan.suffix, "date": plan.date, "pages": pages, "source": plan.source,
        "colophon": has_colophon(plan),
        "print_run": plan.print_run or None,
        "format": plan.format or None,
        "printer": plan.printer or None,
        "licence": m.group(1) if m else None,
        "licence_date": f"{m.group(4)}-{int(m.group(3)):02d}-{int(m.group(2)):02d}" if m else None,
        "deposit": plan.deposit or None,
        "editor": plan.editor or None,
    }
