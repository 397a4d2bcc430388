"""Reading the editors' topic list (``topics.toml``) into a :class:`indexer.analyze.topics.TopicList`.

Why a module of its own: an editor's mistake must come back as "file, line N: what is wrong"
(unknown keys, a missing slug or name, duplicate slugs, a weight that is not a number, two
terms that are one once diacritics are folded), and that checking is most of the code.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from archive.models import ARTICLE_KINDS
from archive.vntext import nfc
from indexer.analyze.datafile import DataFileError, TomlFile, read_toml
from indexer.analyze.docid import normalize_id
from indexer.analyze.topics import Settings, Term, Topic, TopicList, term_key

FIX = "correct the entry and check the file with `bantin topics check`"

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TOP_KEYS = {"version", "settings", "topic"}
_TOPIC_KEYS = {"slug", "name", "description", "terms", "sections", "documents", "kinds"}

SHIPPED = Path(__file__).with_name("topics.toml")  # the list shipped with the program


def read_topic_list(path: str | Path) -> TopicList:
    """Read and validate a topic list; any fault raises :class:`DataFileError` naming the line."""
    f = read_toml(path, fix=FIX)
    data = f.data
    _no_unknown(f, data, _TOP_KEYS, 1, len(f.lines) + 1, "at the top of the file")
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise DataFileError(f.path, f.find_key("version"), "`version` must be a non-empty string "
                            'such as "2025.1"', FIX)
    settings = _settings(f)
    raw_topics = data.get("topic")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise DataFileError(f.path, 0, "no [[topic]] entries", "add at least one [[topic]] block")
    headers = f.array_headers("topic")
    topics: list[Topic] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(raw_topics):
        start = headers[i] if i < len(headers) else 0
        end = f.block_end(start, "topic") if start else len(f.lines) + 1
        topic = _topic(f, entry, start, end)
        if topic.slug in seen:
            raise DataFileError(f.path, f.find_key("slug", start, end),
                                f"duplicate slug {topic.slug!r} (first at line {seen[topic.slug]})",
                                "give each topic its own slug")
        seen[topic.slug] = f.find_key("slug", start, end)
        topics.append(topic)
    if settings.fallback not in seen:
        raise DataFileError(f.path, f.find_key("fallback"),
                            f"fallback topic {settings.fallback!r} is not in the list",
                            "name one of the slugs defined below")
    digest = hashlib.sha256(f.text.encode("utf-8")).hexdigest()
    return TopicList(nfc(version.strip()), digest, tuple(topics), settings, str(f.path))


def _no_unknown(f: TomlFile, table: Mapping[str, Any], allowed: set[str], start: int, end: int,
                where: str) -> None:
    for key in table:
        if key not in allowed:
            raise DataFileError(f.path, f.find_key(key, start, end),
                                f"unknown key {key!r} {where}",
                                "allowed: " + ", ".join(sorted(allowed)))


def _number(f: TomlFile, value: Any, line: int, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise DataFileError(f.path, line, f"{what} must be a number, not {value!r}",
                            "write a number such as 2 or 1.5, without quotes")
    return float(value)


def _settings(f: TomlFile) -> Settings:
    raw = f.data.get("settings", {})
    start = f.find_key("settings") if "settings" in f.data else 1
    if not isinstance(raw, dict):
        raise DataFileError(f.path, start, "`settings` must be a table", FIX)
    defaults = Settings()
    allowed = set(defaults.__dataclass_fields__)
    header = next((n for n, line in enumerate(f.lines, 1) if line.strip() == "[settings]"), 1)
    end = f.block_end(header, "settings")
    _no_unknown(f, raw, allowed, header, end, "in [settings]")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        line = f.find_key(key, header, end)
        if key == "fallback":
            if not isinstance(value, str):
                raise DataFileError(f.path, line, "`fallback` must be a topic slug", FIX)
            values[key] = value
        elif key == "max_labels":
            number = _number(f, value, line, "`max_labels`")
            if number != int(number) or not 1 <= number <= 10:
                raise DataFileError(f.path, line, "`max_labels` must be a whole number 1-10", FIX)
            values[key] = int(number)
        else:
            number = _number(f, value, line, f"`{key}`")
            if number < 0 or (key == "length_pivot" and number == 0):
                raise DataFileError(f.path, line, f"`{key}` must be positive", FIX)
            values[key] = number
    return Settings(**{**defaults.__dict__, **values})


def _topic(f: TomlFile, entry: Any, start: int, end: int) -> Topic:
    if not isinstance(entry, dict):
        raise DataFileError(f.path, start, "each topic must be a [[topic]] table", FIX)
    _no_unknown(f, entry, _TOPIC_KEYS, start, end, "in a [[topic]]")
    for key in ("slug", "name"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise DataFileError(f.path, f.find_key(key, start, end) if key in entry else start,
                                f"topic without a `{key}`" if key not in entry
                                else f"`{key}` must be a non-empty string", FIX)
    slug = entry["slug"].strip()
    if not _SLUG.match(slug):
        raise DataFileError(f.path, f.find_key("slug", start, end),
                            f"slug {slug!r} must be lower-case letters and digits joined by '-'",
                            'e.g. "xay-dung-dang"')
    description = entry.get("description", "")
    if not isinstance(description, str):
        raise DataFileError(f.path, f.find_key("description", start, end),
                            "`description` must be a string", FIX)
    terms = _terms(f, entry.get("terms", {}), "terms", slug, start, end)
    if not terms:
        raise DataFileError(f.path, start, f"topic {slug!r} has no terms",
                            "add a [topic.terms] table with at least one term")
    sections = _terms(f, entry.get("sections", {}), "sections", slug, start, end)
    documents = []
    for raw_id, weight in _table(f, entry.get("documents", {}), "documents", start, end).items():
        line = f.find_key(raw_id, start, end)
        doc_id = normalize_id(raw_id)
        if doc_id is None:
            raise DataFileError(f.path, line, f"{raw_id!r} is not a document identifier",
                                'write it as in "21-NQ/TW" or "800/QĐ-TTg"')
        documents.append((doc_id, _number(f, weight, line, f"weight of {raw_id!r}")))
    kinds = []
    for kind, weight in _table(f, entry.get("kinds", {}), "kinds", start, end).items():
        line = f.find_key(kind, start, end)
        if kind not in ARTICLE_KINDS:
            raise DataFileError(f.path, line, f"unknown kind {kind!r}",
                                "use one of " + ", ".join(ARTICLE_KINDS))
        kinds.append((kind, _number(f, weight, line, f"weight of {kind!r}")))
    return Topic(slug, nfc(entry["name"].strip()), nfc(description.strip()), terms,
                 sections, tuple(documents), tuple(kinds), start)


def _table(f: TomlFile, raw: Any, name: str, start: int, end: int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise DataFileError(f.path, f.find_key(name, start, end),
                            f"`{name}` must be a table of \"text\" = weight",
                            f"write [topic.{name}] and one \"text\" = weight per line")
    return raw


def _terms(f: TomlFile, raw: Any, name: str, slug: str, start: int, end: int) -> tuple[Term, ...]:
    out: list[Term] = []
    seen: dict[tuple[str, ...], Term] = {}
    for text, weight in _table(f, raw, name, start, end).items():
        line = f.find_key(text, start, end)
        value = _number(f, weight, line, f"weight of {text!r}")
        key = term_key(text)
        if not key:
            raise DataFileError(f.path, line, f"term {text!r} has no letters or digits", FIX)
        if key in seen:
            raise DataFileError(f.path, line,
                                f"{text!r} is the same as {seen[key].text!r} (line "
                                f"{seen[key].line}) once diacritics are folded",
                                "keep one of them")
        term = Term(nfc(text), key, value, line)
        seen[key] = term
        out.append(term)
    return tuple(out)


# --- loading -----------------------------------------------------------------------------

def topics_path(home: str | Path | None = None) -> Path:
    """The topic list in force: ``<home>/topics.toml`` when an editor put one there, else the
    list shipped with the program (``indexer/analyze/topics.toml``)."""
    if home is not None:
        local = Path(home) / "topics.toml"
        if local.is_file():
            return local
    return SHIPPED


def load_topics(path: str | Path | None = None) -> TopicList:
    """Read and validate a topic list (default: the shipped one); any fault raises
    :class:`indexer.analyze.datafile.DataFileError` naming the line (see :mod:`indexer.analyze.topicfile`)."""
    return read_topic_list(path or SHIPPED)
