"""Cited documents: find every reference to a Party or State document in an article's text.

What counts as a citation, strongest first (a weaker form is ignored where a stronger one
already covers the text):

1. an identifier in any spelling :mod:`indexer.analyze.docid` accepts (``Nghị quyết số 21-NQ/TW``,
   ``21 - NQ/TW``, ``21/NQ-TW``, ``2l-NQ/TW``, ``43/2022/QH15``, ``800/QĐ-TTg``);
2. a name or alias from the register (``Luật Phòng, chống tham nhũng năm 2018`` →
   ``36/2018/QH14``; ``Nghị quyết Trung ương 4 khóa XII`` → ``04-NQ/TW``); a law named without
   its year is the version in force at the article's date;
3. an identifier whose number OCR mangled beyond the usual ``l``/``O`` (``I§-NQ/TW``), only
   when the register holds the document it would be (issued by then, on the date given);
4. a shorthand: ``NQ21``, ``CT 05``, or *Nghị quyết 21*, *Chỉ thị số 05*, resolved to a full
   identifier the same text gives, else to the issuer the text names (*của Bộ Chính trị* →
   ``/TW``), else to the register; a bare abbreviation (``NQ21``) defaults to ``/TW``.

Each citation keeps the date the text gives right after it (*ngày 16/6/2022*, *ngày 16 tháng 6
năm 2022*) and the issuer (*của Ban Chấp hành Trung ương khóa XIII*); the register fills the
date issued when the text does not. Bump :data:`RULES` when these rules change: the analyze
stage then re-reads every article.

Why one module of about 450 lines: finding identifiers, repairing OCR damage to them and dating
them work on the same matches in one pass; the grammar of identifiers itself lives in
:mod:`indexer.analyze.docid`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date as Date
from functools import lru_cache

from archive.vntext import fold, nfc
from indexer.analyze.docid import (
    IDENTIFIER,
    KIND_OF_TYPE,
    DocParts,
    canon_body,
    canon_type,
    is_party_body,
    normalize_id,
    parse_id,
    parts_of,
)
from indexer.analyze.measure import Measure, micro
from indexer.analyze.register import Document, Register, load_register

__all__ = ["Citation", "Measure", "RULES", "find_citations", "micro", "normalize_id", "parse_id",
           "rules_key"]

RULES = "cite-12"  # bump when the rules find other citations

_KINDS = {
    "nghi quyet lien tich": "Nghị quyết liên tịch", "nghi quyet": "Nghị quyết",
    "chi thi": "Chỉ thị", "ket luan": "Kết luận", "quy dinh": "Quy định",
    "quyet dinh": "Quyết định", "huong dan": "Hướng dẫn", "ke hoach": "Kế hoạch",
    "thong bao ket luan": "Thông báo kết luận", "thong bao": "Thông báo",
    "nghi dinh": "Nghị định", "thong tu lien tich": "Thông tư liên tịch", "thong tu": "Thông tư",
    "bo luat": "Bộ luật", "luat": "Luật", "phap lenh": "Pháp lệnh", "quy che": "Quy chế",
    "chuong trinh": "Chương trình", "de an": "Đề án", "cong van": "Công văn",
    "bao cao": "Báo cáo", "to trinh": "Tờ trình", "cong dien": "Công điện",
    "hien phap": "Hiến pháp",
}
_KIND_ALT = "|".join(sorted(_KINDS, key=len, reverse=True))
_KIND_BEFORE = re.compile(rf"(?<![a-z])({_KIND_ALT})\s*(?:so\s*)?[:.]?\s*$")
_D = r"[0-9oli]"  # on folded (lower-case) text; OCR reads 1 as l or I, 0 as O
_Y = r"(?:[1li]9|2[0o])[0-9oli]{2}"
_DATE_NUMERIC = re.compile(
    rf"^[ \t]*[,;]?\s*(?:\(\s*)?(?:ban hanh\s+)?(?:ngay\s*)?({_D}{{1,2}})\s*([/.\-])\s*"
    rf"({_D}{{1,2}})\s*\2\s*({_Y})(?![0-9])")
_DATE_WORDS = re.compile(
    rf"^[ \t]*[,;]?\s*(?:\(\s*)?(?:ban hanh\s+)?ngay\s+({_D}{{1,2}})\s+thang\s+({_D}{{1,2}})\s+"
    rf"nam\s+({_Y})(?![0-9])")
_ISSUERS = [
    r"ban chap hanh trung uong(?: dang(?: cong san viet nam)?)?",
    r"hoi nghi(?: lan thu [a-z0-9]+)?(?: ban chap hanh)? trung uong(?: [0-9]+| lan thu [a-z]+)?",
    r"bo chinh tri", r"ban bi thu(?: trung uong dang)?", r"ban to chuc trung uong",
    r"ban tuyen giao(?: va dan van)? trung uong", r"ban dan van trung uong",
    r"uy ban kiem tra trung uong", r"van phong trung uong dang",
    r"uy ban thuong vu quoc hoi", r"quoc hoi", r"thu tuong chinh phu", r"thu tuong",
    r"chinh phu", r"chu tich nuoc", r"ngan hang nha nuoc(?: viet nam)?",
    r"ban thuong vu tinh uy", r"ban chap hanh dang bo tinh", r"tinh uy", r"thanh uy",
    r"huyen uy", r"dang uy", r"uy ban nhan dan tinh", r"hoi dong nhan dan tinh",
    r"bo (?:tai chinh|noi vu|cong an|quoc phong|y te|giao duc va dao tao|tu phap|cong thuong"
    r"|thong tin va truyen thong|ke hoach va dau tu|lao dong - thuong binh va xa hoi"
    r"|nong nghiep va phat trien nong thon|tai nguyen va moi truong|xay dung|ngoai giao"
    r"|van hoa, the thao va du lich|giao thong van tai|khoa hoc va cong nghe)",
    r"trung uong(?: dang)?",
]
_ISSUER = re.compile(r"^[ \t]*[,;]?\s*\)?\s*(?:cua|do)\s+(" + "|".join(_ISSUERS) + r")(?![a-z])"
                     r"((?:,?\s*\(?\s*khoa\s+[ivxlc]+\)?)?)")
_PARTY_ISSUER = re.compile(r"^(?:ban chap hanh trung uong|hoi nghi|bo chinh tri|ban bi thu"
                           r"|trung uong)")
_PROVINCE_ISSUER = re.compile(r"^(?:ban thuong vu tinh uy|ban chap hanh dang bo tinh|tinh uy)")
_SHORT = re.compile(r"(?<![^\W_])(NQ|CT|KL|QĐi|QĐ|HD|KH)[ \t]?[\-–]?[ \t]?([0-9]{1,3})(?![^\W_])"
                    r"(?!\s*[/\-–]\s*[^\W_])")
_SPELLED = re.compile(r"(?<![^\W_])(nghi quyet|chi thi|ket luan|quy dinh)\s+(?:so\s+)?([0-9]{1,3})"
                      r"(?![^\W_])(?!\s*[/\-–]\s*[^\W_])(?!\s*(?:%|phan tram))")
_SPELLED_TYPES = {"nghi quyet": "NQ", "chi thi": "CT", "ket luan": "KL", "quy dinh": "QĐ"}
_WORD = re.compile(r"[^\W_]+")
_ROMAN = re.compile(r"^x{0,3}(?:ix|iv|v?i{0,3})$")
_ROMAN_LOOKALIKE = str.maketrans({"t": "i", "l": "i", "1": "i", "j": "i"})
_NAME_GAP = re.compile(r"^[\s,\-–]*$")
_YEAR_AFTER = re.compile(r"^[ \t]*\(?\s*(?:nam\s+)?((?:19|20)[0-9]{2})(?![0-9])\s*\)?")
_ID_AFTER_NAME = re.compile(r"^[\s,(]*(?:nam\s+[0-9]{4}\s*)?[,(]?\s*(?:so\s*)?$")
_OCR_DIGITS = str.maketrans({"l": "1", "i": "1", "o": "0"})
# What OCR makes of digits: accepted in a Party number only when the register confirms it.
_DAMAGED_DIGITS = {"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "i": "1", "|": "1",
                   "!": "1", "Z": "2", "z": "2", "A": "4", "S": "5", "s": "5", "G": "6", "b": "6",
                   "T": "7", "B": "8", "§": "8", "&": "8", "g": "9", "q": "9"}
_DAMAGED = re.compile(r"(?<![^\W_])(?P<n>[0-9" + re.escape("".join(_DAMAGED_DIGITS)) + r"]{1,3})"
                      r"[ \t]?[-–][ \t]?(?P<t>[A-ZĐÐ][A-Za-zĐÐ]{0,3})[ \t]?/[ \t]?(?P<b>[A-ZĐÐƯ][A-ZĐÐƯ]{1,6})"
                      r"(?![^\W_])")


@dataclass(frozen=True)
class Citation:
    """One mention of a document. ``start``/``end`` are character offsets in the NFC text.

    ``kind`` is the kind in words (*Nghị quyết*); ``number``, ``doc_type``, ``body`` the parts
    of ``doc_id``; ``year`` the year issued when known (State identifiers carry it; otherwise
    from the date); ``date`` ISO, from the text or the register, '' when unknown; ``issuer``
    as the text names it; ``known`` when the register holds the document."""

    doc_id: str
    kind: str
    number: str
    doc_type: str
    body: str
    year: int | None
    date: str
    raw: str
    start: int
    end: int
    issuer: str = ""
    known: bool = False


def rules_key(register: Register) -> str:
    """What the analyze stage records: these rules' version plus the register's fingerprint."""
    return f"{RULES}#{register.digest[:8]}"


@lru_cache(maxsize=4)
def _default_register() -> Register:
    return load_register()


def _fold1(text: str) -> str:
    """:func:`fold` character by character, so offsets in the result match the input's."""
    return "".join((fold(ch) or ch)[0] for ch in text)


def find_citations(text: str, *, register: Register | None = None,
                   when: str | None = None) -> list[Citation]:
    """Every citation in ``text``, in order of appearance.

    ``when`` is the date of the article (YYYY, YYYY-MM or YYYY-MM-DD): among documents sharing
    an identifier or a name it picks the one issued on or before it. ``register`` defaults to
    the shipped ``documents.toml``.
    """
    text = nfc(text)
    reg = register if register is not None else _default_register()
    folded = _fold1(text)
    taken: list[tuple[int, int]] = []
    found: list[Citation] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    full: list[tuple[re.Match[str], DocParts]] = []
    for m in IDENTIFIER.finditer(text):
        parts = parts_of(m)
        if parts is not None:
            full.append((m, parts))
    for m, parts in full:
        kind = _kind_before(folded, m.start())
        found.append(_complete(text, folded, parts, kind, m.start(), m.end(), reg, when))
        taken.append((m.start(), m.end()))

    for start, end, doc in _names(text, folded, reg, when):
        if not free(start, end):
            continue
        nxt = next(((m, p) for m, p in full if m.start() >= end), None)
        if nxt is not None and _ID_AFTER_NAME.match(folded[end:nxt[0].start()]) and (
                nxt[1].id == doc.id or reg.lookup(nxt[1].id, when) is not None):
            continue  # "Luật Phòng, chống tham nhũng số 36/2018/QH14": the identifier counts
        # (not one the register does not hold right after the name, OCR's 63-NQ/TW for
        # 03-NQ/TW: the name counts, and the reconciliation reads the number as that document)
        parts = parse_id(doc.id)
        found.append(_complete(text, folded, parts, doc.kind, start, end, reg, when, doc=doc))
        taken.append((start, end))

    for start, end, parts, _given in _damaged(text, folded, reg, when):
        if free(start, end):
            kind = _kind_before(folded, start)
            found.append(_complete(text, folded, parts, kind, start, end, reg, when))
            taken.append((start, end))

    same_text = [(c.number, c.doc_type, c.body, c.doc_id) for c in found]
    for start, end, number, doc_type, kind, spelled in _shorthands(text, folded):
        if not free(start, end):
            continue
        hint = _issuer_body(folded[end:end + 80])
        doc_id = _resolve_short(number, doc_type, hint, same_text, reg, when, spelled)
        if doc_id is None:
            continue
        parts = parse_id(doc_id)
        found.append(_complete(text, folded, parts, kind, start, end, reg, when))
        taken.append((start, end))
    found.sort(key=lambda c: c.start)
    return _misread_of_known(found)


def _misread_of_known(found: list[Citation]) -> list[Citation]:
    """An unknown identifier one letter off a registered one the same text cites is that
    one, misread (*21-KL/EW* beside *21-KL/TW*). Not a digit: texts list neighbours
    (*Nghị quyết số 18-NQ/TW, 19-NQ/TW*)."""
    known = {c.doc_id: c for c in found if c.known}
    if not known:
        return found
    out = []
    for c in found:
        near = [k for k in known if not c.known and len(k) == len(c.doc_id)
                and [a.isdigit() or b.isdigit() for a, b in zip(k, c.doc_id) if a != b] == [False]]
        if len(near) == 1:
            d = known[near[0]]
            c = replace(c, doc_id=d.doc_id, kind=d.kind, number=d.number, doc_type=d.doc_type,
                        body=d.body, year=d.year, date=c.date or d.date, known=True)
        out.append(c)
    return out


def _damaged(text: str, folded: str, reg: Register,
             when: str | None) -> Iterable[tuple[int, int, DocParts, str]]:
    """Party identifiers whose number OCR read as letters or symbols (``I§-NQ/TW`` for
    ``18-NQ/TW``). The number is a guess, so it counts only when the register holds the
    document it names, issued on or before ``when`` and on the date the text gives, if any."""
    for m in _DAMAGED.finditer(text):
        raw = m.group("n")
        if raw.isdigit() or not any(ch in _DAMAGED_DIGITS for ch in raw):
            continue
        number = "".join(_DAMAGED_DIGITS.get(ch, ch) for ch in raw)
        doc_type, body = canon_type(m.group("t")), canon_body(m.group("b"))
        if not number.isdigit() or doc_type is None or not is_party_body(body):
            continue
        parts = DocParts(f"{int(number):02d}", doc_type, body, None, party=True)
        given, _after = _date_after(folded, m.end())
        doc = reg.lookup(parts.id, given or when)
        if doc is not None and (not given or doc.date == given):
            yield m.start(), m.end(), parts, given


def date_after(folded: str, end: int) -> tuple[str, int]:
    """(ISO date the text gives right after offset ``end``, where it ends) or ('', end);
    ``folded`` is the text folded character by character (offsets kept)."""
    return _date_after(folded, end)


def issuer_body_after(folded: str, pos: int) -> str:
    """The body (TW, TU, CP, TTg) an issuer named at ``pos`` implies, or ''."""
    return _issuer_body(folded[pos:pos + 80])


def _kind_before(folded: str, start: int) -> str:
    m = _KIND_BEFORE.search(folded[max(0, start - 40):start].lower())
    return _KINDS[m.group(1)] if m else ""


def _date_after(folded: str, end: int) -> tuple[str, int]:
    """(ISO date given right after an identifier, where it ends) or ('', end)."""
    window = folded[end:end + 60].lower()
    m = _DATE_NUMERIC.match(window)
    groups = (m.group(1), m.group(3), m.group(4)) if m else None
    if m is None:
        m = _DATE_WORDS.match(window)
        groups = (m.group(1), m.group(2), m.group(3)) if m else None
    if m is None or groups is None:
        return "", end
    day, month, year = (int(g.translate(_OCR_DIGITS)) for g in groups)
    try:
        return Date(year, month, day).isoformat(), end + m.end()
    except ValueError:
        return "", end


def _issuer_after(text: str, folded: str, pos: int) -> str:
    m = _ISSUER.match(folded[pos:pos + 120].lower())
    if not m:
        return ""
    start, end = pos + m.start(1), pos + m.end(2)
    # A province or city named after "Tỉnh ủy": up to three capitalised syllables.
    rest = _WORD.finditer(text, end)
    for _ in range(3):
        w = next(rest, None)
        if (w is None or not w.group(0)[0].isupper() or text[end:w.start()].strip()
                or not _PROVINCE_ISSUER.match(folded[start:end].lower())):
            break
        end = w.end()
    return " ".join(text[start:end].replace("(", " ").replace(")", " ").split())


def _issuer_body(window: str) -> str:
    """The body an issuer named right after a shorthand implies: TW, TU, CP, TTg or ''."""
    m = _ISSUER.match(window.lower())
    if not m:
        return ""
    name = m.group(1)
    if _PARTY_ISSUER.match(name):
        return "TW"
    if _PROVINCE_ISSUER.match(name):
        return "TU"
    if name.startswith("thu tuong"):
        return "TTg"
    if name == "chinh phu":
        return "CP"
    return ""


def _complete(text: str, folded: str, parts: DocParts, kind: str, start: int, end: int,
              reg: Register, when: str | None, *, doc: Document | None = None) -> Citation:
    """A citation with its date and issuer from the text and what the register adds."""
    given, after = _date_after(folded, end)
    issuer = _issuer_after(text, folded, after)
    doc_id = parts.id
    if doc is None:
        doc = reg.lookup(doc_id, given or when)
    if doc is None:
        doc = _misread(reg, parts, given, folded[after:after + 120])
        if doc is not None:
            doc_id = doc.id
    date = given or (doc.date if doc else "")
    year = parts.year or (int(date[:4]) if date else None)
    return Citation(
        doc_id=doc_id, kind=(doc.kind if doc else "") or kind or KIND_OF_TYPE.get(parts.doc_type, ""),
        number=parts.number, doc_type=parts.doc_type or (doc.doc_type if doc else ""),
        body=parts.body, year=year, date=date, raw=" ".join(text[start:end].split()),
        start=start, end=end, issuer=issuer, known=doc is not None)


def _misread(reg: Register, parts: DocParts, given: str, rest: str) -> Document | None:
    """The registered document an unknown identifier stands for when OCR misread one digit
    of its number (*Chỉ thị số 109-CT/TW, ngày 13/1/1981* for 100-CT/TW): same type and
    body, numbers of the same length one digit apart, and proof in the text: the full date
    of issue, or the title's first words right after (*109 CT/TW về cải tiến công tác
    khoán*). Without proof, a number one digit off may well be another document."""
    subject = _words(rest)
    if len(given) != 10 and len(subject) < 5:
        return None
    found = []
    for doc in reg:
        if given and doc.date != given:
            continue
        if not given:
            title = _words(fold(doc.title))
            if title[:1] != ["ve"]:
                title = ["ve"] + title
            if len(title) < 5 or subject[:5] != title[:5]:
                continue
        try:
            other = parse_id(doc.id)
        except ValueError:
            continue
        if (other.doc_type, other.body, other.year, other.party) == \
                (parts.doc_type, parts.body, parts.year, parts.party) and \
                len(other.number) == len(parts.number) and \
                sum(a != b for a, b in zip(other.number, parts.number)) == 1:
            found.append(doc)
    return found[0] if len(found) == 1 else None


def _words(folded: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", folded.lower())


def _names(text: str, folded: str, reg: Register,
           when: str | None) -> list[tuple[int, int, Document]]:
    """Register names and aliases found in the text (longest first at each place)."""
    by_first = reg.names_by_first
    if not by_first:
        return []
    lower = folded.lower()
    words = list(_WORD.finditer(lower))
    # a term's numeral after "khóa" as typewriter OCR reads it (VIIT, V1I, TV for VIII, VII, IV)
    said = [w.group(0) for w in words]
    for j in range(1, len(said) if "khoa" in lower else 0):
        if said[j - 1] == "khoa" and not _ROMAN.match(said[j]):
            guess = said[j].translate(_ROMAN_LOOKALIKE)
            if _ROMAN.match(guess):
                said[j] = guess
    out: list[tuple[int, int, Document]] = []
    i = 0
    while i < len(words):
        hit = None
        for key, _docs in by_first.get(said[i], ()):
            n = len(key)
            span = words[i:i + n]
            if len(span) == n and all(w == k for w, k in zip(said[i:i + n], key)) and all(
                    _NAME_GAP.match(lower[a.end():b.start()]) for a, b in zip(span, span[1:])):
                hit = (key, span[-1].end())
                break
        if hit is None:
            i += 1
            continue
        key, end = hit
        docs = next(d for k, d in by_first[key[0]] if k == key)
        year_m = _YEAR_AFTER.match(lower[end:end + 16])
        chosen = _pick_version(docs, int(year_m.group(1)) if year_m else None, when)
        if year_m and chosen is not None:
            end += year_m.end()
        if chosen is not None:
            out.append((words[i].start(), end, chosen))
        i += len(key)
    return out


def _pick_version(docs: list[Document], year: int | None, when: str | None) -> Document | None:
    """Among documents sharing a name: the one of ``year``; else the latest in force at
    ``when``; else the latest."""
    unique = sorted({d.id + d.date: d for d in docs}.values(), key=lambda d: d.date)
    if year is not None:
        same = [d for d in unique if d.year == year or parse_id(d.id).year == year]
        return same[-1] if same else None
    if when:
        before = [d for d in unique if d.date[: len(when)] <= when]
        if before:
            return before[-1]
        return None
    return unique[-1] if unique else None


def _shorthands(text: str, folded: str) -> Iterable[tuple[int, int, str, str, str, bool]]:
    """(start, end, number, type, kind, spelled) for NQ21 and *Nghị quyết 21* forms."""
    for m in _SHORT.finditer(text):
        doc_type = m.group(1)
        yield (m.start(), m.end(), f"{int(m.group(2)):02d}", doc_type,
               KIND_OF_TYPE.get(doc_type, ""), False)
    lower = folded.lower()
    for m in _SPELLED.finditer(lower):
        if not text[m.start()].isupper():  # "quy định 3 mức" is a verb, not a document
            continue
        doc_type = _SPELLED_TYPES[m.group(1)]
        yield (m.start(), m.end(), f"{int(m.group(2)):02d}", doc_type, _KINDS[m.group(1)], True)


def _resolve_short(number: str, doc_type: str, hint: str,
                   same_text: list[tuple[str, str, str, str]], reg: Register,
                   when: str | None, spelled: bool) -> str | None:
    """The full identifier a shorthand stands for, or None when nothing says which."""
    types = {doc_type, "QĐi"} if doc_type == "QĐ" else {doc_type}
    local = [c for c in same_text if c[0] == number and c[1] in types]
    if local:
        preferred = [c for c in local if c[2] == hint] if hint else []
        return (preferred or local)[0][3]
    candidates = sorted((d for t in types for d in reg.candidates(number, t)
                         if not when or d.date[: len(when)] <= when), key=lambda d: d.date)
    if hint:
        same_body = [d for d in candidates if d.body == hint]
        if same_body:
            return same_body[-1].id
        if hint in ("TW", "TU"):
            return f"{number}-{doc_type}/{hint}"
        return f"{number}/{doc_type}-{hint}"
    party = [d for d in candidates if is_party_body(d.body)]
    if len({d.id for d in party}) == 1:
        return party[0].id
    central = [d for d in party if d.body == "TW"]
    if central:
        return central[-1].id
    if not spelled and canon_type(doc_type):
        return f"{number}-{doc_type}/TW"
    return None


# --- measuring ---------------------------------------------------------------------------

def evaluate(pairs: Iterable[tuple[Iterable[str], Iterable[str]]]) -> Measure:
    """Precision and recall of cited documents over (found ids, true ids) pairs per article.
    Identifiers on both sides are normalised, so ``5-CT/TW`` in a truth file meets ``05-CT/TW``."""
    def norm(ids: Iterable[str]) -> set[str]:
        return {normalize_id(i) or i for i in ids}

    return micro((norm(p), norm(t)) for p, t in pairs)

