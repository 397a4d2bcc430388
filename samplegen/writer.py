"""Write one issue of the plan into scans/ (PDF, TIFF or a folder of page images) and
return its truth: each page's printed text and each article's page span.

The kind of source decides the renderer: ``pdf-unicode`` a born-digital PDF with embedded
TrueType fonts; ``pdf-tcvn3``/``pdf-vni`` a PDF typed in legacy fonts; ``scan-*`` page
images, degraded (:mod:`samplegen.degrade`) and packed in a container chosen in turn per
kind, so a handful of issues already covers them all: a folder of PNG or JPEG pages, an
image-only PDF (JPEG inside, no text layer) or a multi-page TIFF.

Every byte is a function of the plan and its seed: reportlab's invariant mode, fixed PNG,
JPEG and TIFF options, no timestamps, random generators seeded from the issue id.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from samplegen.degrade import SCAN_DPI, degrade
from samplegen.layout import IssueLayout, choose_style, layout_issue
from samplegen.plan import IssuePlan
from samplegen.render_image import ImageFonts, render_page
from samplegen.render_pdf import LegacyFonts, UnicodeFonts, image_pdf, render_pdf
from samplegen.render_word import CONTAINERS as WORD_CONTAINERS
from samplegen.render_word import write_word

# Containers of scanned issues, taken in turn per kind of scan (see container_for).
CONTAINERS = {
    "scan-old": ("tiff", "pdf-image", "images-png"),
    "scan-300": ("images-png", "pdf-image", "tiff", "images-jpg", "pdf-image"),
    "scan-photo": ("images-jpg", "pdf-image", "images-jpg"),
}
JPEG_QUALITY = {"scan-old": 85, "scan-300": 88, "scan-photo": 80}
PNG_LEVEL = 6
SOURCE_GROUP = {"scan-old": "scan", "scan-300": "scan", "scan-photo": "scan",
                "pdf-tcvn3": "pdf-legacy", "pdf-vni": "pdf-legacy", "pdf-unicode": "pdf-unicode",
                **{kind: "word" for kind in WORD_CONTAINERS}}


@dataclass(frozen=True)
class IssueOutput:
    issue_id: str
    paths: tuple[str, ...]  # written, relative to scans/ (files, and folders of page images)
    pages: tuple[dict[str, object], ...]  # truth records, in page order
    spans: tuple[tuple[str, int, int], ...]  # (article key, first page, last page)
    seconds: float


def seeded(plan: IssuePlan, purpose: str) -> int:
    """A 64-bit seed for one purpose within one issue, stable across runs and machines."""
    digest = hashlib.sha256(f"{plan.seed}:{plan.issue_id}:{purpose}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def container_for(plan: IssuePlan, turn: int) -> str:
    """The container of the ``turn``-th scanned issue of its kind (0-based), in rotation
    (Word issues: the file type, ``doc`` or ``docx``)."""
    if plan.source in WORD_CONTAINERS:
        cycle = WORD_CONTAINERS[plan.source]
        return cycle[turn % len(cycle)]
    if plan.source not in CONTAINERS:
        return "pdf"
    cycle = CONTAINERS[plan.source]
    return cycle[turn % len(cycle)]


def issue_dir(scans: Path, plan: IssuePlan) -> Path:
    return scans / plan.series / f"{plan.year:04d}"


def write_issue(plan: IssuePlan, scans: Path, container: str) -> IssueOutput:
    """Render ``plan`` into ``scans`` as ``container`` (pdf, pdf-image, tiff, images-png,
    images-jpg); returns the truth of its pages and article spans."""
    started = time.monotonic()
    folder = issue_dir(scans, plan)
    folder.mkdir(parents=True, exist_ok=True)
    if plan.source in WORD_CONTAINERS:
        return _write_word_issue(plan, folder, container, started)
    style = choose_style(plan)
    quirks = plan.source == "pdf-tcvn3" and random.Random(seeded(plan, "quirk")).random() < 0.3
    if plan.source.startswith("pdf-"):
        layout = _write_pdf(plan, folder, style, quirks)
        rel, file_pages, dpi = f"{plan.issue_id}.pdf", None, 0
    else:
        layout, rel, file_pages, dpi = _write_scan(plan, folder, style, container)
    paths = [f"{plan.series}/{plan.year:04d}/{rel}"]
    sidecar = _write_sidecar(plan, folder)
    paths.append(f"{plan.series}/{plan.year:04d}/{sidecar}")
    records = []
    for page in layout.pages:
        n = page.number
        file_rel = paths[0] if file_pages is None else f"{paths[0]}/{file_pages[n - 1]}"
        records.append({
            "series": plan.series, "year": plan.year, "number": plan.number, "suffix": plan.suffix,
            "issue": plan.issue_id, "page": n, "text": page.text(),
            "source": SOURCE_GROUP[plan.source], "scan": plan.source,
            "container": container, "file": file_rel,
            "file_page": (n - 1) if file_pages is None else 0,
            "dpi": dpi, "typeface": style.typeface, "quirks": quirks, "columns": style.columns,
            "regions": [[round(x0 / page.width, 5), round(y0 / page.height, 5),
                         round(x1 / page.width, 5), round(y1 / page.height, 5)]
                        for x0, y0, x1, y1 in page.regions],
        })
    spans = tuple((s.key, s.first_page, s.last_page) for s in layout.spans)
    return IssueOutput(plan.issue_id, tuple(paths), tuple(records), spans,
                       round(time.monotonic() - started, 3))


def _write_word_issue(plan: IssuePlan, folder: Path, container: str, started: float) -> IssueOutput:
    """A Word file (see samplegen.render_word); page truth from the PDF printed from the
    truth text, as the archive prints the decoded text."""
    name, texts, spans = write_word(plan, folder, container)
    rel = f"{plan.series}/{plan.year:04d}/{name}"
    sidecar = _write_sidecar(plan, folder)
    records = [{
        "series": plan.series, "year": plan.year, "number": plan.number, "suffix": plan.suffix,
        "issue": plan.issue_id, "page": n, "text": text, "source": SOURCE_GROUP[plan.source],
        "scan": plan.source, "container": container, "file": rel, "file_page": n - 1, "dpi": 0,
        "typeface": "Liberation Serif", "quirks": False, "columns": 1, "regions": [],
    } for n, text in enumerate(texts, 1)]
    return IssueOutput(plan.issue_id, (rel, f"{plan.series}/{plan.year:04d}/{sidecar}"),
                       tuple(records), tuple(spans), round(time.monotonic() - started, 3))


def _write_pdf(plan: IssuePlan, folder: Path, style, quirks: bool  # type: ignore[no-untyped-def]
               ) -> IssueLayout:
    """A PDF with a text layer; ``quirks`` (TCVN3 only) uses the fonts whose text extracts
    with the extractor quirks (about 30 % of TCVN3 issues)."""

    if plan.source == "pdf-unicode":
        fonts: UnicodeFonts | LegacyFonts = UnicodeFonts(style.typeface)
    else:
        fonts = LegacyFonts(style.typeface, quirk=quirks)
    layout = layout_issue(plan, fonts, style)
    render_pdf(layout, fonts, folder / f"{plan.issue_id}.pdf", f"{plan.title} – {plan.printed_number}")
    return layout


def _write_scan(plan: IssuePlan, folder: Path, style, container: str  # type: ignore[no-untyped-def]
                ) -> tuple[IssueLayout, str, list[str] | None, int]:

    dpi = SCAN_DPI[plan.source]
    fonts = ImageFonts(style.typeface, dpi)
    layout = layout_issue(plan, fonts, style)
    rng = np.random.default_rng(seeded(plan, "degrade"))
    ink = None
    if plan.source == "scan-old":
        strike = random.Random(seeded(plan, "ink"))
        ink = lambda: strike.randint(0, 70)  # noqa: E731
    images = [degrade(render_page(page, fonts, ink), plan.source, rng) for page in layout.pages]
    photo = plan.source == "scan-photo"
    quality = JPEG_QUALITY[plan.source]
    title = f"{plan.title} – {plan.printed_number}"
    if container == "pdf-image":

        # A photo has no true resolution; embed it as if the page were photographed at 300 dpi.
        image_pdf([(_jpeg(img, quality, None), dpi) for img in images],
                  folder / f"{plan.issue_id}.pdf", title)
        return layout, f"{plan.issue_id}.pdf", None, dpi
    if container == "tiff":
        buf = io.BytesIO()
        images[0].save(buf, format="TIFF", save_all=True, append_images=images[1:],
                       compression="tiff_jpeg", quality=quality, dpi=(dpi, dpi))
        _write_atomic(folder / f"{plan.issue_id}.tif", buf.getvalue())
        return layout, f"{plan.issue_id}.tif", None, dpi
    sub = folder / plan.issue_id
    sub.mkdir(exist_ok=True)
    names = []
    for i, img in enumerate(images, 1):
        if container == "images-png":
            name = f"{i:03d}.png"
            buf = io.BytesIO()
            img.save(buf, format="PNG", compress_level=PNG_LEVEL, dpi=(dpi, dpi))
            data = buf.getvalue()
        else:
            name = f"{i:03d}.jpg"
            data = _jpeg(img, quality, None if photo else dpi)
        _write_atomic(sub / name, data)
        names.append(name)
    return layout, plan.issue_id, names, 0 if photo else dpi


def _jpeg(img: Image.Image, quality: int, dpi: int | None) -> bytes:
    buf = io.BytesIO()
    kw = {"dpi": (dpi, dpi)} if dpi else {}
    img.save(buf, format="JPEG", quality=quality, optimize=False, progressive=False, **kw)
    return buf.getvalue()


def _write_sidecar(plan: IssuePlan, folder: Path) -> str:
    """``<issue id>.toml`` beside the issue: the date and the number as printed."""
    lines = [f"date = {_toml_str(plan.date)}", f"printed_number = {_toml_str(plan.printed_number)}"]
    if plan.note:
        lines.append(f"note = {_toml_str(plan.note)}")
    name = f"{plan.issue_id}.toml"
    _write_atomic(folder / name, ("\n".join(lines) + "\n").encode("utf-8"))
    return name


def _toml_str(value: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML escapes)."""
    return json.dumps(value, ensure_ascii=False)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
