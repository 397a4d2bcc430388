"""Citing registered documents as bulletins write them, and when each may first be cited.

Running text names a document in many forms (DOMAIN.md, issue 4): with its kind and *số*
and date and issuer (*Nghị quyết số 21-NQ/TW, ngày 16/6/2022 của Ban Chấp hành Trung ương
Đảng khóa XIII*), without *số* (*Chỉ thị 05-CT/TW*), with spaces (*21 - NQ/TW*), now and
then with the wrong slash (*21/NQ-TW*), by an alias (*Nghị quyết Trung ương 4 khóa XII*),
laws by name and year (*Luật Phòng, chống tham nhũng năm 2018*). :func:`cite` writes one
of them; :func:`find_refs` finds every registered document in a text, in order of first
appearance, which is what ``ArticlePlan.doc_refs`` records.

Lags (month granularity): a document reaches the central bulletin 1–4 months after it is
issued and the provincial one 2–7 months after (its own province's documents 0–2 months).
"""

from __future__ import annotations

import random
import re

from archive.vntext import fold
from samplegen.content_corpus import Document

LAG_MONTHS = {"ttshcb": (1, 4), "tbnb": (2, 7)}
LAG_OWN_PROVINCE = (0, 2)


def month_index(year: int, month: int) -> int:
    """Months since year 0, for comparing and adding month lags."""
    return year * 12 + month - 1


def available_from(doc: Document, series: str, rng: random.Random) -> int:
    """The month index from which ``series`` may cite ``doc`` (issue month ≥ this)."""
    lo, hi = LAG_OWN_PROVINCE if doc.body == "TU" else LAG_MONTHS[series]
    return month_index(doc.year, doc.month) + rng.randint(lo, hi)


def issuer_name(doc: Document) -> str:
    """'Bộ Chính trị (khóa XII)' → 'Bộ Chính trị khóa XII'; drop the plenum clause."""
    text = doc.issuer.split(", Hội nghị")[0]
    text = text.replace("Trung ương Đảng (", "Trung ương Đảng ").replace(" (", " ").replace(")", "")
    if text.startswith("Ban Bí thư Trung ương Đảng"):
        text = text.replace("Ban Bí thư Trung ương Đảng", "Ban Bí thư")
    return text


def _date(doc: Document, rng: random.Random) -> str:
    style = rng.random()
    if style < 0.6:
        return f"ngày {doc.day}/{doc.month}/{doc.year}"
    if style < 0.8:
        return f"ngày {doc.day}-{doc.month}-{doc.year}"
    if style < 0.9:
        return f"ngày {doc.day:02d}/{doc.month:02d}/{doc.year}"
    return f"ngày {doc.day} tháng {doc.month} năm {doc.year}"


def _law_name(doc: Document) -> str:
    return doc.title if doc.title.startswith("Luật") else f"{doc.kind} {doc.title}"


def cite(doc: Document, rng: random.Random, first: bool) -> str:
    """One written form of ``doc``; ``first`` asks for a form that names it fully enough.

    Every form returned for ``first`` contains the identifier or a registered alias, so
    :func:`find_refs` (and any reader) can resolve it. Later mentions may be short
    (*Chỉ thị 05*, *Nghị quyết*), as real text does.
    """
    if not first:
        roll = rng.random()
        if doc.kind == "Luật":
            return "Luật" if roll < 0.5 else _law_name(doc)
        if roll < 0.45 and doc.party:
            return f"{doc.kind} {doc.number}"
        if roll < 0.7:
            return doc.kind
        first = True
    if doc.kind == "Luật":
        roll = rng.random()
        year = doc.date[:4]
        if roll < 0.55:
            return f"{doc.title} năm {year}"
        if roll < 0.85:
            return f"{doc.title} số {doc.id}"
        return f"{doc.title} năm {year} (số {doc.id})"
    ident = doc.id
    roll = rng.random()
    aliases = citable_aliases(doc)
    if aliases and roll < 0.12:
        alias = rng.choice(aliases)
        return alias if rng.random() < 0.5 else f"{alias} ({doc.kind.lower()} số {ident})"
    if doc.party:
        number, rest = ident.split("-", 1)
        doc_type, body = rest.split("/", 1)
        spaced = f"{number} - {doc_type}/{body}"
        wrong = f"{number}/{doc_type}-{body}"
        roll = rng.random()
        if roll < 0.3:
            return f"{doc.kind} số {ident}, {_date(doc, rng)} của {issuer_name(doc)}"
        if roll < 0.45:
            return f"{doc.kind} số {ident} {_date(doc, rng)}"
        if roll < 0.65:
            return f"{doc.kind} số {ident}"
        if roll < 0.85:
            return f"{doc.kind} {ident}"
        if roll < 0.95:
            return f"{doc.kind} số {spaced}"
        return f"{doc.kind} {wrong}"
    roll = rng.random()
    if roll < 0.4:
        return f"{doc.kind} số {ident} {_date(doc, rng)} của {doc.issuer}"
    if roll < 0.75:
        return f"{doc.kind} số {ident}"
    return f"{doc.kind} {ident} của {doc.issuer}"


def citable_aliases(doc: Document) -> list[str]:
    """Aliases that name one document unambiguously in running text (resolutions, laws)."""
    return [a for a in doc.aliases if a.startswith(("Nghị quyết", "Luật"))]


def cite_brief(doc: Document, rng: random.Random) -> str:
    """The short form titles use: *Chỉ thị 05-CT/TW*, *Nghị quyết số 21-NQ/TW*, a law's name."""
    if doc.kind == "Luật":
        return f"{doc.title} năm {doc.date[:4]}"
    return f"{doc.kind} số {doc.id}" if rng.random() < 0.5 else f"{doc.kind} {doc.id}"


def _pattern(doc: Document) -> re.Pattern[str]:
    """A folded-text pattern matching the identifier in every form :func:`cite` writes."""
    if doc.party:
        number, rest = fold(doc.id).split("-", 1)
        doc_type, body = rest.split("/", 1)
        n = re.escape(number.lstrip("0")) if number.lstrip("0") else "0"
        t, b = re.escape(doc_type), re.escape(body)
        text = rf"(?<![\d/])0*{n}\s*(?:-\s*{t}\s*/\s*{b}|/\s*{t}\s*-\s*{b})(?![a-z])"
    else:
        text = rf"(?<![\d/]){re.escape(fold(doc.id))}(?![a-z0-9])"
    alias_texts = [re.escape(fold(a)) + r"(?![a-z0-9])" for a in citable_aliases(doc)]
    if doc.kind == "Luật":
        alias_texts.append(re.escape(fold(doc.title)) + r"\s+nam\s+" + doc.date[:4] + r"(?!\d)")
    return re.compile("|".join([text, *alias_texts]))


_PATTERNS: dict[str, re.Pattern[str]] = {}


def find_refs(text: str, register: dict[str, Document]) -> tuple[str, ...]:
    """Registered documents named in ``text`` (by identifier or alias), by first appearance."""
    folded = fold(text)
    found: list[tuple[int, str]] = []
    for doc_id in sorted(register):
        pattern = _PATTERNS.get(doc_id)
        if pattern is None:
            pattern = _PATTERNS[doc_id] = _pattern(register[doc_id])
        match = pattern.search(folded)
        if match:
            found.append((match.start(), doc_id))
    return tuple(doc_id for _, doc_id in sorted(found))


ANY_ID = re.compile(
    r"(?<![\w/])\d{1,4}\s*-\s*(?:NQ|CT|KL|QĐi|QĐ|HD|KH|TB|QC)\s*/\s*[A-ZĐ]+\w*"  # Party
    r"|(?<![\w/])\d{1,4}\s*/\s*(?:NQ|CT|KL|QĐi|QĐ|HD|KH)\s*-\s*[A-ZĐ]+\w*"  # wrong slash / State
    r"|(?<![\w/])\d{1,4}/\d{4}/[A-ZĐ][\w-]*"  # 55/2005/QH11, 29/1998/NĐ-CP
)
