"""What a search asks for: the request value, its query syntax, canonical form and key.

No search engine is imported here. The web app, the CLI and the coverage pages build a
:class:`SearchRequest`; :func:`parse` turns its text into a small tree of :class:`Term`,
:class:`Phrase`, :class:`And`, :class:`Or`, :class:`Not` that ``indexer.search.engine`` evaluates.

Syntax (errors raise :class:`archive.errors.UsageError` with a message in Vietnamese that
says what to fix, never a traceback)::

    nghi quyet 21          words: all must occur (AND is implied)
    "sinh hoạt chi bộ"     a phrase: consecutive syllables, across line and page breaks
    a OR b, a AND b        operators in capitals; NOT b or -b excludes
    (a OR b) c             parentheses group
    21-NQ/TW, NQ21, NQ 21  a document identifier in any spelling is one word
    nghi quyet 21          a kind and a number: also every identifier 21-NQ/… (evaluate.py)
    tham nhung~            ~ after a word: also near spellings (OCR errors; folded field)

The matching rule, per word: a word typed with any diacritic (or đ) matches only that word
(``nhũng`` finds *nhũng*, never *những* or *nhung*); a word typed without any matches every
spelling (``nhung`` finds *nhung*, *những*, *nhũng*, *nhúng*). Case and tone placement
(*hoà*/*hòa*, *thuỷ*/*thủy*) never matter. Mixed queries apply it word by word (``nghị
quyet``: exact *nghị*, any *quyet*), inside quoted phrases too; after NOT likewise (``-số``
keeps *cơ sở*). A near-spelling search (``~`` or ``fuzzy``) searches every spelling.

Bad queries never reach a recursion limit: at most :data:`MAX_QUERY_CHARS` characters,
:data:`MAX_TERMS` words and :data:`MAX_DEPTH` nested parentheses or NOTs.

Reproducible counts: :meth:`SearchRequest.canonical` is the request in one normal form
(query re-written from its tree, filters in a fixed order, paging left out), and
:attr:`SearchRequest.query_key` a short hash of it. Two requests with the same key find the
same documents in the same order on the same index version.

Why one module of about 450 lines: the request value, the query syntax and its canonical form
are one grammar; the key of a search is only stable if they change together.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus, urlencode

from archive.errors import UsageError
from archive.vntext import match_key, nfc
from indexer.analyze.docid import canon_type
from indexer.search.tokens import identifier_at, identifier_key, ref_key, scan

TARGETS = ("articles", "pages")
SORTS = ("relevance", "date", "-date")
MAX_QUERY_CHARS = 1000
MAX_TERMS = 64
MAX_DEPTH = 16  # nested parentheses / NOTs: more is a pasted or generated query
MAX_PER_PAGE = 1000  # exports page through every hit in batches of 500
FIRST_YEAR, LAST_YEAR = 1900, 2100


class QueryError(UsageError):
    """The query text or a search parameter is malformed; the message (Vietnamese) says
    where and how to fix it. Exit code 2 on the command line, 400 in the web app."""


@dataclass(frozen=True)
class Term:
    """One token: ``exact`` (lower case, canonical tones) is searched when the user typed
    diacritics (``marked``), ``folded`` (no diacritics, đ→d) otherwise."""

    exact: str
    folded: str
    marked: bool = False
    fuzzy: bool = False

    def render(self) -> str:
        text = self.exact if self.marked else self.folded
        return text + ("~" if self.fuzzy else "")


@dataclass(frozen=True)
class Phrase:
    """Consecutive tokens (quoted by the user, or a hyphenated word such as *kinh-tế*)."""

    terms: tuple[Term, ...]

    def render(self) -> str:
        return '"' + " ".join(t.render() for t in self.terms) + '"'


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]
    implicit: bool = False  # words written side by side: adjacent pairs earn a phrase bonus

    def render(self) -> str:
        joiner = " " if self.implicit else " AND "
        return "(" + joiner.join(i.render() for i in self.items) + ")"


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]

    def render(self) -> str:
        return "(" + " OR ".join(i.render() for i in self.items) + ")"


@dataclass(frozen=True)
class Not:
    item: Node

    def render(self) -> str:
        return "NOT " + self.item.render()


@dataclass(frozen=True)
class Everything:
    """An empty query: every document that passes the filters."""

    def render(self) -> str:
        return ""


Node = Term | Phrase | And | Or | Not | Everything


@dataclass(frozen=True)
class SearchRequest:
    """A search: query text, filters, sort and paging. Years are inclusive; ``min_conf`` is
    the lowest mean OCR confidence (0..100) a document may have; ``page`` is 1-based."""

    q: str = ""
    series: str = ""
    year_from: int | None = None
    year_to: int | None = None
    month: int | None = None
    section: str = ""
    kind: str = ""
    topic: str = ""
    ref: str = ""
    min_conf: float | None = None
    target: str = "articles"
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    fuzzy: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "q", nfc(self.q or "").strip())
        for name in ("series", "section", "kind", "topic", "ref"):
            object.__setattr__(self, name, nfc(getattr(self, name) or "").strip())
        if self.target not in TARGETS:
            raise QueryError(f"target phải là một trong {', '.join(TARGETS)} (nhận: {self.target!r})")
        if self.sort not in SORTS:
            raise QueryError(f"sort phải là một trong {', '.join(SORTS)} (nhận: {self.sort!r})")
        for name in ("year_from", "year_to"):
            year = getattr(self, name)
            if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
                raise QueryError(f"năm {year} không hợp lệ: dùng năm bốn chữ số, ví dụ 2012")
        if self.year_from is not None and self.year_to is not None and self.year_from > self.year_to:
            raise QueryError(f"khoảng năm ngược: từ {self.year_from} đến {self.year_to}; "
                             "đổi chỗ hai năm")
        if self.month is not None and not 1 <= self.month <= 12:
            raise QueryError(f"tháng {self.month} không hợp lệ: dùng 1 đến 12")
        if self.min_conf is not None and not 0 <= self.min_conf <= 100:
            raise QueryError(f"độ tin cậy OCR {self.min_conf} không hợp lệ: dùng 0 đến 100")
        if self.page < 1:
            raise QueryError(f"trang kết quả {self.page} không hợp lệ: bắt đầu từ 1")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise QueryError(f"số kết quả mỗi trang phải từ 1 đến {MAX_PER_PAGE}")

    @property
    def tree(self) -> Node:
        """The parsed query, parsed once, when first needed (so the web app can show a
        malformed query back in its form beside the message that says what to fix)."""
        tree = self.__dict__.get("_tree")  # not a field: derived
        if tree is None:
            tree = self.__dict__["_tree"] = parse(self.q, fuzzy=self.fuzzy)
        return tree  # type: ignore[no-any-return]

    # --- the URL form: the web app's search state, in one fixed order -----------------------

    @property
    def empty(self) -> bool:
        """No text and no filter: nothing to search for."""
        return not any((self.q, self.series, self.year_from, self.year_to, self.month,
                        self.section, self.kind, self.topic, self.ref, self.min_conf))

    def pairs(self, **changes: Any) -> list[tuple[str, str]]:
        """URL parameters: the query as typed and every non-default value, in the fixed order
        of :data:`URL_FIELDS` (the web app's canonical URL), with ``changes`` applied
        (cheaper than a new request: a result page links to ~100 URLs)."""
        values = {**self.__dict__, **changes} if changes else self.__dict__
        out = []
        for name, default in _URL_DEFAULTS:
            value = values[name]
            if value is None or value == "" or value == default:
                continue
            if isinstance(value, bool):
                value = "1"
            elif isinstance(value, float):
                value = f"{value:g}"
            out.append((URL_NAMES.get(name, name), str(value)))
        return out

    def url(self, path: str = "/search", **changes: Any) -> str:
        """This search with ``changes`` applied (``page`` goes back to 1 unless given)."""
        if changes and "page" not in changes:
            changes["page"] = 1
        pairs = self.pairs(**changes)
        return path + ("?" + "&".join(f"{_quoted(k)}={_quoted(v)}" for k, v in pairs) if pairs else "")

    def filters(self) -> list[tuple[str, str, str]]:
        """(field, label, value) of each active filter, for "remove this filter" links."""
        return [(name, label, str(getattr(self, name))) for name, label in FILTER_LABELS.items()
                if getattr(self, name) not in (None, "")]

    @property
    def ref_key(self) -> str:
        return ref_key(self.ref) if self.ref else ""

    def params(self) -> list[tuple[str, str]]:
        """The canonical parameters, in a fixed order, empty ones left out (no paging)."""
        pairs: list[tuple[str, Any]] = [
            ("q", self.tree.render()),
            ("series", self.series),
            ("from", self.year_from),
            ("to", self.year_to),
            ("month", self.month),
            ("section", match_key(self.section)),
            ("kind", self.kind),
            ("topic", self.topic),
            ("ref", self.ref_key),
            ("min_conf", _number(self.min_conf)),
            ("target", "" if self.target == "articles" else self.target),
            ("sort", "" if self.sort == "relevance" else self.sort),
            ("fuzzy", "1" if self.fuzzy else ""),
        ]
        return [(k, str(v)) for k, v in pairs if v not in (None, "")]

    def canonical(self) -> str:
        """The request in normal form, as a URL query string (stable, readable)."""
        return urlencode(self.params())

    @property
    def query_key(self) -> str:
        """Twelve characters naming :meth:`canonical`, quoted beside every reported number."""
        digest = hashlib.sha1(self.canonical().encode("utf-8")).digest()
        return base64.b32encode(digest).decode("ascii")[:12].lower()

    def with_page(self, page: int) -> SearchRequest:
        return replace(self, page=page)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SearchRequest:
        """Build a request from URL or form parameters (strings), as the web app gets them.

        Accepts the names of :meth:`params` plus ``page``, ``per_page``; unknown names are
        ignored; a malformed number raises :class:`UsageError` naming the parameter.
        """
        def text(name: str) -> str:
            value = params.get(name)
            return str(value) if value is not None else ""

        def integer(name: str) -> int | None:
            raw = text(name).strip()
            if not raw:
                return None
            try:
                return int(raw)
            except ValueError:
                raise QueryError(f"tham số {name}={raw!r} phải là số nguyên") from None

        def real(name: str) -> float | None:
            raw = text(name).strip()
            if not raw:
                return None
            try:
                return float(raw)
            except ValueError:
                raise QueryError(f"tham số {name}={raw!r} phải là số") from None

        return cls(q=text("q"), series=text("series"), year_from=integer("from"),
                   year_to=integer("to"), month=integer("month"), section=text("section"),
                   kind=text("kind"), topic=text("topic"), ref=text("ref"),
                   min_conf=real("min_conf"), target=text("target") or "articles",
                   sort=text("sort") or "relevance", page=integer("page") or 1,
                   per_page=integer("per_page") or 20,
                   fuzzy=text("fuzzy").lower() in {"1", "true", "yes", "on"})


    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> SearchRequest:
        """Build a request from a web page's URL parameters, leniently: a value out of range
        or malformed is left out (:meth:`args_problems` names them for the page)."""
        def text(name: str, limit: int = 200) -> str:
            return nfc(str(args.get(name, "") or "")).strip()[:limit]

        target, sort = text("target"), text("sort")
        return cls(q=text("q", MAX_URL_QUERY), series=text("series"),
                   year_from=_lenient_int(args, "year_from", FIRST_YEAR, LAST_YEAR),
                   year_to=_lenient_int(args, "year_to", FIRST_YEAR, LAST_YEAR),
                   month=_lenient_int(args, "month", 1, 12),
                   section=text("section"), kind=text("kind"), topic=text("topic"), ref=text("ref"),
                   min_conf=_lenient_conf(args), target=target if target in TARGETS else "articles",
                   sort=sort if sort in SORTS else "relevance",
                   fuzzy=text("fuzzy").lower() in {"1", "true", "yes", "on"},
                   page=_lenient_int(args, "page", 1, 100000) or 1,
                   per_page=_lenient_int(args, "per_page", 1, WEB_MAX_PER_PAGE) or 20)

    @staticmethod
    def args_problems(args: Mapping[str, Any]) -> list[str]:
        """Messages (Vietnamese) for the URL parameters :meth:`from_args` had to leave out."""
        out = []
        for name, lo, hi, what in (("year_from", FIRST_YEAR, LAST_YEAR, "năm bốn chữ số, ví dụ 2012"),
                                   ("year_to", FIRST_YEAR, LAST_YEAR, "năm bốn chữ số, ví dụ 2012"),
                                   ("month", 1, 12, "tháng từ 1 đến 12"),
                                   ("page", 1, 100000, "số trang từ 1"),
                                   ("per_page", 1, WEB_MAX_PER_PAGE, f"từ 1 đến {WEB_MAX_PER_PAGE}")):
            raw = _raw(args, name)
            if raw and _lenient_int(args, name, lo, hi) is None:
                out.append(f"Đã bỏ qua {URL_NAMES.get(name, name)}={raw!r}: cần {what}.")
        raw = str(args.get("min_conf", "") or "").strip()
        if raw and _lenient_conf(args) is None:
            out.append(f"Đã bỏ qua min_conf={raw!r}: cần độ tin cậy từ 0 đến 100.")
        for name, allowed in (("target", TARGETS), ("sort", SORTS)):
            raw = str(args.get(name, "") or "").strip()
            if raw and raw not in allowed:
                out.append(f"Đã bỏ qua {name}={raw!r}: cần một trong {', '.join(allowed)}.")
        return out


URL_NAMES = {"year_from": "from", "year_to": "to"}  # field → URL parameter
URL_FIELDS = ("q", "series", "year_from", "year_to", "month", "section", "kind", "topic", "ref",
              "min_conf", "target", "sort", "fuzzy", "page", "per_page")
_URL_DEFAULTS = [(f, SearchRequest.__dataclass_fields__[f].default) for f in URL_FIELDS]
FILTER_LABELS = {"series": "Bản tin", "year_from": "Từ năm", "year_to": "Đến năm", "month": "Tháng",
                 "section": "Chuyên mục", "kind": "Loại", "topic": "Chủ đề",
                 "ref": "Văn bản được dẫn", "min_conf": "Độ tin cậy tối thiểu"}
MAX_URL_QUERY = 500  # characters of q kept from a URL
WEB_MAX_PER_PAGE = 200  # hits a web page lists at most (exports page through all)


def _raw(args: Mapping[str, Any], name: str) -> str:
    raw = args.get(URL_NAMES.get(name, name))
    if raw in (None, ""):
        raw = args.get(name, "")
    return str(raw or "").strip()


def _lenient_int(args: Mapping[str, Any], name: str, lo: int, hi: int) -> int | None:
    try:
        value = int(_raw(args, name))
    except ValueError:
        return None
    return value if lo <= value <= hi else None


def _lenient_conf(args: Mapping[str, Any]) -> float | None:
    try:
        conf = float(str(args.get("min_conf", "")).replace(",", "."))
    except ValueError:
        return None
    return conf if 0 <= conf <= 100 else None


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


# --- parsing -----------------------------------------------------------------------------

_OPERATORS = {"AND": "AND", "OR": "OR", "NOT": "NOT"}
_WORD_END = re.compile(r'[\s()"]')


@dataclass(frozen=True)
class _Tok:
    kind: str  # word | phrase | ident | and | or | not | ( | )
    text: str
    pos: int
    fuzzy: bool = False


def _lex(q: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(q)
    while i < n:
        ch = q[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            toks.append(_Tok(ch, ch, i))
            i += 1
            continue
        if ch in "\"“”":
            close = min((j for j in (q.find(c, i + 1) for c in "\"“”") if j != -1), default=-1)
            if close == -1:
                raise QueryError(f'thiếu dấu ngoặc kép đóng cho cụm từ bắt đầu ở vị trí {i + 1}: '
                                 f'{q[i:i + 30]!r}; thêm dấu " ở cuối cụm từ')
            fuzzy = close + 1 < n and q[close + 1] == "~"
            toks.append(_Tok("phrase", q[i + 1:close], i, fuzzy))
            i = close + 1 + (1 if fuzzy else 0)
            continue
        ident = identifier_at(q, i) or _short_spaced(q, i)
        if ident is not None:
            end, norm = ident
            fuzzy = end < n and q[end] == "~"
            toks.append(_Tok("ident", norm, i, fuzzy))
            i = end + (1 if fuzzy else 0)
            continue
        if ch == "-" and i + 1 < n and not q[i + 1].isspace() and (not toks or q[i - 1].isspace()
                                                                   or q[i - 1] == "("):
            toks.append(_Tok("not", "-", i))
            i += 1
            continue
        m = _WORD_END.search(q, i)
        end = m.start() if m else n
        word = q[i:end]
        if word in _OPERATORS:
            toks.append(_Tok(_OPERATORS[word].lower(), word, i))
        else:
            fuzzy = word.endswith("~")
            toks.append(_Tok("word", word.rstrip("~"), i, fuzzy))
        i = end
    return toks


# *NQ 21*, *CT-05*, *qđ 8*: the short form of a Party document with a space or a dash
# (``NQ21`` is read by the analyser, as in the texts)
_SHORT_SPACED = re.compile(r"(QĐi|QDi|QĐ|QD|NQ|CT|KL|HD|KH)[ \-–]{1,3}([0-9]{1,3})(?![\w/])",
                           re.IGNORECASE)


def _short_spaced(q: str, i: int) -> tuple[int, str] | None:
    if i and q[i - 1].isalnum():
        return None
    m = _SHORT_SPACED.match(q, i)
    doc_type = canon_type(m.group(1)) if m else None
    if m is None or doc_type is None:
        return None
    return m.end(), f"{int(m.group(2)):02d}-{doc_type}/TW"


def _terms_of(text: str, fuzzy: bool) -> list[Term]:
    return [Term(t.exact, t.folded, marked=(t.exact != t.folded and not t.ident), fuzzy=fuzzy)
            for t in scan(text)]


class _Parser:
    def __init__(self, q: str, toks: list[_Tok], fuzzy: bool) -> None:
        self.q = q
        self.toks = toks
        self.i = 0
        self.fuzzy = fuzzy
        self.count = 0
        self.depth = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def where(self, tok: _Tok | None) -> str:
        if tok is None:
            return "ở cuối truy vấn"
        return f"ở vị trí {tok.pos + 1} ({self.q[tok.pos:tok.pos + 20]!r})"

    def parse(self) -> Node:
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:
            if tok.kind == ")":
                raise QueryError(f"dấu ngoặc đóng ')' thừa {self.where(tok)}; xoá nó hoặc thêm '('")
            raise QueryError(f"không hiểu truy vấn {self.where(tok)}")
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.take()
            if self.peek() is None or self.peek().kind in ("or", "and", ")"):  # type: ignore[union-attr]
                raise QueryError(f"OR cần một từ đứng sau ({self.where(self.peek())})")
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items: list[Node] = []
        explicit = False
        while (tok := self.peek()) is not None and tok.kind not in ("or", ")"):
            if tok.kind == "and":
                if not items:
                    raise QueryError(f"AND cần một từ đứng trước ({self.where(tok)})")
                self.take()
                nxt = self.peek()
                if nxt is None or nxt.kind in ("and", "or", ")"):
                    raise QueryError(f"AND cần một từ đứng sau ({self.where(nxt)})")
                explicit = True
                continue
            node = self.unary()
            if node is not None:
                items.append(node)
        if not items:
            raise QueryError(f"thiếu từ cần tìm ({self.where(self.peek())}): chỉ có dấu câu hoặc "
                             "ngoặc rỗng")
        if all(isinstance(i, Not) for i in items):
            raise QueryError("truy vấn chỉ có phần loại trừ (NOT hoặc -): thêm ít nhất một từ "
                             "cần tìm, ví dụ: tham nhũng -lãng phí")
        return items[0] if len(items) == 1 else And(tuple(items), implicit=not explicit)

    def unary(self) -> Node | None:
        tok = self.take()
        if tok.kind in ("not", "("):
            self.depth += 1
            try:
                if self.depth > MAX_DEPTH:
                    raise QueryError(f"truy vấn lồng quá sâu {self.where(tok)}: tối đa {MAX_DEPTH} "
                                     "tầng ngoặc hoặc NOT; bỏ bớt dấu ngoặc")
                return self._nested(tok)
            finally:
                self.depth -= 1
        return self._word(tok)

    def _nested(self, tok: _Tok) -> Node | None:
        if tok.kind == "not":
            nxt = self.peek()
            if nxt is None or nxt.kind in ("and", "or", ")", "not"):
                raise QueryError(f"NOT (hoặc -) cần một từ đứng sau ({self.where(nxt)})")
            inner = self.unary()
            return Not(inner) if inner is not None else None
        if tok.kind == "(":
            if (nxt := self.peek()) is not None and nxt.kind == ")":
                raise QueryError(f"cặp ngoặc rỗng {self.where(tok)}: xoá '()' hoặc thêm từ vào trong")
            node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != ")":
                raise QueryError(f"thiếu dấu ngoặc đóng ')' cho ngoặc mở {self.where(tok)}")
            self.take()
            return node
        raise AssertionError(tok.kind)

    def _word(self, tok: _Tok) -> Node | None:
        if tok.kind == ")":
            raise QueryError(f"dấu ngoặc đóng ')' thừa {self.where(tok)}; xoá nó hoặc thêm '('")
        if tok.kind == "ident":
            key = identifier_key(tok.text)
            return self.counted(Term(key, key, False, tok.fuzzy or self.fuzzy))
        fuzzy = tok.fuzzy or (self.fuzzy and tok.kind == "word")
        terms = _terms_of(tok.text, fuzzy)
        if not terms:
            if tok.kind == "phrase":
                raise QueryError(f"cụm từ trong ngoặc kép {self.where(tok)} không có chữ nào")
            return None  # punctuation alone: ignored
        if len(terms) == 1:
            return self.counted(terms[0])
        # a quoted phrase, or a word joined by hyphens or dots: consecutive syllables
        return self.counted(Phrase(tuple(replace(t, fuzzy=False) for t in terms)), len(terms))

    def counted(self, node: Node, n: int = 1) -> Node:
        self.count += n
        if self.count > MAX_TERMS:
            raise QueryError(f"truy vấn quá dài: tối đa {MAX_TERMS} từ")
        return node


def parse(q: str, *, fuzzy: bool = False) -> Node:
    """The query tree of ``q`` (NFC, stripped). An empty query is :class:`Everything`."""
    q = nfc(q or "").strip()
    if not q:
        return Everything()
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"truy vấn quá dài ({len(q)} ký tự, tối đa {MAX_QUERY_CHARS})")
    toks = _lex(q)
    if not toks:
        return Everything()
    parser = _Parser(q, toks, fuzzy)
    node = parser.parse()
    if parser.count == 0:
        raise QueryError(f"truy vấn {q!r} không có chữ hay số nào để tìm")
    return node


def leaves(node: Node, *, negated: bool = False) -> list[Term | Phrase]:
    """The positive terms and phrases of a tree (what snippets and word marks highlight)."""
    if isinstance(node, (Term, Phrase)):
        return [] if negated else [node]
    if isinstance(node, Not):
        return leaves(node.item, negated=not negated)
    if isinstance(node, (And, Or)):
        return [leaf for item in node.items for leaf in leaves(item, negated=negated)]
    return []


@lru_cache(maxsize=8192)
def _quoted(value: str) -> str:
    """``quote_plus``, kept: a results page links to ~100 URLs made of the same few values,
    and quoting them again was a tenth of the page (the same text as ``urlencode``)."""
    return quote_plus(value)
