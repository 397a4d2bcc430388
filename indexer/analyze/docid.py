"""Document identifiers: the grammar of ``21-NQ/TW`` and ``43/2022/QH15``, and their one spelling.

Party documents are ``<number>-<type>/<body>`` (``21-NQ/TW``, ``08-QĐi/TW``, ``12-HD/BTCTW``);
State documents ``<number>/<year>/<type>-<body>``, ``<number>/<year>/<body>`` or
``<number>/<type>-<body>`` (``01/2006/TT-NHNN``, ``43/2022/QH15``, ``800/QĐ-TTg``). Running text
and OCR bend them: spaces (``21 - NQ/TW``), a dash lost (``10 NQ/TW``, Party bodies only), the
wrong slash (``21/NQ-TW``, told from the State form ``11/NQ-CP`` by its Party body), ``TƯ`` for
``TW``, ``l``/``I`` for 1 and ``O`` for 0,
``Ð`` (U+00D0) or ``D`` for ``Đ``, a lost case (``QĐI``). Typewriter scans add punctuation noise
where the dash was (``10- -NQ/TW``, ``-10- -NQ/TW``, ``10~ ~NQ/TW``, ``10=NQ/TW``, ``10.NQ/TW``,
``18 'NQ/TW``) and letters read for their look-alikes (``NO``, ``NÔ``, ``ÑQ`` for ``NQ``, ``GT``
for ``CT``, ``Qbi`` for ``QĐi``, ``TN`` or ``TM`` for ``TW``), the slash read as a digit or a
letter (``41-NQ4TW``, ``10-NQ7TW``, ``05-NQ|HNTW``, ``03-NQZTW``: :data:`GLUED`, only a Party type
over ``TW`` or ``HNTW``) and a zero as ``Ø``: all are accepted only in the Party form with a
Party body (:data:`NOISY`), where the reading cannot be anything else.
:func:`normalize_id` maps all of them
to one spelling: numbers with at least two digits (``5`` → ``05``), types and bodies in their
usual case (``QĐi``, ``TTr``, ``TTg``). Identity is number + type + body (+ year for State
documents), so ``21-NQ/TW`` ≠ ``21-NQ/TU`` and ``01/2006/TT-NHNN`` ≠ ``01/2007/TT-NHNN``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.vntext import fold, nfc

_DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"
_SP = r"[ \t]{0,2}\n?[ \t]{0,2}"  # stray spaces, or a line break inside the identifier
NUM = r"(?=[0-9OolIØ]{0,4}[0-9])[0-9OolIØ]{1,5}"  # OCR reads 1 as l or I, 0 as O, o or Ø
_CODE = r"[A-ZĐÐƯ][A-Za-zĐÐđƯư]{0,7}"
_BODY = r"(?:[A-ZĐÐƯ][A-Za-zĐÐđƯư0-9]{0,9}|1W)"  # 1W: OCR's TW (see _OCR_BODIES)
_YEAR = r"(?:19|20)[0-9OolI]{2}"
# Where an identifier may start: not inside a word or number, except right after "số" (or
# "số" and a dash OCR glued to it, ``số-10- NQ/TW``), or after a stray dash standing alone
# (OCR's ``-10- -NQ/TW``).
START = (r"(?:(?<=số)|(?<=Số)|(?<=SỐ)|(?<=số[" + _DASH + r"])|(?<![^\W_])(?<![/" + _DASH
         + r"])|(?<=[\s(][" + _DASH + r"~]))")
END = r"(?![^\W_])"

STATE_YEAR = (rf"(?P<yn>{NUM}){_SP}/{_SP}(?P<yy>{_YEAR}){_SP}/{_SP}"
              rf"(?:(?P<yt>{_CODE}){_SP}[{_DASH}]{_SP})?(?P<yb>{_BODY})")
PARTY = rf"(?P<pn>{NUM}){_SP}[{_DASH}]{_SP}(?P<pt>{_CODE}){_SP}/{_SP}(?P<pb>{_BODY})"
SLASHED = rf"(?P<sn>{NUM}){_SP}/{_SP}(?P<st>{_CODE}){_SP}[{_DASH}]{_SP}(?P<sb>{_BODY})"
# The dash OCR lost (``10 NQ/TW``): only a known type over a Party body (see parts_of).
SPACED = rf"(?P<qn>{NUM})[ \t]{{1,2}}(?P<qt>{_CODE})[ \t]{{0,2}}/[ \t]{{0,2}}(?P<qb>{_BODY})"
# OCR punctuation noise where the dash was, in a Party identifier: one to three of dashes and
# their look-alikes (``~ = _ ^ ˆ ' ’ + < > ¬ « » • · *``) with stray spaces, or a lone dot; see parts_of.
_NOISE = _DASH + "~=_^\u02c6\u02dc'\u2019`+<>\u00ac\u00ab\u00bb\u2022\u00b7*"
NOISY = (rf"(?P<nn>{NUM})(?:[ \t]{{0,2}}[{_NOISE}](?:[ \t]{{0,2}}[{_NOISE}]){{0,2}}[ \t]{{0,2}}|\.)"
         rf"(?P<nt>(?:[^\W\d_]|[@€0])(?:[^\W\d_]|[@€01]){{0,4}}){_SP}/{_SP}(?P<nb>{_BODY})")
# The slash OCR read as a digit or a letter, glued to a Party type and a central body
# (``41-NQ4TW``, ``10-NQ7TW``, ``05-NQ|HNTW``, ``03-NQZTW``): only those closed lists (see parts_of).
_GLUED_TYPE = r"(?:N[QOÔÓ0@G]|[CGE€]T|KL|Q[ĐÐD0B][iIl1]?|HD|KH)"
_GLUED_SLASH = r"(?:[47Z|Il1]|/[Z7]|Z7)"
_GLUED_BODY = r"(?:HN)?T[WwNMRH]"
GLUED = (rf"(?P<gn>{NUM})(?:[ \t]{{0,2}}[{_NOISE}](?:[ \t]{{0,2}}[{_NOISE}]){{0,2}}[ \t]{{0,2}}|[ \t]{{1,2}})"
         rf"(?P<gt>{_GLUED_TYPE})(?P<gs>{_GLUED_SLASH})(?P<gb>{_GLUED_BODY})")
IDENTIFIER = re.compile(rf"{START}(?:{STATE_YEAR}|{PARTY}|{SLASHED}|{SPACED}|{NOISY}|{GLUED}){END}")
# Where a GLUED identifier may stand (it holds no "/"): what a reader looking near slashes only
# must look at too (indexer.search.tokens); any case, as queries are typed.
GLUED_CORE = re.compile(rf"{_GLUED_TYPE}{_GLUED_SLASH}{_GLUED_BODY}{END}", re.IGNORECASE)
# Cheap to look for first (one character class leads): the slash look-alike and the body.
GLUED_HINT = re.compile(r"[47Zz|IiLl1](?:[Hh][Nn])?[Tt][WwNnMmRrHh]")
_SHORT = re.compile(r"^(NQ|CT|KL|QĐi|QĐ|HD|KH)\s?[\-–]?\s?([0-9]{1,3})$")

_OCR_DIGITS = str.maketrans({"l": "1", "I": "1", "o": "0", "O": "0", "Ø": "0"})

# Types, keyed by their folded upper-case form; value = usual spelling.
TYPES = {
    "NQ": "NQ", "CT": "CT", "KL": "KL", "QD": "QĐ", "QDI": "QĐi", "QDL": "QĐi", "HD": "HD",
    "KH": "KH", "TB": "TB", "QC": "QC", "BC": "BC", "TTR": "TTr", "CTR": "CTr", "DA": "ĐA",
    "CV": "CV", "NQLT": "NQLT", "HDLT": "HDLT", "TTLT": "TTLT", "ND": "NĐ", "TT": "TT",
    "L": "L", "PL": "PL", "CD": "CĐ", "VBHN": "VBHN", "QDLT": "QĐLT", "KHLT": "KHLT",
}
# What typewriter OCR reads for a type's letters (folded, upper case): accepted only in a
# Party identifier with a Party body (NOISY, SPACED), where nothing else can be meant.
_OCR_TYPES = {"NO": "NQ", "NG": "NQ", "GT": "CT", "ET": "CT", "QB": "QĐ", "OD": "QĐ",
              "OBI": "QĐi", "QBI": "QĐi", "ODI": "QĐi", "QDL": "QĐi", "QDDI": "QĐi", "KI": "KL",
              "QODI": "QĐi", "QOD": "QĐ", "TCT": "CT", "NOQ": "NQ"}
_OCR_LETTERS = str.maketrans({"@": "Q", "€": "C", "1": "I", "0": "O"})
_PARTY_TYPES = frozenset({"NQ", "CT", "KL", "QĐ", "QĐi", "HD", "KH", "TB"})
# ... and for a Party body's (TW's W read as N, R or H, its T as 1; no Party body is spelt so)
_OCR_BODIES = {"TN": "TW", "TR": "TW", "TH": "TW", "TM": "TW", "1W": "TW", "TNW": "TW", "TWW": "TW",
               "ZTW": "TW", "7TW": "TW", "HNTN": "HNTW", "HNTR": "HNTW", "HNTH": "HNTW",
               "HNTM": "HNTW", "HNTNW": "HNTW", "HNTWW": "HNTW", "ZHNTW": "HNTW", "7HNTW": "HNTW"}
# The kind of document each type stands for, when the text does not name it.
KIND_OF_TYPE = {
    "NQ": "Nghị quyết", "CT": "Chỉ thị", "KL": "Kết luận", "QĐi": "Quy định", "HD": "Hướng dẫn",
    "KH": "Kế hoạch", "TB": "Thông báo", "QC": "Quy chế", "BC": "Báo cáo", "TTr": "Tờ trình",
    "CTr": "Chương trình", "ĐA": "Đề án", "CV": "Công văn", "NQLT": "Nghị quyết liên tịch",
    "HDLT": "Hướng dẫn liên tịch", "TTLT": "Thông tư liên tịch", "NĐ": "Nghị định",
    "TT": "Thông tư", "L": "Luật", "PL": "Pháp lệnh", "CĐ": "Công điện",
    "QĐLT": "Quyết định liên tịch", "KHLT": "Kế hoạch liên tịch",
}
# Bodies whose usual spelling is not all capitals, or that OCR strips of the stroke on Đ.
_BODY_FIX = {"TTG": "TTg", "TVV": "TW", "DU": "ĐU", "DUK": "ĐUK", "BCSD": "BCSĐ",
             "DUQSTW": "ĐUQSTW", "DUCATW": "ĐUCATW", "BCDTW": "BCĐTW", "HDND": "HĐND",
             "BGDDT": "BGDĐT", "BKHDT": "BKHĐT", "BLDTBXH": "BLĐTBXH"}
PARTY_BODIES = frozenset({"TW", "TU", "HU", "QU", "ĐU", "ĐUK", "BCS", "BCSĐ"})
_STATE_BODY = re.compile(r"^(?:CP|TTg|QH\d{0,2}|UBTVQH\d{0,2}|UBND|HĐND|NHNN|CTN|TANDTC|VKSNDTC"
                         r"|KTNN|TTCP|VPCP|UBDT|VPQH|BHXH|TLĐLĐVN|B[A-ZĐ]{1,8})$")


@dataclass(frozen=True)
class DocParts:
    """The parts of a normalised identifier. ``year`` is set for State documents that carry
    it in the identifier; ``party`` tells the two grammars apart."""

    number: str
    doc_type: str  # "" for a State document numbered only by year and body (43/2022/QH15)
    body: str
    year: int | None
    party: bool

    @property
    def id(self) -> str:
        if self.party:
            return f"{self.number}-{self.doc_type}/{self.body}"
        tail = f"{self.doc_type}-{self.body}" if self.doc_type else self.body
        return f"{self.number}/{self.year}/{tail}" if self.year else f"{self.number}/{tail}"


def canon_number(raw: str) -> str | None:
    digits = re.sub(r"\s", "", raw).translate(_OCR_DIGITS)
    if not digits.isdigit() or not any(ch.isdigit() for ch in raw):
        return None
    return f"{int(digits):02d}"


def canon_type(raw: str) -> str | None:
    """Usual spelling of a document type, or None when it is not a known type."""
    return TYPES.get(fold(nfc(raw).replace("Ð", "Đ")).upper())


def ocr_type(raw: str) -> str | None:
    """:func:`canon_type`, or the type whose letters OCR misread as ``raw`` (``NO`` → ``NQ``,
    ``N@`` → ``NQ``, ``QĐ1`` → ``QĐi``, ``€T`` → ``CT``)."""
    key = fold(nfc(raw).replace("Ð", "Đ")).upper().translate(_OCR_LETTERS)
    return canon_type(raw) or TYPES.get(key) or _OCR_TYPES.get(key)


def ocr_body(raw: str) -> str:
    """:func:`canon_body`, with ``TW`` read as ``TN`` repaired."""
    body = canon_body(raw)
    return _OCR_BODIES.get(body, body)


def canon_body(raw: str) -> str:
    up = nfc(raw).replace("Ð", "Đ").replace("đ", "Đ").upper()
    if up.endswith("TƯ"):  # Trung ương, not Tỉnh ủy (TU)
        up = up[:-2] + "TW"
    up = up.replace("Ư", "U")
    return _BODY_FIX.get(fold(up).upper(), up)


def is_party_body(body: str) -> bool:
    return body in PARTY_BODIES or body.endswith("TW")


def is_state_body(body: str) -> bool:
    return bool(_STATE_BODY.match(body)) and not is_party_body(body)


def parts_of(m: re.Match[str]) -> DocParts | None:
    """Normalised parts of an :data:`IDENTIFIER` match, or None when it is not a document id
    after all (an unknown type with a body of neither kind, a year out of range)."""
    number: str | None
    doc_type: str | None
    if m.group("yn"):
        number = canon_number(m.group("yn"))
        year = int(m.group("yy").translate(_OCR_DIGITS))
        body = canon_body(m.group("yb"))
        doc_type = ""
        if m.group("yt"):
            doc_type = canon_type(m.group("yt")) or ""
            if not doc_type:
                return None
        elif not re.match(r"^(?:UBTV)?QH\d{1,2}$", body):
            return None
        if number is None or not 1945 <= year <= 2100 or not body[0].isalpha():
            return None
        return DocParts(number, doc_type, body, year, party=False)
    if m.group("pn"):
        number, doc_type = canon_number(m.group("pn")), canon_type(m.group("pt"))
        body = canon_body(m.group("pb"))
        if doc_type is None or body in _OCR_BODIES:  # misread letters: only a Party document
            doc_type, body = ocr_type(m.group("pt")), ocr_body(m.group("pb"))
            if doc_type not in _PARTY_TYPES or not is_party_body(body):
                return None
        if number is None or doc_type is None:
            return None
        return DocParts(number, doc_type, body, None, party=True)
    if m.group("qn") or m.group("nn") or m.group("gn"):
        q = "q" if m.group("qn") else "n" if m.group("nn") else "g"
        number, doc_type = canon_number(m.group(q + "n")), ocr_type(m.group(q + "t"))
        body = ocr_body(m.group(q + "b"))
        if number is None or doc_type not in _PARTY_TYPES or not is_party_body(body):
            return None
        return DocParts(number, doc_type, body, None, party=True)
    number, doc_type = canon_number(m.group("sn")), canon_type(m.group("st"))
    body = canon_body(m.group("sb"))
    if number is None or doc_type is None:
        return None
    if is_party_body(body):  # 21/NQ-TW: a Party document with the wrong slash
        return DocParts(number, doc_type, body, None, party=True)
    if is_state_body(body):
        return DocParts(number, doc_type, body, None, party=False)
    return None


def normalize_id(text: str) -> str | None:
    """The one spelling of a document identifier, or None when ``text`` is not one.

    >>> normalize_id("21 / NQ-TW"), normalize_id("2l-NQ/TƯ"), normalize_id("NQ21")
    ('21-NQ/TW', '21-NQ/TW', '21-NQ/TW')
    """
    text = nfc(text).strip()
    short = _SHORT.match(text)
    if short:
        return f"{int(short.group(2)):02d}-{short.group(1)}/TW"
    m = IDENTIFIER.match(text)
    if not m or m.end() != len(text):
        return None
    parts = parts_of(m)
    return parts.id if parts else None


def parse_id(doc_id: str) -> DocParts:
    """Parts of an identifier (normalising it first); ValueError when it is not one."""
    normal = normalize_id(doc_id)
    m = IDENTIFIER.match(normal or "")
    parts = parts_of(m) if m else None
    if parts is None:
        raise ValueError(f"not a document identifier: {doc_id!r}")
    return parts
