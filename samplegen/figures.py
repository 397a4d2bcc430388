"""Render three pages of a sample archive to PNG for the README (``docs/img/``).

    .venv/bin/python -m samplegen.figures --home DIR [--out docs/img]

Picks the first page of an old typewritten scan, of a TCVN3 legacy PDF and of a
born-digital PDF, and a phone photo, as the reader of the README would meet them.
PDF pages are rendered with pypdfium2 at 90 dpi; scans are scaled to the same width.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

PICKS = (("scan-old", "sample-scan-old.png"), ("scan-photo", "sample-scan-photo.png"),
         ("pdf-tcvn3", "sample-pdf-tcvn3.png"), ("pdf-unicode", "sample-pdf-unicode.png"))
WIDTH = 673  # pixels: 19 cm at 90 dpi


def page_image(home: Path, rec: dict[str, object]) -> Image.Image:
    """One truth page as an image, from whatever container holds it."""
    path = home / "scans" / str(rec["file"])
    if rec["container"] in ("pdf", "pdf-image"):
        doc = pdfium.PdfDocument(path)
        page = doc[int(rec["file_page"])]  # type: ignore[call-overload]
        img = page.render(scale=WIDTH / page.get_width()).to_pil().convert("L")
        doc.close()
        return img
    with Image.open(path) as im:
        im.seek(int(rec["file_page"]))  # type: ignore[call-overload]
        img = im.convert("L")
    img.thumbnail((WIDTH, WIDTH * 2), Image.Resampling.LANCZOS)
    return img


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", required=True, type=Path)
    ap.add_argument("--out", default=Path("docs/img"), type=Path)
    args = ap.parse_args()
    pages = [json.loads(x) for x in (args.home / "sample-truth/pages.jsonl").read_text("utf-8").splitlines()]
    args.out.mkdir(parents=True, exist_ok=True)
    for kind, name in PICKS:
        rec = next((p for p in pages if p["scan"] == kind and p["page"] == 1), None)
        if rec is None:
            continue
        page_image(args.home, rec).save(args.out / name, optimize=True)
        print(f"{args.out / name}: {rec['issue']} page 1 ({kind}, {rec['container']})")


if __name__ == "__main__":
    main()
