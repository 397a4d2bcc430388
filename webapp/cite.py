"""Citations of an article: a Vietnamese reference line, RIS, BibTeX and CSL-JSON.

The Vietnamese form follows what provincial review reports print::

    "Tiêu đề", Thông tin sinh hoạt chi bộ, số 7/2012, tr. 12–14, https://…/a/<id>

with the author first when the article is signed. The series title is the one in force at the
issue date (a renamed bulletin is cited under the name it had then). Every format carries the
absolute permalink, so a citation read years later still opens the article.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from archive import vnformat


@dataclass(frozen=True)
class Citation:
    id: str
    title: str
    author: str  # byline as printed ('' when unsigned)
    container: str  # series title in force at the issue date
    publisher: str
    number: str  # issue number as in the catalog ("07")
    year: int
    month: int  # 0 when unknown
    first_page: int
    last_page: int
    url: str  # absolute permalink
    suffix: str = ""

    @property
    def issue_label(self) -> str:
        return vnformat.issue_number(self.number, self.year, suffix=self.suffix)

    @property
    def issue_plain(self) -> str:
        try:
            return str(int(self.number))
        except ValueError:
            return self.number


def vietnamese(c: Citation) -> str:
    parts = [f"\"{c.title}\"", c.container, c.issue_label]
    pages = vnformat.page_range(c.first_page, c.last_page)
    if pages:
        parts.append(pages)
    parts.append(c.url)
    text = ", ".join(p for p in parts if p)
    return f"{c.author}, {text}" if c.author else text


def _ris_value(text: str) -> str:
    return " ".join(str(text).split())  # one line per tag


def ris(c: Citation) -> str:
    """RIS (``.ris``), CRLF line ends as the format's description asks."""
    lines = [("TY", "MGZN"), ("TI", c.title)]
    if c.author:
        lines.append(("AU", c.author))
    lines += [("T2", c.container), ("JO", c.container), ("IS", c.issue_plain), ("PY", str(c.year))]
    if c.month:
        lines.append(("DA", f"{c.year:04d}/{c.month:02d}"))
    if c.first_page:
        lines.append(("SP", str(c.first_page)))
        lines.append(("EP", str(c.last_page or c.first_page)))
    if c.publisher:
        lines.append(("PB", c.publisher))
    lines += [("LA", "vi"), ("UR", c.url), ("ID", c.id)]
    body = "".join(f"{tag}  - {_ris_value(value)}\r\n" for tag, value in lines)
    return body + "ER  - \r\n"


_BIB_SPECIAL = re.compile(r"([{}\\%&$#_^~])")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _bib(text: str) -> str:
    escaped = _BIB_SPECIAL.sub(lambda m: "\\" + m.group(1) if m.group(1) not in "\\^~"
                               else {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}[m.group(1)],
                               " ".join(str(text).split()))
    return "{" + escaped + "}"


def bibtex_key(c: Citation) -> str:
    return re.sub(r"[^A-Za-z0-9:_-]", "_", c.id)


def bibtex(c: Citation) -> str:
    """BibTeX ``@article``: UTF-8 text (biber and modern BibTeX read it), specials escaped;
    the title is wrapped in braces so styles keep its capitals."""
    fields = [("title", "{" + _bib(c.title) + "}")]
    if c.author:
        fields.append(("author", "{" + _bib(c.author) + "}"))  # a byline, not a parsed name
    fields += [("journal", _bib(c.container)), ("number", _bib(c.issue_plain)),
               ("year", _bib(str(c.year)))]
    if c.month:
        fields.append(("month", _MONTHS[c.month - 1]))
    if c.first_page:
        pages = str(c.first_page) if c.last_page in (0, c.first_page) else f"{c.first_page}--{c.last_page}"
        fields.append(("pages", _bib(pages)))
    if c.publisher:
        fields.append(("publisher", _bib(c.publisher)))
    fields += [("language", "{vietnamese}"), ("url", "{" + c.url + "}")]
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@article{{{bibtex_key(c)},\n{body}\n}}\n"


def csl(c: Citation) -> dict[str, object]:
    """One CSL-JSON item (the format of citeproc, Zotero and pandoc)."""
    item: dict[str, object] = {
        "id": c.id, "type": "article-magazine", "title": c.title, "container-title": c.container,
        "issue": c.issue_plain, "issued": {"date-parts": [[c.year, c.month] if c.month else [c.year]]},
        "URL": c.url, "language": "vi",
    }
    if c.author:
        item["author"] = [{"literal": c.author}]
    if c.first_page:
        item["page"] = (str(c.first_page) if c.last_page in (0, c.first_page)
                        else f"{c.first_page}-{c.last_page}")
    if c.publisher:
        item["publisher"] = c.publisher
    return item


def csl_json(c: Citation) -> str:
    return json.dumps([csl(c)], ensure_ascii=False, indent=2) + "\n"


FORMATS = {  # name → (function, MIME type, file extension)
    "ris": (ris, "application/x-research-info-systems; charset=utf-8", "ris"),
    "bib": (bibtex, "application/x-bibtex; charset=utf-8", "bib"),
    "csl": (csl_json, "application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}
