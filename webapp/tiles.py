"""Deep-zoom tiles of a page: a pyramid of 512-pixel JPEG tiles cached under ``index/cache/tiles/``.

Why a pyramid made at once: a deep-zoom viewer asks for a dozen tiles at the first view and
more at every zoom; rendering the source (a 300 dpi PDF page or TIFF frame) each time would
cost a second per tile. The first request for any tile of a page renders the source once at
its full size (``page.width_px`` × ``page.height_px``, the pixels the words' boxes are
fractions of) and writes every tile of every level (scale factors 1, 2, 4, … until the page
fits in one tile): the small levels a first view needs first (then ``low.json``), the full-size
level and a master JPEG after, in the background (then ``meta.json``); a pyramid without its
marker is redone. The viewer starts this as it serves the page (:func:`prefetch`), then renders
the next page's first view ahead. A first view a reader waits for goes before work done ahead
(:func:`webapp.pageimage.first_view`): the full-size level and pages rendered ahead start a
render only when no first view is rendering, and the full-size level of a page whose first
view came out grey is drawn in grey (pdfium: several times faster than in colour).
Tiles are cut the way OpenSeadragon and other IIIF clients ask for them (level size
``ceil(full / factor)``), so they are served as files; any other region or size is computed
from the master once and cached under a name made of its numbers.

Why one module: who renders which level when (a first view, the full-size level, a page
rendered ahead) and the file lock and marker files that make it safe across threads and
processes are one protocol; split, each half would have to know the other's files and lock.

No request text reaches the file system: callers pass a catalog :class:`~archive.models.Page`
and integers already checked against the page size (:mod:`webapp.imageapi`); folder names are
the page's hex identity (:func:`webapp.pageimage.source_key`), file names are made of integers.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import math
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from archive.models import Page
from webapp import pageimage

TILE = 512  # pixels, square
TILE_QUALITY = 80
MASTER_QUALITY = 90
QUALITIES = ("default", "gray")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """Where a page's pixels come from (what :func:`webapp.pageimage.load_source` needs)."""

    scans: Path
    cache_dir: Path
    page: Page
    source_kind: str
    issue_sha: str = ""


@dataclass(frozen=True)
class Cut:
    """One image request in full-image pixels: a region and the output size."""

    x: int
    y: int
    w: int
    h: int
    out_w: int
    out_h: int
    quality: str = "default"


def scale_factors(width: int, height: int) -> list[int]:
    """1, 2, 4, … up to the first factor at which the whole page fits in one tile."""
    factors = [1]
    while math.ceil(width / factors[-1]) > TILE or math.ceil(height / factors[-1]) > TILE:
        factors.append(factors[-1] * 2)
    return factors


def folder(cache_dir: Path, page: Page) -> Path:
    key = pageimage.source_key(page)
    return cache_dir / "tiles" / key[:2] / key


def size_of(src: Source) -> tuple[int, int]:
    """The full image size in pixels: the catalog's, else (a page never measured) the render's."""
    if src.page.width_px > 0 and src.page.height_px > 0:
        return src.page.width_px, src.page.height_px
    meta = ensure_pyramid(src, full=False)
    return int(meta["width"]), int(meta["height"])


def ensure_pyramid(src: Source, *, full: bool = True, ahead: bool = False) -> dict[str, int]:
    """Render the page's pyramid unless it is there; ``meta.json``'s contents.

    ``full=False`` is enough for the tiles of scale factor 2 and up (a first view): those are
    written first, then ``low.json``, and the full-size level and the master follow in the
    background, keeping the page's lock (:func:`_finish_locked`). The lock is a file lock
    (``flock``), so the server's processes and threads render a page once between them; a
    process that died while rendering releases it, and the next request renders again.
    ``ahead``: the page is rendered for a reader who may open it next (the page after the one
    shown): its first view only, not counted as a first view a reader waits for, and without
    the full-size level (that follows when the page is opened or zoomed into).
    """
    target = folder(src.cache_dir, src.page)
    deadline = time.monotonic() + BUILD_TIMEOUT
    while True:
        meta = _read_meta(target / "meta.json") or (None if full else _read_meta(target / "low.json"))
        if meta is not None:
            return meta
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target.parent / f"{target.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another thread or process is rendering this page
            os.close(fd)
            if time.monotonic() > deadline:
                raise TimeoutError(f"tiles of {src.page.id} not rendered within {BUILD_TIMEOUT} s") from None
            time.sleep(0.01)
            continue
        handed_over = False
        try:
            if _read_meta(target / "meta.json") is None:
                image = None
                if _read_meta(target / "low.json") is None:
                    if ahead:
                        _build_low(src, target)
                        return _read_meta(target / "low.json") or {}
                    with pageimage.first_view():
                        image = _build_low(src, target)
                elif not full:
                    return _read_meta(target / "low.json") or {}
                _FINISH.submit(_finish_locked, src, target, image, fd)  # the job releases the lock
                handed_over = True
        finally:
            if not handed_over:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)


BUILD_TIMEOUT = 120.0  # seconds a request waits for another's render
_BACKGROUND = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tiles")


FINISH_NICE = 10


def _lower_priority() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), FINISH_NICE)  # this thread only (Linux)
    except (OSError, AttributeError):
        pass


# The full-size level is not needed for a first view. Its render waits until no first view is
# rendering and runs at the normal priority (it holds the pdfium lock, which a first view may
# need next: a thread of low priority holding it on a busy machine made the next first view
# wait seconds); cutting and writing its tiles, which need no lock, run in a thread of lower
# CPU priority, so a first view's tiles and pages go first.
_FINISH = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tiles-finish")
_CUT = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tiles-cut", initializer=_lower_priority)
_AHEAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tiles-ahead")


def prefetch(src: Source, ahead: list[Source] | None = None) -> None:
    """Start rendering a page's first-view tiles in the background (the viewer calls this
    while the browser loads the page), unless they are there, and its full-size level after;
    then the first-view tiles of ``ahead`` (the page a reader opens next), once no first view
    is rendering."""
    target = folder(src.cache_dir, src.page)
    todo = [a for a in ahead or [] if not (folder(a.cache_dir, a.page) / "low.json").exists()]
    if (target / "meta.json").exists() and not todo:
        return
    first = not (target / "low.json").exists()
    if first:
        pageimage.first_view_begins()  # counted from now: the request is on its way

    def run() -> None:
        try:
            if not (target / "meta.json").exists():
                ensure_pyramid(src, full=False)
                if (target / "low.json").exists() and not (target / "meta.json").exists():
                    _complete(src)
        except Exception as e:  # a request for a tile will meet and report the same fault
            log.info("tiles of %s not prefetched: %s", src.page.id, e)
        finally:
            if first:
                pageimage.first_view_ends()
        if todo:
            _AHEAD.submit(render_ahead, todo)

    try:
        _BACKGROUND.submit(run)
    except RuntimeError:  # the interpreter is shutting down
        if first:
            pageimage.first_view_ends()


def render_ahead(sources: list[Source]) -> None:
    """The first views of ``sources``, each once no first view is rendering (in its own
    thread: a first view must never queue behind work that waits for first views to end)."""
    for other in sources:
        try:
            pageimage.wait_quiet()
            ensure_pyramid(other, full=False, ahead=True)
        except Exception as e:  # noqa: BLE001  (the page's own request will say what is wrong)
            log.info("tiles of %s not rendered ahead: %s", other.page.id, e)


def _complete(src: Source) -> None:
    """Queue the full-size level of a page whose first view is there (rendered ahead, or left
    by a process that stopped), unless another thread or process holds the page's lock."""
    target = folder(src.cache_dir, src.page)
    fd = os.open(target.parent / f"{target.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # being rendered: that render finishes it
        os.close(fd)
        return
    if _read_meta(target / "meta.json") is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        return
    _FINISH.submit(_finish_locked, src, target, None, fd)


def _build_low(src: Source, target: Path) -> Image.Image | None:
    """Render the source; write the levels of scale factor 2 and up and ``low.json``; return
    the full-size image when the render was at full size (a scanned image), else None.

    A PDF page is rendered at half resolution for the small levels (a quarter of the pixels:
    the first view waits for this render only) and again at full size for the rest."""
    width, height = src.page.width_px, src.page.height_px
    half = _renders_half(src)
    if half:
        image = _render(src, (width + 1) // 2, (height + 1) // 2, gray=_thumbnail_is_gray(src))
        level, factors = image, scale_factors(width, height)[1:]
    else:
        image = _render(src, width, height)
        width, height = image.size
        level, factors = image, scale_factors(width, height)[1:]
    target.mkdir(parents=True, exist_ok=True)
    meta = {"width": width, "height": height, "tile": TILE}
    for k, factor in enumerate(factors):
        if k or not half:
            level = level.reduce(2)  # each level halves the one before: ceil(full / factor)
        _write_level(level, factor, target)
    _write_bytes(json.dumps(meta).encode(), target / "low.json")
    return None if half else image


def _thumbnail_is_gray(src: Source) -> bool:
    """Whether the page's thumbnail (drawn by the build's ``images`` stage, from the same
    source) came out grey: then the page has no colour and is drawn in grey."""
    try:
        with Image.open(pageimage.cache_path(src.cache_dir, src.page, "thumb")) as thumb:
            return thumb.mode == "L"
    except (OSError, ValueError):
        return False


def remove(cache_dir: Path, page: Page) -> None:
    """Delete a page's tiles, once no render of them is under way (under the page's lock, so
    a render in flight, such as the page rendered ahead, cannot leave tiles behind)."""
    target = folder(cache_dir, page)
    if not target.parent.is_dir():
        return
    fd = os.open(target.parent / f"{target.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        shutil.rmtree(target, ignore_errors=True)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _renders_half(src: Source) -> bool:
    return src.source_kind in ("pdf", "document") and src.page.width_px > TILE and src.page.height_px > TILE


def _render(src: Source, width: int, height: int, *, gray: bool = False) -> Image.Image:
    """The page at ``width`` × ``height`` pixels (its own size when the catalog has none)."""
    image = pageimage.load_source(src.scans, src.page, src.source_kind, src.cache_dir,
                                  src.issue_sha, width=width or pageimage.RENDER_WIDTH, gray=gray)
    if width <= 0 or height <= 0 or image.size == (width, height):
        return image
    if abs(image.width - width) <= 4 and abs(image.height - height) <= 4:
        # a render a pixel or two off the measured size: trim or pad (white), not resample
        canvas = Image.new(image.mode, (width, height), 255 if image.mode == "L" else (255, 255, 255))
        canvas.paste(image.crop((0, 0, min(width, image.width), min(height, image.height))), (0, 0))
        return canvas
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _finish_locked(src: Source, target: Path, image: Image.Image | None, fd: int) -> None:
    """Render the full-size level (unless ``image`` is it), then hand it to the thread of lower
    priority that writes it; the page's lock (``fd``) is released when it is written."""
    handed_over = False
    try:
        low = _read_meta(target / "low.json")
        if low is None:
            raise RuntimeError("no first-view levels to complete")
        if image is None:
            pageimage.wait_quiet()
            # a page whose first view came out grey is drawn in grey (pdfium: several times faster)
            image = _render(src, low["width"], low["height"], gray=_low_is_gray(target, low))
        _CUT.submit(_cut_locked, image, target, low, fd)
        handed_over = True
    except Exception:
        log.exception("tiles: the full-size level of %s was not written", src.page.id)
    finally:
        if not handed_over:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _low_is_gray(target: Path, low: dict[str, int]) -> bool:
    factors = scale_factors(low["width"], low["height"])
    try:
        with Image.open(target / f"t-{factors[-1]}-0-0.jpg") as tile:
            return tile.mode == "L"
    except OSError:
        return False


def _cut_locked(image: Image.Image, target: Path, meta: dict[str, int], fd: int) -> None:
    try:
        _write_level(image, 1, target)
        _write_jpeg(image, target / "master.jpg", MASTER_QUALITY)
        _write_bytes(json.dumps(meta).encode(), target / "meta.json")
    except Exception:
        log.exception("tiles: the full-size level was not written")
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _write_level(level: Image.Image, factor: int, target: Path) -> None:
    for j in range(math.ceil(level.height / TILE)):
        for i in range(math.ceil(level.width / TILE)):
            box = (i * TILE, j * TILE, min(level.width, (i + 1) * TILE), min(level.height, (j + 1) * TILE))
            _write_jpeg(level.crop(box), target / f"t-{factor}-{i}-{j}.jpg", TILE_QUALITY)


def tile_name(cut: Cut, width: int, height: int) -> str | None:
    """The pyramid file holding exactly ``cut`` (default quality), or None."""
    for factor in scale_factors(width, height):
        span = TILE * factor
        if cut.x % span or cut.y % span:
            continue
        if cut.w != min(span, width - cut.x) or cut.h != min(span, height - cut.y):
            continue
        i, j = cut.x // span, cut.y // span
        level_w, level_h = math.ceil(width / factor), math.ceil(height / factor)
        if (cut.out_w, cut.out_h) == (min(TILE, level_w - i * TILE), min(TILE, level_h - j * TILE)):
            return f"t-{factor}-{i}-{j}.jpg"
    return None


def image_file(src: Source, cut: Cut) -> Path:
    """A JPEG of exactly ``cut``: a pyramid tile, or one computed from the master and cached."""
    width, height = size_of(src)
    target = folder(src.cache_dir, src.page)
    name = tile_name(cut, width, height)
    if name is not None and cut.quality == "default":
        ensure_pyramid(src, full=name.startswith("t-1-"))
        path = target / name
        if path.is_file():
            return path
    meta = ensure_pyramid(src)
    width, height = int(meta["width"]), int(meta["height"])
    numbers = f"{cut.x},{cut.y},{cut.w},{cut.h},{cut.out_w},{cut.out_h},{QUALITIES.index(cut.quality)}"
    path = target / f"d-{hashlib.sha1(numbers.encode()).hexdigest()[:20]}.jpg"
    if path.is_file():
        return path
    with Image.open(target / "master.jpg") as master:
        scale = cut.out_w / cut.w
        master.draft(master.mode, (max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))))
        fx, fy = master.width / width, master.height / height
        box = (round(cut.x * fx), round(cut.y * fy), round((cut.x + cut.w) * fx),
               round((cut.y + cut.h) * fy))
        part = master.crop(box).resize((cut.out_w, cut.out_h), Image.Resampling.LANCZOS)
    if cut.quality == "gray":
        part = part.convert("L")
    _write_jpeg(part, path, TILE_QUALITY)
    return path


def _read_meta(path: Path) -> dict[str, int] | None:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("tile") != TILE:
        return None
    return {k: int(v) for k, v in meta.items()}


def _write_jpeg(image: Image.Image, target: Path, quality: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".jpg")
    try:
        with os.fdopen(fd, "wb") as f:
            image.convert("RGB" if image.mode not in ("RGB", "L") else image.mode).save(
                f, "JPEG", quality=quality)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_bytes(data: bytes, target: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
