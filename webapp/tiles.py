"""Deep-zoom tiles of a page: a pyramid of 512-pixel JPEG tiles cached under ``index/cache/tiles/``.

Why a pyramid made at once: a deep-zoom viewer asks for a dozen tiles at the first view and
more at every zoom; rendering the source (a 300 dpi PDF page or TIFF frame) each time would
cost a second per tile. The first request for any tile of a page renders the source once at
its full size (``page.width_px`` × ``page.height_px``, the pixels the words' boxes are
fractions of) and writes every tile of every level (scale factors 1, 2, 4, … until the page
fits in one tile): the small levels a first view needs first (then ``low.json``), the full-size
level and a master JPEG after, in the background (then ``meta.json``); a pyramid without its
marker is redone. The viewer starts this as it serves the page (:func:`prefetch`).
Tiles are cut the way OpenSeadragon and other IIIF clients ask for them (level size
``ceil(full / factor)``), so they are served as files; any other region or size is computed
from the master once and cached under a name made of its numbers.

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
import tempfile
import threading
import time
from collections.abc import Callable
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


def ensure_pyramid(src: Source, *, full: bool = True) -> dict[str, int]:
    """Render the page's pyramid unless it is there; ``meta.json``'s contents.

    ``full=False`` is enough for the tiles of scale factor 2 and up (a first view): those are
    written first, then ``low.json``, and the full-size level and the master follow in a
    background thread that keeps the page's lock. The lock is a file lock (``flock``), so the
    server's processes and threads render a page once between them; a process that died while
    rendering releases it, and the next request renders again.
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
            time.sleep(0.02)
            continue
        handed_over = False
        try:
            if _read_meta(target / "meta.json") is None and (
                    full or _read_meta(target / "low.json") is None):
                finish = _build_low(src, target)
                _FINISH.submit(_finish_locked, finish, fd)  # the thread releases the lock
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


# The full-size level is not needed for a first view: one thread, at a lower CPU priority, so a
# first view's tiles and pages go first on a busy server.
_FINISH = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tiles-finish", initializer=_lower_priority)


def prefetch(src: Source) -> None:
    """Start rendering a page's first-view tiles in the background (the viewer calls this
    while the browser loads the page), unless they are there."""
    target = folder(src.cache_dir, src.page)
    if (target / "low.json").exists() or (target / "meta.json").exists():
        return

    def run() -> None:
        try:
            ensure_pyramid(src, full=False)
        except Exception as e:  # a request for a tile will meet and report the same fault
            log.info("tiles of %s not prefetched: %s", src.page.id, e)

    _BACKGROUND.submit(run)


def _build_low(src: Source, target: Path) -> Callable[[], None]:
    """Render the source; write the levels of scale factor 2 and up and ``low.json``; return
    the work left (the full-size level, the master, ``meta.json``).

    A PDF page is rendered at half resolution for the small levels (a quarter of the pixels:
    the first view waits for this render only) and again at full size for the rest."""
    width, height = src.page.width_px, src.page.height_px
    half = src.source_kind in ("pdf", "document") and width > TILE and height > TILE
    if half:
        image = _render(src, (width + 1) // 2, (height + 1) // 2)
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

    def finish() -> None:
        full = _render(src, width, height) if half else image
        _write_level(full, 1, target)
        _write_jpeg(full, target / "master.jpg", MASTER_QUALITY)
        _write_bytes(json.dumps(meta).encode(), target / "meta.json")

    return finish


def _render(src: Source, width: int, height: int) -> Image.Image:
    """The page at ``width`` × ``height`` pixels (its own size when the catalog has none)."""
    image = pageimage.load_source(src.scans, src.page, src.source_kind, src.cache_dir,
                                  src.issue_sha, width=width or pageimage.RENDER_WIDTH)
    if width <= 0 or height <= 0 or image.size == (width, height):
        return image
    if abs(image.width - width) <= 4 and abs(image.height - height) <= 4:
        # a render a pixel or two off the measured size: trim or pad (white), not resample
        canvas = Image.new(image.mode, (width, height), 255 if image.mode == "L" else (255, 255, 255))
        canvas.paste(image.crop((0, 0, min(width, image.width), min(height, image.height))), (0, 0))
        return canvas
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _finish_locked(finish: Callable[[], None], fd: int) -> None:
    try:
        finish()
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
