"""Ingest: register the series, issues and pages found under ``scans/`` in the catalog.

Rerunning on unchanged files does nothing (size and mtime are checked before hashing); a
changed file gets new page identities so extract redoes exactly its pages; a file that
disappeared is reported and its rows are kept until ``forget_missing=True``. A bad file is
recorded as a problem naming the file and the fault, and the rest of the batch goes on.

Why one module of a little over 400 lines: ingest is one stage whose checks (the convention,
links outside scans/, Word files, duplicates) all decide one thing: whether an issue enters the
catalog.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from archive.catalog import Catalog
from archive.documents import DOCUMENT_KIND, DocumentPages, document_sha
from archive.errors import BadInput
from archive.models import Issue, Page
from archive.pdfiumlock import PDFIUM
from archive.progress import track
from archive.scans import (
    ISSUE_FILE_EXTENSIONS,
    PAGE_IMAGE_EXTENSIONS,
    IssueName,
    parse_issue_name,
    read_series,
    read_sidecar,
    series_note,
)

log = logging.getLogger(__name__)
PDF_RENDER_DPI = 300


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    updated_metadata: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "path: fault (fix)" lines
    warnings: list[str] = field(default_factory=list)  # read, but something is worth adding

    @property
    def failed(self) -> bool:
        return bool(self.problems)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Hasher:
    """SHA-256 of files, reusing the catalog's record when size and mtime are unchanged."""

    def __init__(self, catalog: Catalog, scans: Path) -> None:
        self.catalog = catalog
        self.scans = scans
        self.known = {r["path"]: r for r in catalog.query("SELECT * FROM source_file")}
        self.fresh: dict[str, tuple[int, int, str]] = {}

    def sha(self, path: Path) -> str:
        rel = path.relative_to(self.scans).as_posix()
        st = path.stat()
        row = self.known.get(rel)
        if row and row["size"] == st.st_size and row["mtime_ns"] == st.st_mtime_ns:
            return str(row["sha256"])
        digest = sha256_file(path)
        self.fresh[rel] = (st.st_size, st.st_mtime_ns, digest)
        return digest

    def save(self) -> None:
        with self.catalog.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO source_file(path, size, mtime_ns, sha256) VALUES (?,?,?,?)",
                [(p, s, m, h) for p, (s, m, h) in self.fresh.items()])
        self.fresh.clear()


def _open_image(path: Path, rel: str) -> Image.Image:
    """Open an image, turning PIL's many failure modes into one clear BadInput."""
    if path.stat().st_size == 0:
        raise BadInput(rel, "file is empty (0 bytes)", "copy the scan again")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
            image.size  # noqa: B018 - forces the header to be parsed
            return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise BadInput(rel, f"image too large to decode safely ({e})",
                       "downscale it to 600 dpi or less") from e
    except (OSError, SyntaxError, ValueError) as e:
        raise BadInput(rel, f"not a readable image ({e})",
                       "check that the file really is a PNG, JPEG or TIFF scan") from e


def _dpi(image: Image.Image) -> float:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        value = 0.0
    return round(value, 1) if 50 <= value <= 2400 else 0.0  # PNG stores px/metre: 199.9996


def inspect_pdf(path: Path, rel: str) -> list[tuple[int, int, float, float, float]]:
    """(width_px, height_px, dpi, width_pt, height_pt) per page; BadInput if unusable."""
    with PDFIUM:  # pdfium is not thread-safe (archive/pdfiumlock.py)
        return _inspect_pdf(path, rel)


def _inspect_pdf(path: Path, rel: str) -> list[tuple[int, int, float, float, float]]:
    import pypdfium2 as pdfium

    if path.stat().st_size == 0:
        raise BadInput(rel, "file is empty (0 bytes)", "copy the PDF again")
    with path.open("rb") as f:
        head = f.read(1024)
    if b"%PDF-" not in head:
        raise BadInput(rel, "not a PDF (no %PDF header)", "check the file; rename it if it is an image")
    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        text = str(e)
        if "password" in text.lower():
            raise BadInput(rel, "PDF is encrypted with a password",
                           "save an unencrypted copy (e.g. qpdf --decrypt) and put that in scans/") from e
        raise BadInput(rel, f"PDF is damaged or truncated ({text})",
                       "copy it again from the original, or repair it with qpdf") from e
    try:
        count = len(doc)
        if count == 0:
            raise BadInput(rel, "PDF has no pages", "copy it again from the original")
        sizes = []
        for i in range(count):
            page = doc[i]
            w_pt, h_pt = page.get_size()
            page.close()
            sizes.append((round(w_pt * PDF_RENDER_DPI / 72), round(h_pt * PDF_RENDER_DPI / 72),
                          float(PDF_RENDER_DPI), float(w_pt), float(h_pt)))
        return sizes
    finally:
        doc.close()


def inspect_tiff(path: Path, rel: str) -> list[tuple[int, int, float, float, float]]:
    image = _open_image(path, rel)
    try:
        sizes = []
        for i in range(getattr(image, "n_frames", 1)):
            image.seek(i)
            sizes.append((image.width, image.height, _dpi(image), 0.0, 0.0))
        return sizes
    except (OSError, EOFError, ValueError) as e:
        raise BadInput(rel, f"TIFF is damaged ({e})", "copy it again from the original") from e
    finally:
        image.close()


_SYSTEM_FILES = {"thumbs.db", "desktop.ini", "ehthumbs.db"}  # Windows writes these into folders


def page_order(path: Path) -> list[object]:
    """Natural order of page file names: *trang 2* before *trang 10*, as a scanner numbers
    them without zeros (with zeros the order is the same as plain sorting)."""
    return [int(part) if part.isdigit() else part.lower()
            for part in re.split(r"(\d+)", path.name)]


def _outside(path: Path, scans: Path) -> BadInput | None:
    """A problem when ``path`` is a link (or under one) that leads outside ``scans/``:
    such files are refused, never read, so nothing outside the scans becomes searchable.
    ``scans`` is resolved; links that stay inside it are fine."""
    try:
        target = path.resolve()
        target.relative_to(scans)
    except ValueError:
        return BadInput(path.relative_to(scans).as_posix(),
                        f"a link to {target}, outside scans/ (not read)",
                        "copy the file into scans/ or remove the link")
    except OSError as e:  # a link loop
        return BadInput(path.relative_to(scans).as_posix(), f"a broken link ({e.strerror or e})",
                        "remove the link")
    return None


def _page_images(folder: Path) -> list[Path]:
    files = [p for p in folder.iterdir()
             if not p.name.startswith(".") and p.name.lower() not in _SYSTEM_FILES]
    return sorted(files, key=lambda p: (page_order(p), p.name))


@dataclass(frozen=True)
class _Candidate:
    name: IssueName
    path: Path  # the issue's file or folder
    kind: str  # pdf | tiff | images


REPORTS_DIR = "reports"  # scans/reports/ holds the districts' reports, not a series


def _discover(scans: Path, report: IngestReport) -> tuple[list[Path], list[_Candidate]]:
    """Series folders and issue candidates; misplaced or misnamed entries become problems."""
    series_dirs: list[Path] = []
    candidates: list[_Candidate] = []
    if not scans.is_dir():
        return series_dirs, candidates
    for top in sorted(scans.iterdir()):
        if top.name.startswith("."):
            continue
        if problem := _outside(top, scans):
            report.problems.append(str(problem))
            continue
        if top.name == REPORTS_DIR and top.is_dir():
            continue  # the districts' reports (scans/reports/<review>/<unit>.*): `bantin reports`
        if not top.is_dir():
            if top.name.lower() not in {"readme", "readme.md", "readme.txt"}:
                report.problems.append(f"{top.relative_to(scans)}: not in a <series>/<year>/ folder "
                                       "(move it to scans/<series>/<year>/)")
            continue
        series_dirs.append(top)
        for year_dir in sorted(top.iterdir()):
            if year_dir.name.startswith(".") or year_dir.name == "series.toml":
                continue  # series.toml is read (and checked) with its series
            if problem := _outside(year_dir, scans):
                report.problems.append(str(problem))
                continue
            if not year_dir.is_dir() or not year_dir.name.isdigit():
                report.problems.append(f"{year_dir.relative_to(scans)}: expected a year folder "
                                       "such as 1990/ (move the file into one)")
                continue
            for entry in sorted(year_dir.iterdir()):
                if entry.name.startswith("."):
                    continue
                suffix = entry.suffix.lower()
                if suffix == ".toml":
                    continue  # sidecars are read (and checked) with their issue
                if problem := _outside(entry, scans):
                    report.problems.append(str(problem))
                    continue
                try:
                    if entry.is_dir():
                        kind = "images"
                    elif suffix in ISSUE_FILE_EXTENSIONS:
                        kind = ISSUE_FILE_EXTENSIONS[suffix]
                    else:
                        raise BadInput(entry.relative_to(scans),
                                       f"unknown file type '{entry.suffix or '(none)'}'",
                                       "use .pdf, .tif or .tiff, a Word file (.doc, .docx, .rtf, "
                                       ".odt), or a folder of .png/.jpg/.tif pages")
                    candidates.append(_Candidate(parse_issue_name(entry, scans), entry, kind))
                except BadInput as e:
                    report.problems.append(str(e))
    return series_dirs, candidates


def ingest_scans(catalog: Catalog, scans: Path, *, forget_missing: bool = False,
                 documents: DocumentPages | None = None) -> IngestReport:
    """Bring the catalog in line with ``scans/`` (see the module docstring). ``documents``
    reads Word files (``indexer.extract.documentpdf.DocumentPrinter``); without it they are
    reported as problems."""
    scans = scans.resolve()
    report = IngestReport()
    catalog.clear_problems("ingest")
    series_dirs, candidates = _discover(scans, report)

    known_series: set[str] = set()
    for folder in series_dirs:
        if problem := _outside(folder / "series.toml", scans):
            report.problems.append(str(problem))
            continue
        try:
            catalog.put_series(read_series(folder))
            known_series.add(folder.name)
            if note := series_note(folder):
                report.warnings.append(note)
        except BadInput as e:
            report.problems.append(str(e))

    existing = {i.id: i for i in catalog.issues()}
    held = {i.source for i in existing.values()}
    by_key: dict[tuple[str, int, int, str], _Candidate] = {}
    for cand in candidates:
        rel = cand.path.relative_to(scans).as_posix()
        if cand.name.series not in known_series:
            continue  # its series folder was reported above
        # one issue however its number is written (tbnb-2008-3.pdf is tbnb-2008-03.pdf)
        key = (cand.name.series, cand.name.year, int(cand.name.number), cand.name.suffix)
        other = by_key.get(key)
        if other is not None:
            # keep the one already in the catalog, else the first in name order
            keep, drop = other, cand
            if rel in held and other.path.relative_to(scans).as_posix() not in held:
                keep, drop = cand, other
            by_key[key] = keep
            report.problems.append(
                f"{drop.path.relative_to(scans).as_posix()}: the same issue "
                f"{drop.name.issue_id} is also in {keep.path.relative_to(scans).as_posix()} "
                "(remove or rename one of them; the other is used)")
            continue
        by_key[key] = cand
    by_id = {cand.name.issue_id: cand for cand in by_key.values()}

    hasher = _Hasher(catalog, scans)
    for issue_id, cand in track(sorted(by_id.items()), total=len(by_id), label="ingest"):
        try:
            outcome = _ingest_one(catalog, scans, cand, existing.get(issue_id), hasher, documents,
                                  report)
        except BadInput as e:
            report.problems.append(str(e))
            continue
        except OSError as e:
            rel = cand.path.relative_to(scans).as_posix()
            report.problems.append(f"{rel}: cannot be read ({e.strerror or e})")
            continue
        getattr(report, outcome).append(issue_id)
    hasher.save()

    for issue_id, old in existing.items():
        if issue_id in by_id:
            continue
        if (scans / old.source).exists() and issue_id not in by_id:
            # the source is still there but failed this time: keep it as it was
            continue
        if forget_missing:
            catalog.delete_issue(issue_id)
            report.forgotten.append(issue_id)
        else:
            catalog.mark_missing(issue_id)
            report.missing.append(issue_id)

    for line in report.problems:
        path, _, message = line.partition(": ")
        catalog.add_problem("ingest", message, path=path)
        log.debug("ingest problem: %s", line)
    return report


def _ingest_one(catalog: Catalog, scans: Path, cand: _Candidate, old: Issue | None,
                hasher: _Hasher, documents: DocumentPages | None, report: IngestReport) -> str:
    rel = cand.path.relative_to(scans).as_posix()
    if cand.kind == DOCUMENT_KIND and documents is None:
        raise BadInput(rel, "Word files are read by `bantin ingest` (with LibreOffice)",
                       "run `bantin ingest` or `bantin build`")
    stem = cand.path.name if cand.kind == "images" else cand.path.stem
    if problem := _outside(cand.path.parent / f"{stem}.toml", scans):
        raise problem
    sidecar = read_sidecar(cand.path)
    if cand.kind == "images":
        files = _page_images(cand.path)
        if not files:
            raise BadInput(rel, "folder holds no page images", "put the page scans (.png, .jpg, .tif) in it")
        for f in files:
            if problem := _outside(f, scans):
                raise problem
            if f.is_dir() or f.suffix.lower() not in PAGE_IMAGE_EXTENSIONS:
                raise BadInput(f.relative_to(scans), "not a page image",
                               "a page folder may hold only .png, .jpg, .jpeg, .tif files")
        shas = [hasher.sha(f) for f in files]
        digest = hashlib.sha256("".join(f"{f.name}:{s}\n" for f, s in zip(files, shas)).encode())
        issue_sha = digest.hexdigest()
    elif cand.kind == DOCUMENT_KIND:
        assert documents is not None
        issue_sha = document_sha(hasher.sha(cand.path), documents.key)
    else:
        issue_sha = hasher.sha(cand.path)

    issue = Issue(
        id=cand.name.issue_id, series=cand.name.series, year=cand.name.year,
        number=cand.name.number, suffix=cand.name.suffix,
        printed_number=sidecar.printed_number, date=sidecar.date, note=sidecar.note,
        source=rel, source_kind=cand.kind, sha256=issue_sha, page_count=0)

    if old is not None and old.sha256 == issue_sha and old.source == rel:
        meta_old = (old.printed_number, old.date, old.note)
        if meta_old != (issue.printed_number, issue.date, issue.note):
            with catalog.transaction() as db:
                db.execute("UPDATE issue SET printed_number=?, date=?, note=?, missing=0 WHERE id=?",
                           (issue.printed_number, issue.date, issue.note, issue.id))
            return "updated_metadata"
        catalog.mark_missing(issue.id, False)
        return "unchanged"

    pages: list[Page] = []
    if cand.kind == "images":
        for seq, (f, sha) in enumerate(zip(files, shas), 1):
            frel = f.relative_to(scans).as_posix()
            image = _open_image(f, frel)
            try:
                frames = getattr(image, "n_frames", 1)
                if frames != 1:
                    raise BadInput(frel, f"page image has {frames} frames",
                                   "a page folder takes one image per page; put a multi-page TIFF "
                                   "beside the folder as the issue's file instead")
                pages.append(Page(id=f"{issue.id}/{seq}", issue_id=issue.id, seq=seq, file=frel,
                                  file_page=0, sha256=sha, width_px=image.width,
                                  height_px=image.height, dpi=_dpi(image)))
            finally:
                image.close()
    else:
        if cand.kind == DOCUMENT_KIND:
            assert documents is not None
            sizes, notes = documents.pages(cand.path, rel, issue_sha)
            report.warnings.extend(notes)
        else:
            sizes = inspect_pdf(cand.path, rel) if cand.kind == "pdf" else inspect_tiff(cand.path, rel)
        for seq, (w, h, dpi, wpt, hpt) in enumerate(sizes, 1):
            page_sha = hashlib.sha256(f"{issue_sha}:{seq - 1}".encode()).hexdigest()
            pages.append(Page(id=f"{issue.id}/{seq}", issue_id=issue.id, seq=seq, file=rel,
                              file_page=seq - 1, sha256=page_sha, width_px=w, height_px=h,
                              dpi=dpi, width_pt=wpt, height_pt=hpt))
    issue = Issue(**{**issue.__dict__, "page_count": len(pages)})
    catalog.put_issue(issue, pages)
    return "added" if old is None else "changed"


def scans_are_empty(scans: Path) -> bool:
    """True when ``scans/`` holds no issue files (used by `make demo` to create the sample)."""
    if not scans.is_dir():
        return True
    for _root, _dirs, files in os.walk(scans):
        if any(not f.startswith(".") and not f.endswith(".toml") and f.lower() != "readme.md"
               for f in files):
            return False
    return True
