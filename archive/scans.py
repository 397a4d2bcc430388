"""The scans convention: how files under ``scans/`` name their series, year and issue.

::

    scans/<series>/series.toml                      optional, describes the series
    scans/<series>/<year>/<series>-<year>-<NN>.pdf  one issue in one file (.pdf .tif .tiff)
    scans/<series>/<year>/<series>-<year>-<NN>.doc  or a Word file (.doc .docx .rtf .odt) in
                                                    TCVN3, VNI or Unicode (archive/documents.py)
    scans/<series>/<year>/<series>-<year>-<NN>/     or a folder of page images in name order
    scans/<series>/<year>/<series>-<year>-<NN>.toml optional sidecar: date, printed_number, note

``NN`` is the issue number within the year (digits); a suffix such as ``-xuan`` or
``-dacbiet`` marks a special issue: ``ttshcb-1995-02-xuan.pdf``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive.documents import DOCUMENT_EXTENSIONS, DOCUMENT_KIND
from archive.errors import BadInput
from archive.models import Series, SeriesTitle
from archive.vntext import nfc

ISSUE_FILE_EXTENSIONS = {".pdf": "pdf", ".tif": "tiff", ".tiff": "tiff",
                         **{ext: DOCUMENT_KIND for ext in DOCUMENT_EXTENSIONS}}
PAGE_IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
NAME = re.compile(
    r"^(?P<series>[a-z][a-z0-9]*)-(?P<year>\d{4})-(?P<number>\d{1,4})(?:-(?P<suffix>[a-z0-9]+(?:-[a-z0-9]+)*))?$"
)

BUILTIN_SERIES = {
    "ttshcb": Series(
        code="ttshcb",
        title="Thông tin sinh hoạt chi bộ",
        publisher="Ban Tuyên giáo Trung ương",
        first_year=1989,
        issues_per_year=12,
        level="trung-uong",
        titles=(
            SeriesTitle("Thông báo nội bộ", "Ban Tư tưởng – Văn hóa Trung ương", "1989-07", None),
        ),
        note="Bản tin của Trung ương; tên và cơ quan chủ quản theo thời gian: xem series.toml.",
    ),
    "tbnb": Series(
        code="tbnb",
        title="Thông báo nội bộ",
        publisher="Ban Tuyên giáo Tỉnh ủy",
        first_year=2004,
        issues_per_year=12,
        level="tinh",
        titles=(SeriesTitle("Thông tin nội bộ", "Ban Tuyên giáo Tỉnh ủy", "2004-01", None),),
        note="Bản tin của Tỉnh ủy.",
    ),
}


@dataclass(frozen=True)
class IssueName:
    """What a file or folder name says about its issue."""

    series: str
    year: int
    number: str
    suffix: str

    @property
    def issue_id(self) -> str:
        base = f"{self.series}-{self.year:04d}-{self.number}"
        return f"{base}-{self.suffix}" if self.suffix else base


def parse_issue_name(path: Path, scans: Path) -> IssueName:
    """Parse ``scans/<series>/<year>/<stem>[.ext]``; raise BadInput saying how to rename."""
    rel = path.relative_to(scans)
    stem = path.name if path.is_dir() else path.stem
    example = "ttshcb/1990/ttshcb-1990-03.pdf"
    if len(rel.parts) != 3:
        raise BadInput(rel, "not in a <series>/<year>/ folder",
                       f"move it to scans/<series>/<year>/, e.g. scans/{example}")
    series_dir, year_dir, _ = rel.parts
    m = NAME.match(stem.lower())
    if not m:
        raise BadInput(rel, "name does not follow <series>-<year>-<NN>[-suffix]",
                       f"rename it, e.g. {example} or a folder ttshcb-1990-03/ of page images")
    if m["series"] != series_dir:
        raise BadInput(rel, f"series '{m['series']}' in the name but the folder is '{series_dir}'",
                       "move or rename the file so they agree")
    if m["year"] != year_dir:
        raise BadInput(rel, f"year {m['year']} in the name but the folder is '{year_dir}'",
                       "move or rename the file so they agree")
    return IssueName(m["series"], int(m["year"]), m["number"], m["suffix"] or "")


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise BadInput(path, f"not valid UTF-8 TOML: {e}", "fix the file or remove it") from e


def _text(data: dict[str, object], key: str, path: Path, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, (str, int)):
        raise BadInput(path, f"'{key}' must be text", f'write it as {key} = "..."')
    return nfc(str(value))


def read_series(folder: Path) -> Series:
    """The series described by ``folder/series.toml``, or the built-in one for its code, or
    for a code we do not know and no file a bare series named by its code (its issues are
    ingested; :func:`series_note` says what to add)."""
    code = folder.name
    file = folder / "series.toml"
    builtin = BUILTIN_SERIES.get(code)
    if not file.exists():
        return builtin or Series(code=code, title=code, publisher="", first_year=0,
                                 issues_per_year=0, level="")
    data = read_toml(file)
    if data.get("code", code) != code:
        raise BadInput(file, f"code '{data.get('code')}' does not match the folder '{code}'",
                       "make them the same")
    titles = []
    for i, row in enumerate(data.get("titles", []) or [], 1):
        if not isinstance(row, dict) or "title" not in row or "start" not in row:
            raise BadInput(file, f"titles row {i} needs at least title and start",
                           'write [[titles]] title = "..." start = "1989-07"')
        titles.append(SeriesTitle(title=_text(row, "title", file),
                                  publisher=_text(row, "publisher", file),
                                  start=_text(row, "start", file),
                                  end=_text(row, "end", file) or None))
    try:
        first_year = int(data.get("first_year", builtin.first_year if builtin else 0))
        per_year = int(data.get("issues_per_year", builtin.issues_per_year if builtin else 0))
    except (TypeError, ValueError) as e:
        raise BadInput(file, "first_year and issues_per_year must be whole numbers",
                       "e.g. first_year = 1989") from e
    return Series(
        code=code,
        title=_text(data, "title", file, builtin.title if builtin else code),
        publisher=_text(data, "publisher", file, builtin.publisher if builtin else ""),
        first_year=first_year,
        issues_per_year=per_year,
        level=_text(data, "level", file, builtin.level if builtin else ""),
        province=_text(data, "province", file),
        titles=tuple(titles) or (builtin.titles if builtin else ()),
        note=_text(data, "note", file),
    )


def series_note(folder: Path) -> str:
    """A warning for a series folder whose code we do not know and that has no series.toml
    (empty when there is nothing to say)."""
    code = folder.name
    if code in BUILTIN_SERIES or (folder / "series.toml").exists():
        return ""
    return (f"{folder}: series '{code}' has no series.toml; its issues are read under the "
            f"title '{code}' with no expected issues (add {code}/series.toml with title, "
            "publisher, first_year and issues_per_year)")


@dataclass(frozen=True)
class Sidecar:
    date: str = ""
    printed_number: str = ""
    note: str = ""


_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def read_sidecar(source: Path) -> Sidecar:
    """Metadata overrides from ``<stem>.toml`` beside an issue file or folder."""
    stem = source.name if source.is_dir() else source.stem
    file = source.parent / f"{stem}.toml"
    if not file.exists():
        return Sidecar()
    data = read_toml(file)
    unknown = set(data) - {"date", "printed_number", "note"}
    if unknown:
        raise BadInput(file, f"unknown key(s) {', '.join(sorted(unknown))}",
                       "a sidecar takes date, printed_number and note")
    date = _text(data, "date", file)
    if date and not _DATE.match(date):
        raise BadInput(file, f"date '{date}' is not YYYY-MM or YYYY-MM-DD", 'e.g. date = "1990-03"')
    return Sidecar(date=date, printed_number=_text(data, "printed_number", file),
                   note=_text(data, "note", file))
