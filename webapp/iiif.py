"""IIIF Presentation API 3.0 manifests and Content Search 2.0, one issue at a time:
``/iiif/<issue id>/manifest.json`` and ``/iiif/<issue id>/search?q=…``.

Why per issue: an issue is what a reader opens and pages through (``behavior: paged``); its
pages are the canvases, each painted by the page image's Image API service
(:mod:`webapp.imageapi`) at the page's pixel size, and its articles are the ranges in
``structures``, each pointing at the part of every page it covers (``#xywh=`` in pixels of the
page image). Labels are Vietnamese (``vi``); ``homepage`` is the issue's permalink. The search
service marks what the search engine's matching rule marks on the pages
(:mod:`webapp.marks`, the viewer's own rule), one highlighting annotation per match.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, abort, jsonify, request

from archive import permalinks
from archive.models import Word
from archive.ocrxml import pixel_size
from archive.vntext import nfc
from indexer.search.pagemarks import matched_words
from webapp import db, library, marks
from webapp.imageapi import PROFILE, base_url, service_url

bp = Blueprint("iiif", __name__, url_prefix="/iiif")
NAV: list[tuple[str, str, str]] = []

PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
SEARCH_CONTEXT = "http://iiif.io/api/search/2/context.json"
QUERY_MAX = 500  # characters


def vi(text: str) -> dict[str, list[str]]:
    return {"vi": [text]}


def issue_base(issue_id: str) -> str:
    return f"{base_url()}/iiif/{quote(issue_id, safe='')}"


def canvas_id(issue_id: str, seq: int) -> str:
    return f"{issue_base(issue_id)}/canvas/{int(seq)}"


def _pixels(box: list[float] | tuple[float, ...], width: int, height: int) -> str:
    """``x,y,w,h`` in pixels of a ``width``×``height`` page from a box in page fractions."""
    x0, y0, x1, y1 = (max(0.0, min(1.0, float(v))) for v in box[:4])
    x, y = round(x0 * width), round(y0 * height)
    return f"{x},{y},{max(1, round(x1 * width) - x)},{max(1, round(y1 * height) - y)}"


def _page_size(page: Any) -> tuple[int, int]:
    """A canvas needs a size before any pixel is rendered: the catalog's (ALTO uses the same)."""
    return pixel_size(page)


def manifest(issue_id: str) -> dict[str, Any]:
    catalog = db.catalog()
    issue = catalog.get_issue(issue_id)
    if issue is None:
        abort(404)
    view = library.issue_view(catalog, issue)
    base = base_url()
    pages = catalog.pages(issue_id)
    sizes = {p.seq: _page_size(p) for p in pages}
    items = []
    for p in pages:
        width, height = sizes[p.seq]
        canvas = canvas_id(issue_id, p.seq)
        service = service_url(issue_id, p.seq)
        items.append({
            "id": canvas, "type": "Canvas", "label": vi(f"Trang {p.seq}"),
            "width": width, "height": height,
            "items": [{"id": f"{canvas}/page", "type": "AnnotationPage", "items": [{
                "id": f"{canvas}/image", "type": "Annotation", "motivation": "painting",
                "target": canvas,
                "body": {"id": f"{service}/full/max/0/default.jpg", "type": "Image",
                         "format": "image/jpeg", "width": width, "height": height,
                         "service": [{"id": service, "type": "ImageService3", "profile": PROFILE}]},
            }]}],
            "homepage": [{"id": base + permalinks.page_path(issue_id, p.seq), "type": "Text",
                          "label": vi(f"Trang {p.seq}, {view.label}"), "format": "text/html",
                          "language": ["vi"]}],
            "seeAlso": [{"id": f"{base}/alto/{quote(issue_id, safe='')}/{p.seq}.xml", "type": "Dataset",
                         "label": vi(f"Văn bản trang {p.seq} (ALTO)"), "format": "application/xml",
                         "profile": "http://www.loc.gov/standards/alto/v4/alto.xsd"}],
        })
    structures = []
    for a in library.issue_articles(catalog, issue_id):
        full = library.get_article(catalog, a.id)
        parts: list[dict[str, Any]] = []
        for seq in range(a.first_page, a.last_page + 1):
            if seq not in sizes:
                continue
            boxes = full.boxes.get(seq, []) if full else []
            if boxes:
                x0 = min(b[0] for b in boxes)
                y0 = min(b[1] for b in boxes)
                x1 = max(b[2] for b in boxes)
                y1 = max(b[3] for b in boxes)
                frag = "#xywh=" + _pixels([x0, y0, x1, y1], *sizes[seq])
            else:
                frag = ""
            parts.append({"id": canvas_id(issue_id, seq) + frag, "type": "Canvas"})
        if not parts:
            continue
        label = a.title or "(không có tiêu đề)"
        structures.append({
            "id": f"{issue_base(issue_id)}/range/{quote(a.id, safe='')}", "type": "Range",
            "label": vi(f"{a.section} — {label}" if a.section else label),
            "homepage": [{"id": base + permalinks.article_path(a.id), "type": "Text",
                          "label": vi(label), "format": "text/html", "language": ["vi"]}],
            "items": parts,
        })
    metadata = [
        {"label": vi("Ấn phẩm"), "value": vi(view.title)},
        {"label": vi("Số"), "value": vi(view.number_label)},
        {"label": vi("Ngày"), "value": vi(view.date)},
        {"label": vi("Số trang"), "value": vi(str(len(pages)))},
    ]
    if view.publisher:
        metadata.insert(1, {"label": vi("Cơ quan xuất bản"), "value": vi(view.publisher)})
    out: dict[str, Any] = {
        "@context": PRESENTATION_CONTEXT,
        "id": f"{issue_base(issue_id)}/manifest.json", "type": "Manifest",
        "label": vi(view.label), "metadata": metadata,
        "requiredStatement": {"label": vi("Phạm vi"), "value": vi("Lưu hành nội bộ")},
        "behavior": ["paged"], "viewingDirection": "left-to-right",
        "homepage": [{"id": base + permalinks.issue_path(issue_id), "type": "Text",
                      "label": vi(view.label), "format": "text/html", "language": ["vi"]}],
        "service": [{"id": f"{issue_base(issue_id)}/search", "type": "SearchService2"}],
        "items": items,
    }
    if view.publisher:
        out["provider"] = [{"id": f"{base}/s/{quote(view.series.code, safe='')}", "type": "Agent",
                            "label": vi(view.publisher)}]
    if structures:
        out["structures"] = structures
    return out


@bp.get("/<issue_id>/manifest.json")
def manifest_json(issue_id: str) -> Any:
    response = jsonify(manifest(issue_id))
    response.headers["Access-Control-Allow-Origin"] = "*"
    if "application/ld+json" in request.headers.get("Accept", ""):
        response.headers["Content-Type"] = f'application/ld+json;profile="{PRESENTATION_CONTEXT}"'
    return response


def _box_of(words: list[Word]) -> list[float]:
    return [min(w.box[0] for w in words), min(w.box[1] for w in words),
            max(w.box[2] for w in words), max(w.box[3] for w in words)]


def _line_runs(words: list[Word]) -> list[list[Word]]:
    runs: list[list[Word]] = []
    for w in words:
        if runs and (runs[-1][-1].block, runs[-1][-1].line) == (w.block, w.line):
            runs[-1].append(w)
        else:
            runs.append([w])
    return runs


def search_page(issue_id: str, q: str) -> dict[str, Any]:
    """Content Search 2.0: an AnnotationPage of highlighting annotations, one per match."""
    catalog = db.catalog()
    issue = catalog.get_issue(issue_id)
    if issue is None:
        abort(404)
    base = issue_base(issue_id)
    query = "q=" + quote(q)
    items: list[dict[str, Any]] = []
    context: list[dict[str, Any]] = []
    spec = marks.spec_of(q)
    for page in catalog.pages(issue_id):
        text = library.page_text(catalog, page) if spec else None
        if text is None:
            continue
        width, height = _page_size(page)
        for a, b in matched_words(text.words, spec):
            hit = text.words[a:b]
            anno_id = f"{base}/search/{page.seq}/{a}?{query}"
            for k, run in enumerate(_line_runs(hit)):  # a phrase over a line break: a box per line
                target = canvas_id(issue_id, page.seq) + "#xywh=" + _pixels(_box_of(run), width, height)
                items.append({"id": anno_id if k == 0 else f"{base}/search/{page.seq}/{a}/{k}?{query}",
                              "type": "Annotation", "motivation": "highlighting", "target": target})
            before = " ".join(w.text for w in text.words[max(0, a - 8):a])
            after = " ".join(w.text for w in text.words[b:b + 8])
            context.append({
                "id": f"{base}/search/{page.seq}/{a}/context?{query}", "type": "Annotation",
                "motivation": "contextualizing",
                "target": {"type": "SpecificResource", "source": {"id": anno_id, "type": "Annotation"},
                           "selector": [{"type": "TextQuoteSelector", "prefix": before,
                                         "exact": " ".join(w.text for w in hit), "suffix": after}]},
            })
    out: dict[str, Any] = {"@context": SEARCH_CONTEXT, "id": f"{base}/search?{query}",
                           "type": "AnnotationPage", "items": items}
    if context:
        out["annotations"] = [{"type": "AnnotationPage", "items": context}]
    return out


@bp.get("/<issue_id>/search")
def search(issue_id: str) -> Any:
    q = nfc(request.args.get("q", ""))[:QUERY_MAX].strip()
    response = jsonify(search_page(issue_id, q))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
