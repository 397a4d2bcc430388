"""Legacy Vietnamese font encodings (TCVN3/ABC and VNI) to Unicode and back.

Why: PDFs typed in the 1990s-2000s with ``.VnTime`` (TCVN3, also called ABC) or ``VNI-Times``
fonts carry 8-bit codes that an extractor reports as Latin-1 letters: ``Th«ng tin sinh
ho¹t chi bé`` (TCVN3) or ``Thoâng tin sinh hoaït chi boä`` (VNI). This module turns them back
into Unicode NFC, and the sample generator uses :func:`encode` / :func:`encode_runs` to write
such text layers.

TCVN3 (the 8-bit VN3 form used by the ABC fonts) has one code per lower-case letter and codes
for the seven bare capitals ``Ă Â Ê Ô Ơ Ư Đ``, but none for capitals with a tone mark
(``Ấ``, ``Ộ``...). Those were typed in the *capitals fonts* (``.VnTimeH``, ``.VnArialH``),
which draw every lower-case code as its capital: text set in them extracts as lower case and
must be upper-cased (``decode(..., capitals=True)``). Hence :func:`encode_runs`, which splits
text into runs for the base font and for the capitals font.

VNI writes a base letter followed by one mark byte (tone, or quality + tone combined);
``đ ơ ư ĩ ỉ ị ỵ ì í`` have their own bytes. It has capitals for everything.

Extractor quirks handled by :func:`decode` (seen in real files): TCVN3 ``ư`` (0xAD) reported as
U+2212 ``−``, as U+00AD soft hyphen, as a hyphen or as a space (repaired by
:mod:`indexer.extract.lostu` only where the syllables on either side are invalid and the joined
one is valid, never on numerals, abbreviations or numbers); ``ã`` (0xB7) reported as
U+2219 ``∙`` or U+22C5; NBSP as a space; ligatures ``ﬁ ﬂ`` spelled out.

Encodings are named ``"tcvn3"`` and ``"vni"`` (:data:`ENCODINGS`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from indexer.extract.lostu import MINUS, repair_lost_u
from indexer.extract.syllable import valid_counts

ENCODINGS = ("tcvn3", "vni")
VERSION = "2"  # bump when a table or a repair rule changes output (part of settings keys)
MIN_CONFIDENCE = 0.8  # share of valid syllables below which a repair is not trusted
MIN_JUDGED = 8  # fewer judged words than this: the share says little

# --- TCVN3 -----------------------------------------------------------------------------
# Unicode letter -> the character an extractor reports for its TCVN3 byte (Latin-1).
_TCVN3_PAIRS = (
    "ă\xa8 â\xa9 ê\xaa ô\xab ơ\xac ư\xad đ\xae Ă\xa1 Â\xa2 Ê\xa3 Ô\xa4 Ơ\xa5 Ư\xa6 Đ\xa7 "
    "à\xb5 ả\xb6 ã\xb7 á\xb8 ạ\xb9 ằ\xbb ẳ\xbc ẵ\xbd ắ\xbe ặ\xc6 "
    "ầ\xc7 ẩ\xc8 ẫ\xc9 ấ\xca ậ\xcb è\xcc ẻ\xce ẽ\xcf é\xd0 ẹ\xd1 "
    "ề\xd2 ể\xd3 ễ\xd4 ế\xd5 ệ\xd6 ì\xd7 ỉ\xd8 ĩ\xdc í\xdd ị\xde "
    "ò\xdf ỏ\xe1 õ\xe2 ó\xe3 ọ\xe4 ồ\xe5 ổ\xe6 ỗ\xe7 ố\xe8 ộ\xe9 "
    "ờ\xea ở\xeb ỡ\xec ớ\xed ợ\xee ù\xef ủ\xf1 ũ\xf2 ú\xf3 ụ\xf4 "
    "ừ\xf5 ử\xf6 ữ\xf7 ứ\xf8 ự\xf9 ỳ\xfa ỷ\xfb ỹ\xfc ý\xfd ỵ\xfe"
)
TCVN3_ENCODE: dict[str, str] = {p[0]: p[1] for p in _TCVN3_PAIRS.split(" ")}
TCVN3_DECODE: dict[str, str] = {v: k for k, v in TCVN3_ENCODE.items()}
_TCVN3_QUIRKS = {"\u2219": "ã", "\u22c5": "ã"}
_TCVN3_U_CODES = ("\xad", MINUS)  # ư (also Ư in a capitals font), ư as a minus sign

# --- VNI -------------------------------------------------------------------------------
_VNI_TONE = {"": "", "\u0300": "ø", "\u0301": "ù", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_CIRCUMFLEX = {"": "â", "\u0300": "à", "\u0301": "á", "\u0309": "å", "\u0303": "ã",
                   "\u0323": "ä"}
_VNI_BREVE = {"": "ê", "\u0300": "è", "\u0301": "é", "\u0309": "ú", "\u0303": "ü",
              "\u0323": "ë"}
_VNI_I = {"": "i", "\u0300": "ì", "\u0301": "í", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}
_VIET_BASES = "aăâeêioôơuưy"
_TONE_ORDER = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")


def _with_tone(base: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + tone)


def _vni_lower(letter: str) -> str:
    """VNI bytes (as Latin-1 text) of one lower-case Unicode vowel or đ."""
    if letter == "đ":
        return "ñ"
    decomposed = unicodedata.normalize("NFD", letter)
    tone = next((ch for ch in decomposed if ch in _VNI_TONE and ch), "")
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch != tone))
    if base == "i":
        return _VNI_I[tone]
    if base == "y" and tone == "\u0323":
        return "î"
    if base in ("â", "ê", "ô"):
        return {"â": "a", "ê": "e", "ô": "o"}[base] + _VNI_CIRCUMFLEX[tone]
    if base == "ă":
        return "a" + _VNI_BREVE[tone]
    if base in ("ơ", "ư"):
        return {"ơ": "ô", "ư": "ö"}[base] + _VNI_TONE[tone]
    return base + _VNI_TONE[tone]


def vietnamese_letters() -> list[str]:
    """Every Vietnamese letter with a diacritic or tone (lower and upper case), plus đ/Đ:
    the 134 letters the tables must cover."""
    lower = [_with_tone(b, t) for b in _VIET_BASES for t in _TONE_ORDER]
    lower = [ch for ch in lower if ch not in "aeiouy"] + ["đ"]
    return lower + [ch.upper() for ch in lower]


def _build_vni() -> tuple[dict[str, str], dict[str, str]]:
    encode: dict[str, str] = {}
    for letter in vietnamese_letters():
        if letter.islower():
            encode[letter] = _vni_lower(letter)
        else:
            encode[letter] = _vni_lower(letter.lower()).upper()
    decode = {v: k for k, v in encode.items() if len(v) > 0 and v != k}
    for k, v in list(decode.items()):  # tolerate a lower-case mark after a capital
        if len(k) == 2 and k[0].isupper():
            decode.setdefault(k[0] + k[1].lower(), v)
    return encode, decode


VNI_ENCODE, VNI_DECODE = _build_vni()
_VNI_SINGLE = {k: v for k, v in VNI_DECODE.items() if len(k) == 1}
_VNI_PAIRS = {k: v for k, v in VNI_DECODE.items() if len(k) == 2}

# --- extractor oddities common to all -------------------------------------------------
_CLEANUP = {"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\ufb00": "ff", "\ufb01": "fi",
            "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"}


def clean_extracted(text: str) -> str:
    """NBSP and narrow spaces to spaces, Latin ligatures spelled out (extractor oddities)."""
    if not any(ch in _CLEANUP for ch in text):
        return text
    return "".join(_CLEANUP.get(ch, ch) for ch in text)


# --- decoding --------------------------------------------------------------------------
def decode_cells(cells: Sequence[str], encoding: str, *,
                 capitals: bool | Sequence[bool] = False,
                 u_codes: bool | None = None) -> list[str]:
    """Decode text given as cells (one per extracted character, in reading order) and
    return one output string per cell, so callers keep each character's box.

    A VNI mark joins the letter before it: the letter's cell gets the composed letter and
    the mark's cell ''. A lost TCVN3 ``ư`` (space, hyphen, minus) gets ``ư`` in its cell.
    ``capitals`` (one flag, or one per cell) upper-cases text set in a ``.VnTimeH``-style
    font. ``u_codes`` says whether the text these cells come from (a page, a document)
    carries TCVN3 ``ư`` codes at all: when it does, the extractor did not lose them and a
    space is a space; None judges from the cells themselves, which is weak for one short
    line (a line without any ``ư`` is common). Output is NFC per cell. Decode a whole line
    at once: the ``ư`` repair looks at the words on both sides."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown legacy encoding {encoding!r}; use one of {ENCODINGS}")
    cells = [clean_extracted(c) for c in cells]
    flags = [capitals] * len(cells) if isinstance(capitals, bool) else list(capitals)
    if encoding == "tcvn3":
        out = ["".join(_TCVN3_QUIRKS.get(ch) or TCVN3_DECODE.get(ch, ch) for ch in c)
               for c in cells]
        # judge syllables in the case they will have
        out = [c.upper() if f else c for c, f in zip(out, flags)]
        if u_codes is None:
            u_codes = has_u_codes(cells)
        repair_lost_u(out, flags, spaces_too=not u_codes)
    else:
        out = _decode_vni_cells(cells)
        out = [c.upper() if f else c for c, f in zip(out, flags)]
    return [unicodedata.normalize("NFC", c) for c in out]


def has_u_codes(texts: Iterable[str]) -> bool:
    """Whether TCVN3-extracted ``texts`` hold the code of ``ư`` (or its minus-sign stand-in)
    anywhere: if so, the extractor kept them, and spaces are not lost ``ư``."""
    return any(ch in t for t in texts for ch in _TCVN3_U_CODES)


def _decode_vni_cells(cells: Sequence[str]) -> list[str]:
    chars = [(ch, i) for i, c in enumerate(cells) for ch in c]
    out = [""] * len(cells)
    k = 0
    while k < len(chars):
        ch, cell = chars[k]
        if k + 1 < len(chars) and ch + chars[k + 1][0] in _VNI_PAIRS:
            out[cell] += _VNI_PAIRS[ch + chars[k + 1][0]]
            k += 2
            continue
        out[cell] += _VNI_SINGLE.get(ch, ch)
        k += 1
    return out


def decode(text: str, encoding: str, *, capitals: bool = False) -> str:
    """Unicode NFC of ``text`` extracted from a font in ``encoding`` ("tcvn3" or "vni").

    >>> decode("Th«ng tin sinh ho¹t chi bé", "tcvn3")
    'Thông tin sinh hoạt chi bộ'
    >>> decode("Thoâng tin sinh hoaït chi boä", "vni")
    'Thông tin sinh hoạt chi bộ'
    >>> decode("nghÞ quyÕt", "tcvn3", capitals=True)
    'NGHỊ QUYẾT'
    """
    return "".join(decode_cells(list(text), encoding, capitals=capitals))


def decode_runs(runs: Iterable[tuple[str, bool]], encoding: str) -> str:
    """Decode ``(text, is_capital_font)`` runs, as written by :func:`encode_runs`."""
    cells: list[str] = []
    flags: list[bool] = []
    for text, caps in runs:
        cells.extend(text)
        flags.extend([caps] * len(text))
    return unicodedata.normalize("NFC", "".join(decode_cells(cells, encoding, capitals=flags)))


# --- encoding (for the sample generator) ---------------------------------------------
def needs_capital_font(ch: str) -> bool:
    """True for a capital that TCVN3 can only write with a ``.VnTimeH`` font (toned capitals)."""
    return ch.isupper() and ch not in TCVN3_ENCODE and ch.lower() in TCVN3_ENCODE


def _encode_char(ch: str, encoding: str, strict: bool) -> str:
    if encoding == "tcvn3":
        table, decode_table = TCVN3_ENCODE, TCVN3_DECODE
        if needs_capital_font(ch):
            return table[ch.lower()]  # the capitals font draws the lower-case code as capital
    else:
        table, decode_table = VNI_ENCODE, _VNI_SINGLE
    if ch in table:
        return table[ch]
    if ch in decode_table or (encoding == "vni" and ch in _VNI_MARKS):
        if strict:
            raise ValueError(f"{ch!r} (U+{ord(ch):04X}) cannot be written in {encoding}: "
                             "its code stands for another letter; replace it in the text")
        return "?"
    return ch


_VNI_MARKS = {k[1] for k in _VNI_PAIRS}


def encode(text: str, encoding: str, *, strict: bool = True) -> str:
    """``text`` as the characters a legacy font's codes are reported as (what an extractor
    gives from a PDF typed in that font), for writing legacy text layers.

    TCVN3: a capital with a tone mark has no code in the base font; it is written with its
    lower-case code, which only a capitals font (``.VnTimeH``) draws as a capital. So this is
    lossy for such capitals: use :func:`encode_runs` to know which runs need that font.
    Characters outside the table pass through unchanged, except those whose code already
    means a Vietnamese letter (e.g. ``µ`` in TCVN3, ``ñ`` in VNI): ``ValueError`` when
    ``strict``, else ``?``."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown legacy encoding {encoding!r}; use one of {ENCODINGS}")
    text = unicodedata.normalize("NFC", text)
    return "".join(_encode_char(ch, encoding, strict) for ch in text)


_WORDS = re.compile(r"\S+|\s+")


def encode_runs(text: str, encoding: str = "tcvn3", *,
                strict: bool = True) -> list[tuple[str, bool]]:
    """``text`` split into ``(encoded run, is_capital_font)`` runs, so that drawing each run
    in ``.VnTime`` (False) or ``.VnTimeH`` (True) shows ``text`` exactly.

    The rule follows how typists worked: a stretch of all-capital words that contains a
    toned capital (a heading such as ``NGHỊ QUYẾT SỐ 21``) is set entirely in the capitals
    font; elsewhere only the toned capital itself is (``Ấn`` = ``Ê`` in H + ``n``). Capital
    runs are encoded from lower case. For VNI every run is ``(encode(text), False)``.
    ``decode_runs(encode_runs(t, e), e) == nfc(t)`` for every Vietnamese text."""
    text = unicodedata.normalize("NFC", text)
    if encoding == "vni":
        return [(encode(text, "vni", strict=strict), False)] if text else []
    if encoding != "tcvn3":
        raise ValueError(f"unknown legacy encoding {encoding!r}; use one of {ENCODINGS}")
    tokens = _WORDS.findall(text)
    caps_font = [False] * len(tokens)
    i = 0
    while i < len(tokens):  # find stretches of capital words (spaces between them included)
        if not _is_capital_word(tokens[i]):
            i += 1
            continue
        j = i
        while j + 2 < len(tokens) and tokens[j + 1].isspace() and _is_capital_word(tokens[j + 2]):
            j += 2
        if any(needs_capital_font(ch) for t in tokens[i:j + 1] for ch in t):
            for k in range(i, j + 1):
                caps_font[k] = True
        i = j + 1
    runs: list[tuple[str, bool]] = []
    for token, in_caps in zip(tokens, caps_font):
        if in_caps:
            _append(runs, encode(token.lower(), "tcvn3", strict=strict), True)
            continue
        for ch in token:
            caps = needs_capital_font(ch)
            _append(runs, encode(ch.lower() if caps else ch, "tcvn3", strict=strict), caps)
    return runs


def _is_capital_word(token: str) -> bool:
    return not token.isspace() and any(ch.isalpha() for ch in token) and token == token.upper()


def _append(runs: list[tuple[str, bool]], text: str, caps: bool) -> None:
    if runs and runs[-1][1] == caps:
        runs[-1] = (runs[-1][0] + text, caps)
    else:
        runs.append((text, caps))


# --- detection -------------------------------------------------------------------------
_SUBSET = re.compile(r"^[A-Z]{6}\+")
_STYLE = re.compile(r"([,\-_ ]?(Bold|Italic|Oblique|BoldItalic|Regular|Normal|Bd|It|BI|B|I))+$",
                    re.IGNORECASE)
_TCVN3_NAME = re.compile(r"(^|[^A-Za-z])\.?Vn[A-Z]", re.ASCII)
_VNI_NAME = re.compile(r"(^|[^A-Za-z])VNI[-_ ]?[A-Z]", re.ASCII | re.IGNORECASE)


def font_encoding(fontname: str) -> tuple[str | None, bool]:
    """(legacy encoding named by a PDF font name, whether it is a capitals font).

    ``AAAAAA+.VnTimeH,Bold`` -> ("tcvn3", True); ``VNI-Times`` -> ("vni", False);
    ``TimesNewRomanPSMT`` -> (None, False)."""
    name = _SUBSET.sub("", fontname or "")
    if _VNI_NAME.search(name):
        return "vni", False
    if _TCVN3_NAME.search(name):
        family = _STYLE.sub("", name.split(",")[0])
        return "tcvn3", family.endswith("H")
    return None, False


_TCVN3_SIGNS = (frozenset(TCVN3_DECODE) - set(vietnamese_letters())
                | set(_TCVN3_QUIRKS) | {MINUS})
_VNI_SIGNS = frozenset(_VNI_MARKS | set(_VNI_SINGLE)) - set(vietnamese_letters())


def signature_share(text: str) -> dict[str, float]:
    """Share of the letters-and-codes of ``text`` that only a legacy encoding produces."""
    counted = [ch for ch in text if ch.isalpha() or ch in _TCVN3_SIGNS or ch in _VNI_SIGNS]
    if not counted:
        return {"tcvn3": 0.0, "vni": 0.0}
    return {"tcvn3": sum(ch in _TCVN3_SIGNS for ch in counted) / len(counted),
            "vni": sum(ch in _VNI_SIGNS for ch in counted) / len(counted)}


def confidence(text: str) -> float:
    """How far a (repaired) text can be trusted as Vietnamese: the share (0..1) of its
    words that are valid syllables; 1.0 when no word can be judged. Callers should not
    trust the share of fewer than :data:`MIN_JUDGED` words either way."""
    valid, judged = valid_counts(text)
    return valid / judged if judged else 1.0


def detect(fontnames: Iterable[str], text: str) -> str | None:
    """The legacy encoding of a text run: "tcvn3", "vni" or None (Unicode or unknown).

    Font names decide first (``.VnTime``, ``.VnArialH``, ``VNI-Times``...); without such a
    name the characters decide: if codes that only a legacy encoding produces are frequent
    enough and decoding with that encoding makes clearly more valid syllables than the
    text as it is, that encoding."""
    named = Counter(e for e in (font_encoding(n)[0] for n in fontnames) if e)
    if named:
        return named.most_common(1)[0][0]
    signs = signature_share(text)
    if max(signs.values()) < 0.02:
        return None
    raw_valid, raw_judged = valid_counts(text)
    raw = raw_valid / raw_judged if raw_judged else 0.0
    best, best_share = None, raw + 0.15
    for encoding in ENCODINGS:
        if signs[encoding] < 0.02:
            continue
        valid, judged = valid_counts(decode(text, encoding))
        share = valid / judged if judged else 0.0
        if judged >= 3 and share > best_share:
            best, best_share = encoding, share
    return best
