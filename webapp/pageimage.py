"""Page images for the browser: rendered once from the original, cached under ``index/cache/``.

Why a cache: rendering a PDF page or decoding a 300 dpi TIFF takes a fraction of a second to
seconds; a viewer asks for the same page again and again. Each size is a JPEG named after the
page's source identity (``sha256`` of the page and its frame), so a replaced scan gets new
images and the cache never has to be invalidated by hand; deleting ``index/cache/`` is safe.

Rendered ahead, so that a reader never waits for a render (issue 20): ``bantin build`` ends
with the ``images`` stage, which draws every page's thumbnail at a low resolution (a
fraction of the full render's cost; :func:`thumbnail_file`), and the first visit to an issue
starts a background thread (:func:`render_ahead`) that renders its pages' viewer sizes, each
once no deep-zoom first view is rendering (:func:`first_view`). A page view renders the next
page's deep-zoom first view ahead instead (:mod:`webapp.tiles`): the viewer shows tiles.

No path from a request reaches the file system: callers pass a :class:`~archive.models.Page`
row looked up in the catalog, the source path is ``scans/`` + the catalog's relative path
(checked to stay inside ``scans/``), and the cache name is made of hex digits and a size name
from :data:`SIZES`.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image

from archive.documents import DOCUMENT_KIND, derived_pdf_path
from archive.errors import BadInput
from archive.models import Page
from indexer.extract.documentpdf import ensure_pdf
from indexer.extract.render import load_page_image

log = logging.getLogger(__name__)

SIZES = {"thumb": 240, "view": 1400, "large": 2600}  # name → width in pixels
JPEG_QUALITY = {"thumb": 70, "view": 82, "large": 85}
RENDER_WIDTH = max(SIZES.values())  # the page is rendered once at this width, then scaled
THUMB_RENDER_WIDTH = 2 * SIZES["thumb"]  # a thumbnail alone is rendered this wide, then halved
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def source_key(page: Page) -> str:
    """Hex digits, a dash and the frame number: names every cached image of this page's source.
    A page whose recorded identity is not a SHA-256 in hex (a catalog filled by hand) is named by
    a hash of it, so nothing but hex digits ever reaches a file name."""
    identity = page.sha256.lower()
    if len(identity) != 64 or not all(c in "0123456789abcdef" for c in identity):
        identity = hashlib.sha256(f"{page.id}|{page.file}|{page.sha256}".encode()).hexdigest()
    return f"{identity}-{int(page.file_page)}"


def cache_path(cache_dir: Path, page: Page, size: str) -> Path:
    if size not in SIZES:
        raise ValueError(f"bad image request: size {size!r}")
    key = source_key(page)
    return cache_dir / "pages" / key[:2] / f"{key}-{size}.jpg"


def page_image_file(scans: Path, cache_dir: Path, page: Page, source_kind: str, size: str, *,
                    issue_sha: str = "") -> Path:
    """The cached JPEG of ``page`` at ``size``, rendering every size on the first request.
    A Word issue's page (``source_kind`` "document") is rendered from the PDF printed from
    its decoded text, named by the issue's ``issue_sha`` (printed again if the cache lost it)."""
    target = cache_path(cache_dir, page, size)
    if target.exists():
        return target
    key = target.name.rsplit("-", 1)[0]
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:  # one render per page even when many requests arrive at once
        if target.exists():
            return target
        image = _load(scans, page, source_kind, cache_dir, issue_sha)
        for name, width in SIZES.items():
            _write(_scaled(image, width), cache_path(cache_dir, page, name), JPEG_QUALITY[name])
    return target


def thumbnail_file(scans: Path, cache_dir: Path, page: Page, source_kind: str, *,
                   issue_sha: str = "") -> Path:
    """The cached thumbnail of ``page``, rendered alone at :data:`THUMB_RENDER_WIDTH` when
    missing (a PDF page drawn at ~45 dpi instead of ~240): what the build's ``images`` stage
    calls for every page. A later full render rewrites it from the large image."""
    target = cache_path(cache_dir, page, "thumb")
    if target.exists():
        return target
    key = target.name.rsplit("-", 1)[0]
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        if not target.exists():
            image = _load(scans, page, source_kind, cache_dir, issue_sha, width=THUMB_RENDER_WIDTH)
            _write(_scaled(image, SIZES["thumb"]), target, JPEG_QUALITY["thumb"])
    return target


# --- first views before work done ahead ----------------------------------------------------
# A page a reader is waiting for (its deep-zoom first view: webapp.tiles) counts as a first
# view while it renders; work done ahead (pages rendered ahead, a first view's full-size
# level) starts a render only when none is under way in this process. Why: on a 2-core
# server, an issue's pages rendered ahead at full size took the CPU and the pdfium lock from
# the first view a reader was waiting for (a cold deep-zoom view: 2.6 s median against 0.5 s
# without them, bench/web.py). A render already started is not interrupted.
_gate = threading.Condition()
_first_views = 0
QUIET_WAIT = 5.0  # seconds work ahead waits at most (a busy server still gets it done)


def first_view_begins() -> None:
    """A render a reader is waiting for begins (work ahead holds back until it ends); each
    call needs one :func:`first_view_ends`."""
    global _first_views
    with _gate:
        _first_views += 1


def first_view_ends() -> None:
    global _first_views
    with _gate:
        _first_views -= 1
        if not _first_views:
            _gate.notify_all()


@contextmanager
def first_view() -> Iterator[None]:
    """A render a reader is waiting for, as a ``with`` block."""
    first_view_begins()
    try:
        yield
    finally:
        first_view_ends()


def wait_quiet(timeout: float = QUIET_WAIT) -> bool:
    """Block until no first view is rendering in this process (True), or ``timeout`` (False)."""
    with _gate:
        return _gate.wait_for(lambda: _first_views == 0, timeout)


_ahead: set[str] = set()  # issues whose pages this process is rendering ahead now
_ahead_guard = threading.Lock()
_ahead_threads: set[threading.Thread] = set()
_stop_ahead = threading.Event()


def _finish_ahead() -> None:
    """At exit, let each render-ahead thread finish the page it is on, then stop it. Why: a
    daemon thread still inside pdfium after pypdfium2's exit handler destroyed the library
    crashed the process: ``bantin report --check`` on the full sample opens issue pages, said
    "0 faults" and exited with a segmentation fault (139), three times out of three."""
    _stop_ahead.set()
    for thread in list(_ahead_threads):
        thread.join(timeout=60)


# Run at the interpreter's threading shutdown, as concurrent.futures does for its workers:
# before the atexit handlers, one of which (pypdfium2's) destroys the pdfium library.
getattr(threading, "_register_atexit", atexit.register)(_finish_ahead)


def render_ahead(scans: Path, cache_dir: Path, pages: list[Page], source_kind: str, *,
                 issue_sha: str = "", first: int = 0) -> threading.Thread | None:
    """Render every size of ``pages`` (those not yet cached) in a background thread, the page
    at index ``first`` and those after it first. One thread per issue per process; a second
    call while it runs does nothing (None). A page that cannot be rendered is logged and
    skipped: the request for it will say so."""
    todo = [p for p in pages[first:] + pages[:first] if not cache_path(cache_dir, p, "view").exists()]
    if not todo:
        return None
    issue_id = todo[0].issue_id
    with _ahead_guard:
        if issue_id in _ahead:
            return None
        _ahead.add(issue_id)

    def run() -> None:
        try:
            for page in todo:
                if _stop_ahead.is_set():
                    break
                wait_quiet()  # a reader's first view first
                try:
                    page_image_file(scans, cache_dir, page, source_kind, "view", issue_sha=issue_sha)
                except Exception:  # noqa: BLE001  (one bad page must not stop the others)
                    log.warning("rendering page %s ahead failed", page.id, exc_info=True)
        finally:
            with _ahead_guard:
                _ahead.discard(issue_id)
                _ahead_threads.discard(threading.current_thread())

    thread = threading.Thread(target=run, name=f"render-ahead-{issue_id}", daemon=True)
    with _ahead_guard:
        _ahead_threads.add(thread)
    thread.start()
    return thread


def _source(scans: Path, page: Page) -> Path:
    root = scans.resolve()
    path = (root / page.file).resolve()
    if root not in path.parents:
        raise BadInput(page.file, "page source outside scans/", "check the catalog; re-run ingest")
    if not path.is_file():
        raise BadInput(path, "page source file is missing", "restore it or run `bantin ingest`")
    return path


def load_source(scans: Path, page: Page, source_kind: str, cache_dir: Path, issue_sha: str, *,
                width: int = RENDER_WIDTH, gray: bool = False) -> Image.Image:
    """The page as an "L" or "RGB" image, a PDF page rendered about ``width`` pixels wide (a
    scanned image comes at its own size); the deep-zoom tiles (:mod:`webapp.tiles`) share it.
    ``gray``: "L" (a PDF page drawn in grey by pdfium, several times cheaper than drawing it in
    colour and finding it grey; for a page already known to have no colour)."""
    return _load(scans, page, source_kind, cache_dir, issue_sha, width=width, gray=gray)


def _load(scans: Path, page: Page, source_kind: str, cache_dir: Path, issue_sha: str, *,
          width: int = RENDER_WIDTH, gray: bool = False) -> Image.Image:
    path = _source(scans, page)
    if source_kind == DOCUMENT_KIND:
        path = derived_pdf_path(cache_dir, issue_sha)
        if not path.is_file():
            path = ensure_pdf(_source(scans, page), cache_dir, issue_sha, name=page.file).pdf
    dpi = _dpi_for_width(page, width)

    image = load_page_image(str(path), source_kind, page.file_page, dpi, gray=gray)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    return image


def _dpi_for_width(page: Page, width_px: int) -> int:
    if page.width_pt:
        return max(36, min(400, round(width_px * 72 / page.width_pt)))
    return 200 if width_px >= RENDER_WIDTH else 72


def _scaled(image: Image.Image, width: int) -> Image.Image:
    if image.width <= width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _write(image: Image.Image, target: Path, quality: int) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".jpg")
    try:
        with os.fdopen(fd, "wb") as f:
            image.convert("RGB" if image.mode != "L" else "L").save(
                f, "JPEG", quality=quality, optimize=True, progressive=True)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
