"""The canonical sections (*chuyên mục*) and the banners that print them.

Why a data file: banners are printed in capitals, abbreviated or reworded from year to year
(*HỎI – ĐÁP*, *Hỏi đáp*, *Giải đáp thắc mắc*), and the editors, not the programmers, know
which wording means which section. ``indexer/segment/sections.toml`` ships the list; an optional
``<home>/sections.toml`` adds to it (a section with the same name replaces the shipped one).

Matching folds case, diacritics and punctuation (:func:`archive.vntext.match_key`) and allows
a few OCR errors (a similarity ratio, stricter for short variants), and accepts a banner that
is a long enough prefix of a variant (an abbreviated banner: *Học tập và làm theo tư tưởng…*).
"""

from __future__ import annotations

import hashlib
import logging
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from archive.errors import ConfigError
from archive.models import ARTICLE_KINDS
from archive.vntext import match_key, nfc

log = logging.getLogger(__name__)

SHIPPED = Path(__file__).with_name("sections.toml")


@dataclass(frozen=True)
class Section:
    name: str  # canonical, as shown and counted
    variants: tuple[str, ...]  # as printed, NFC
    kind: str = ""  # usual kind of its items ('' when none)


@dataclass(frozen=True)
class SectionMatch:
    name: str
    score: float  # 0..1, 1 for an exact (folded) match
    kind: str = ""


@dataclass(frozen=True)
class SectionList:
    sections: tuple[Section, ...]
    signatures: tuple[str, ...]
    key: str  # hash of the files read: part of the segmentation source key

    def __post_init__(self) -> None:
        index: list[tuple[str, Section]] = []
        for s in self.sections:
            for v in (s.name, *s.variants):
                k = match_key(v)
                if k:
                    index.append((k, s))
        object.__setattr__(self, "_index", tuple(index))
        object.__setattr__(self, "_signature_keys",
                           frozenset(match_key(s) for s in self.signatures if match_key(s)))
        object.__setattr__(self, "_cache", {})  # banner key → match (lines repeat across issues)
        object.__setattr__(self, "_signed", {})  # line text → is a signature

    def match(self, text: str) -> SectionMatch | None:
        """The section a banner line names, or None.

        A banner must be the whole line (a body line that merely mentions a section does not
        match because the rest of its words push the ratio down).
        """
        key = _banner_key(text)
        if len(key) < 4:
            return None
        cache: dict[str, SectionMatch | None] = self._cache  # type: ignore[attr-defined]
        if key not in cache:
            if len(cache) > 20000:
                cache.clear()
            cache[key] = self._match(key)
        return cache[key]

    def _match(self, key: str) -> SectionMatch | None:
        best: SectionMatch | None = None
        words = len(key.split())
        for variant, section in self._index:  # type: ignore[attr-defined]
            vwords = variant.count(" ") + 1
            if len(variant) > 3 * len(key) + 10 or len(key) > 2 * len(variant) + 10 or \
                    words > vwords + 1:
                continue  # far too long or too short to be this banner in any form
            score = _similarity(key, variant)
            if best is None or score > best.score:
                best = SectionMatch(section.name, score, section.kind)
        if best is None or best.score < 0.86:
            return None
        return best

    def closest(self, text: str, floor: float = 0.72) -> SectionMatch | None:
        """The section a line known to be a banner (from where it stands) most likely
        names, with a looser bar than :meth:`match` for OCR damage; None below ``floor``."""
        key = _banner_key(text)
        if len(key) < 4:
            return None
        best: SectionMatch | None = None
        for variant, section in self._index:  # type: ignore[attr-defined]
            score = _similarity(key, variant)
            if best is None or score > best.score:
                best = SectionMatch(section.name, score, section.kind)
        return best if best is not None and best.score >= floor else None

    def by_name(self, name: str) -> Section | None:
        for s in self.sections:
            if s.name == name:
                return s
        return None

    def is_signature(self, text: str) -> bool:
        """True when ``text`` is one of the signature lines (PV, BTG, Ban Tuyên giáo ...);
        long ones tolerate one OCR error."""
        cache: dict[str, bool] = self._signed  # type: ignore[attr-defined]
        if text not in cache:
            if len(cache) > 20000:
                cache.clear()
            cache[text] = self._signature(match_key(text))
        return cache[text]

    def near_signature(self, text: str) -> str | None:
        """The signature in the list that ``text`` is, allowing for what OCR does to short
        capitals (B1G for BTG, Đan TT-VN for Ban TT-VH): about one character in four edited,
        at least three characters; None when none is that close, or when ``text`` is one
        exactly (case and diacritics aside: it is kept as printed)."""
        key = match_key(text)
        if len(key) < 3 or len(key.split()) > 4:
            return None
        best: tuple[int, str] | None = None
        for sig in self.signatures:
            skey = match_key(sig)
            if abs(len(skey) - len(key)) > 1 or len(skey) < 3:
                continue
            d = Levenshtein.distance(key, skey)
            if d == 0:
                return None  # exactly a signature: as printed
            if d <= max(1, len(skey) // 4) and (best is None or d < best[0]):
                best = (d, sig)
        return best[1] if best else None

    def _signature(self, key: str) -> bool:
        if key in self._signature_keys:  # type: ignore[attr-defined]
            return True
        return len(key) >= 6 and any(
            len(s) >= 6 and abs(len(s) - len(key)) <= 1 + len(s) // 12
            and Levenshtein.distance(key, s) <= 1 + len(s) // 12
            for s in self._signature_keys)  # type: ignore[attr-defined]


_DECORATION = re.compile(r"^(chuyen muc|muc)\s+", re.IGNORECASE)


def _banner_key(text: str) -> str:
    key = match_key(text.replace("_", " "))  # "HỎI _ ĐÁP": an underscore read for a dash
    return _DECORATION.sub("", key)


def _similarity(key: str, variant: str) -> float:
    if key == variant:
        return 1.0
    longest = max(len(key), len(variant))
    distance = Levenshtein.distance(key, variant)
    # short variants (HỎI ĐÁP, THỜI SỰ) tolerate one error at most; long ones about 12 %
    allowed = 1 if longest < 12 else max(2, int(0.12 * longest))
    score = 1.0 - distance / longest
    if distance <= allowed:
        score = max(score, 0.87)
    # an abbreviated banner: a prefix of a long variant, cut at a word boundary, >= 3 words
    if len(key) >= 16 and variant.startswith(key) and len(key.split()) >= 3:
        score = max(score, 0.9)
    # words dropped from a long name (HỌC TẬP TƯ TƯỞNG HỒ CHÍ MINH), or one word added
    # to a variant (TIN HOẠT ĐỘNG TRONG TỈNH)
    a, b = key.split(), variant.split()
    if len(a) >= 5 and len(a) * 2 >= len(b) and _subsequence(a, b):
        score = max(score, 0.88)
    elif len(b) >= 3 and len(a) == len(b) + 1 and _subsequence(b, a):
        score = max(score, 0.87)
    # one word of four or more misread by OCR (SIM VẤN ĐỀ CHUNG)
    if len(a) == len(b) >= 4 and sum(x != y for x, y in zip(a, b)) == 1:
        score = max(score, 0.86)
    return score


def _subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(any(w == x for x in it) for w in short)


def load_sections(home: str | Path | None = None) -> SectionList:
    """The shipped list plus ``<home>/sections.toml`` when present (cached per file state)."""
    files = [SHIPPED]
    if home is not None:
        extra = Path(home) / "sections.toml"
        if extra.exists():
            files.append(extra)
    stamp = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    return _load(stamp)


@lru_cache(maxsize=8)
def _load(stamp: tuple[tuple[str, int, int], ...]) -> SectionList:
    sections: dict[str, Section] = {}
    signatures: list[str] = []
    digest = hashlib.sha1()
    for path_text, _mtime, _size in stamp:
        path = Path(path_text)
        raw = path.read_bytes()
        digest.update(raw)
        for s in _parse(path, raw):
            sections[s.name] = s
        signatures.extend(_signatures(path, raw))
    return SectionList(tuple(sections.values()), tuple(dict.fromkeys(signatures)),
                       digest.hexdigest()[:12])


def _parse(path: Path, raw: bytes) -> list[Section]:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not a valid sections file ({e}); fix the line named "
                          "or restore the file from the repository") from e
    out = []
    for i, entry in enumerate(data.get("section", []), 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) \
                or not entry["name"].strip():
            raise ConfigError(f"{path}: section #{i} has no name; each [[section]] needs "
                              "name = \"...\"")
        variants = entry.get("variants", [])
        if not isinstance(variants, list) or not all(isinstance(v, str) for v in variants):
            raise ConfigError(f"{path}: section '{entry['name']}': variants must be a list "
                              "of strings")
        kind = entry.get("kind", "")
        if kind and kind not in ARTICLE_KINDS:
            raise ConfigError(f"{path}: section '{entry['name']}': kind '{kind}' is not one of "
                              f"{', '.join(ARTICLE_KINDS)}")
        out.append(Section(nfc(entry["name"].strip()), tuple(nfc(v) for v in variants), kind))
    return out


def _signatures(path: Path, raw: bytes) -> list[str]:
    data = tomllib.loads(raw.decode("utf-8"))
    values = data.get("signatures", [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{path}: signatures must be a list of strings")
    return [nfc(v) for v in values]
