"""``bantin report --check``: open every link of a generated report against the web app.

Why our own checker: a report is read months later, and each of its numbers is a claim that
the page it links to shows that number. So every link of the report (table cells, paragraph
links, the tables' pages and CSV files, the figures' pages) is opened in the app, logged in,
through Flask's test client (the same code the server runs, without a port), and it fails on:

* a status other than 200 (redirects are followed: a permanent redirect to the article an
  old id went into is fine, and counted);
* a fragment (``#y2001``, ``#structure``) naming no element ``id`` on the page it opens;
* a number whose link declares what its target shows (``review.evidence.Evidence.shows``:
  a count, or a ratio's numerator and denominator) when the target does not mark that
  value with ``data-count``/``data-unit``; a number whose link declares nothing must at
  least be shown by its target under some unit.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from archive.catalog import Catalog
from review.report import Figure, Link, Para, Report, TableBlock, body
from webapp import users

_ID = re.compile(r"""\sid=["']([^"']+)["']""")
_COUNT = re.compile(r"""<[^>]*\bdata-count=["']([^"']*)["'][^>]*>""")
_UNIT = re.compile(r"""\bdata-unit=["']([^"']*)["']""")
_NUMBER = re.compile(r"^\s*(-?[\d.]+(?:,\d+)?)\s*(%|số|trang|chữ|tin, bài)?\s*$")


@dataclass(frozen=True)
class Claim:
    """One link of the report: the text shown, its URL, the figures its target must show."""

    text: str
    url: str
    shows: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Fault:
    url: str
    text: str
    problem: str

    def __str__(self) -> str:
        return f"{self.url} ({self.text!r}): {self.problem}"


@dataclass
class CheckResult:
    links: int = 0  # distinct URLs opened
    claims: int = 0  # links in the report (a URL may be linked from several numbers)
    numbers: int = 0  # number links whose figure was checked on their target
    anchors: int = 0  # fragments checked
    redirects: int = 0  # links answered by a permanent redirect (followed)
    faults: list[Fault] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.faults


def claims(report: Report) -> list[Claim]:
    """Every link of the report with its text and declared figures, in order."""
    out: list[Claim] = []
    for b in report.blocks:
        if isinstance(b, Para):
            out += [Claim(p.text, p.url, p.shows) for p in b.parts if isinstance(p, Link)]
        elif isinstance(b, TableBlock):
            out += [Claim(b.table.title, b.page), Claim("CSV", b.csv)]
            index = [b.table.column(k) for k in b.columns]
            for row, shown in zip(b.table.rows, body(b, report.base_url)):
                for k, (text, url, _flag) in zip(index, shown):
                    if url:
                        link = row[k].link
                        out.append(Claim(text, url, link.shows if link is not None else ()))
        elif isinstance(b, Figure) and b.page:
            out.append(Claim(b.caption, b.page))
    return [c for c in out if c.url]


def parse_number(text: str) -> float | None:
    """A number as the report prints it (``1.234``, ``23,5 %``, ``12 số``), or None."""
    m = _NUMBER.match(text)
    if not m:
        return None
    raw = m.group(1).replace(".", "").replace(",", ".")
    try:
        return float(raw)
    except ValueError:
        return None


def shown_counts(page: str) -> list[tuple[str, float]]:
    """(unit, value) of every element marked ``data-count`` on a page."""
    out = []
    for m in _COUNT.finditer(page):
        try:
            value = float(m.group(1))
        except ValueError:
            continue
        unit = _UNIT.search(m.group(0))
        out.append((unit.group(1) if unit else "", value))
    return out


def session_for(client: Any, catalog: Catalog, name: str = "") -> str:
    """Log the test client in as ``name`` (default: the first enabled account): the checker
    runs where the catalog is, so it opens a session directly; returns the name used."""
    accounts = [u for u in users.list_users(catalog) if not u.disabled and (not name or u.name == name)]
    if not accounts:
        raise LookupError(f"no enabled account {name!r}" if name else
                          "no enabled account: add one with `bantin user add`")
    user = accounts[0]
    sid = users.open_session(catalog, user)  # a server-side session, as a real login opens
    with client.session_transaction() as session:
        session["user"] = user.name
        session["epoch"] = user.epoch
        session["sid"] = sid
    return user.name


_ANCHOR = re.compile(r"""<a\s[^>]*href=["']([^"']+)["'][^>]*>(.*?)</a>""", re.DOTALL)
_SHOWS = re.compile(r"""\bdata-shows=["']([^"']*)["']""")
_TAG = re.compile(r"<[^>]+>")


def page_claims(page: str, base_url: str) -> list[Claim]:
    """The numbers linked on a web page of the app (the coverage pages mark each link's
    declared figures ``data-shows="unit=value ..."``), as claims under ``base_url``."""
    out = []
    for m in _ANCHOR.finditer(page):
        href = html.unescape(m.group(1))
        if not href.startswith("/") or href.startswith("//"):
            continue
        shows: list[tuple[str, float]] = []
        declared = _SHOWS.search(m.group(0).split(">", 1)[0])
        if declared:
            for pair in declared.group(1).split():
                unit, _, value = pair.partition("=")
                shows.append((unit, float(value)))
        text = html.unescape(_TAG.sub("", m.group(2))).strip()
        out.append(Claim(text, base_url.rstrip("/") + href, tuple(shows)))
    return out


def check(report: Report, client: Any) -> CheckResult:
    """Open every link of ``report`` with ``client`` (a logged-in Flask test client)."""
    return check_claims(claims(report), report.base_url, client)


def check_claims(found_claims: Iterable[Claim], base_url: str, client: Any) -> CheckResult:
    """Open every claim's URL (under ``base_url``) and check status, anchor and figures."""
    result = CheckResult()
    base = base_url.rstrip("/")
    by_url: dict[str, list[Claim]] = {}
    for c in found_claims:
        by_url.setdefault(c.url, []).append(c)
        result.claims += 1
    pages: dict[str, tuple[int, str, bool]] = {}
    for url, found in by_url.items():
        if not url.startswith(base + "/"):
            result.faults.append(Fault(url, found[0].text, f"not under the report's base URL {base}"))
            continue
        parts = urlsplit(url[len(base):])
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in pages:
            pages[path] = _open(client, path)
            result.links += 1
        status, text, redirected = pages[path]
        result.redirects += int(redirected)
        if status != 200:
            result.faults.append(Fault(url, found[0].text, f"answers {status}"))
            continue
        if parts.fragment:
            result.anchors += 1
            if unquote(parts.fragment) not in {html.unescape(i) for i in _ID.findall(text)}:
                result.faults.append(Fault(url, found[0].text, f"no element id={parts.fragment!r} on the page"))
        shown = shown_counts(text) if not path.split("?")[0].endswith(".csv") else []
        for c in found:
            result.faults += _figures(c, shown, result)
    return result


def _figures(c: Claim, shown: list[tuple[str, float]], result: CheckResult) -> Iterator[Fault]:
    if c.shows:
        result.numbers += 1
        for unit, value in c.shows:
            if not any(u == unit and abs(v - value) < 1e-9 for u, v in shown):
                have = ", ".join(f"{u}={v:g}" for u, v in shown if u == unit) or "nothing"
                yield Fault(c.url, c.text, f"the number's target shows {unit} {have}, not {value:g}")
        return
    number = parse_number(c.text)
    if number is None:
        return
    result.numbers += 1
    if not any(abs(v - number) < 1e-9 for _u, v in shown):
        yield Fault(c.url, c.text, "the target shows no such number (and the link declares none)")


def _open(client: Any, path: str) -> tuple[int, str, bool]:
    """(status, HTML or text, whether a redirect was followed)."""
    r = client.get(path, follow_redirects=True)
    redirected = bool(getattr(r, "history", ()))
    permanent = all(h.status_code in (301, 308) for h in getattr(r, "history", ()))
    status = r.status_code if permanent else (r.history[0].status_code if r.history else r.status_code)
    if status == 200 and "text/" not in (r.mimetype or "") and "csv" not in (r.mimetype or ""):
        return status, "", redirected
    return status, r.get_data(as_text=True), redirected


def summary(result: CheckResult, limit: int = 20) -> Iterable[str]:
    """Lines for a person: the counts, then the first faults."""
    yield (f"links checked: {result.links} URLs for {result.claims} links in the report; "
           f"{result.numbers} numbers and {result.anchors} anchors checked; "
           f"{result.redirects} permanent redirects followed; {len(result.faults)} faults")
    for f in result.faults[:limit]:
        yield f"  {f}"
    if len(result.faults) > limit:
        yield f"  … and {len(result.faults) - limit} more"
