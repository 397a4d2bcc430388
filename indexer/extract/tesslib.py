"""Tesseract's own library (``libtesseract``, its C API) in this process, through ctypes.

Why: the ``tesseract`` program loads its model from disk on every page (0.13-0.17 s of CPU
for ``vie``, 0.3 s for ``vie+Vietnamese``, measured on this machine) and is handed the page
through a temporary file. A worker that keeps one :class:`Reader` per model pays that once.
The library is the one the program runs (Debian's ``libtesseract5``, a dependency of
``tesseract-ocr``), driven the way the program drives it: the same initialisation, psm,
``-c`` parameters, resolution and TSV output, so a page reads the same words, boxes and
confidences either way (``tests/test_tesslib.py`` compares them on real pages).

No compiled binding is needed (the C API is stable and small); ``ctypes`` is in the standard
library. A page's time limit is Tesseract's own monitor deadline; a page that hangs outside
recognition is caught by the extract stage's pool, as with the program.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import threading
import time
from dataclasses import dataclass

LIBRARY = "libtesseract.so.5"  # Debian bookworm's libtesseract5 (Tesseract 5.x)


class LibraryMissing(RuntimeError):
    """The Tesseract library cannot be loaded or initialised (the caller may use the program)."""


class ReadFailed(RuntimeError):
    """Tesseract's library did not finish a page (``timed_out``: its deadline passed)."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


_lib: ctypes.CDLL | None = None
_lib_error = ""
_load_lock = threading.Lock()


def _bind(lib: ctypes.CDLL) -> None:
    """Declare the C API's signatures (capi.h); ctypes would otherwise truncate pointers."""
    p, c, i = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    sig: dict[str, tuple[object, list[object]]] = {
        "TessVersion": (c, []),
        "TessBaseAPICreate": (p, []),
        "TessBaseAPIDelete": (None, [p]),
        "TessBaseAPIInit4": (i, [p, c, c, i, ctypes.POINTER(c), i, ctypes.POINTER(c),
                                 ctypes.POINTER(c), ctypes.c_size_t, ctypes.c_bool]),
        "TessBaseAPISetPageSegMode": (None, [p, i]),
        "TessBaseAPISetVariable": (ctypes.c_bool, [p, c, c]),
        "TessBaseAPISetImage": (None, [p, c, i, i, i, i]),
        "TessBaseAPISetSourceResolution": (None, [p, i]),
        "TessBaseAPIRecognize": (i, [p, p]),
        "TessBaseAPIGetTsvText": (p, [p, i]),
        "TessDeleteText": (None, [p]),
        "TessBaseAPIClear": (None, [p]),
        "TessBaseAPIEnd": (None, [p]),
        "TessMonitorCreate": (p, []),
        "TessMonitorDelete": (None, [p]),
        "TessMonitorSetDeadlineMSecs": (None, [p, i]),
    }
    for name, (restype, argtypes) in sig.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


def library() -> ctypes.CDLL:
    """The loaded library; raises LibraryMissing naming the package to install."""
    global _lib, _lib_error
    with _load_lock:
        if _lib is None and not _lib_error:
            # one thread per page, as for the program (set before libgomp starts)
            os.environ["OMP_THREAD_LIMIT"] = "1"
            try:
                try:
                    lib = ctypes.CDLL(LIBRARY)
                except OSError:  # another build: whatever the linker knows as libtesseract
                    lib = ctypes.CDLL(ctypes.util.find_library("tesseract") or LIBRARY)
                _bind(lib)
                _lib = lib
            except (OSError, AttributeError) as e:
                _lib_error = f"cannot load {LIBRARY} ({e}): install libtesseract5 " \
                             "(sudo apt-get install -y tesseract-ocr)"
        if _lib is None:
            raise LibraryMissing(_lib_error)
        return _lib


def version() -> str:
    """The library's version, e.g. ``5.3.0``."""
    return (library().TessVersion() or b"").decode("ascii", "replace")


@dataclass
class Reader:
    """One initialised Tesseract (a model, or models joined by ``+``, and an engine mode),
    kept for the life of the process and reused page after page. Not shared between threads
    at once (a lock serialises pages)."""

    lang: str
    oem: int
    datapath: str = ""  # the folder of the language packs ("": the library's own default)
    handle: int = 0
    cpu_seconds: float = 0.0  # this process's CPU in Tesseract's reads (bench/ocr.py reports it)

    def __post_init__(self) -> None:
        lib = library()
        self.lock = threading.Lock()
        handle = lib.TessBaseAPICreate()
        if not handle:
            raise LibraryMissing("Tesseract's library could not create an API object")
        # Tesseract's messages (e.g. the Vietnamese model's "Detected 48 diacritics") would
        # go to this process's stderr, between the pipeline's own lines; the program's went
        # to pytesseract, which dropped them. Failures are seen by their status instead.
        names = (ctypes.c_char_p * 1)(b"debug_file")
        values = (ctypes.c_char_p * 1)(os.devnull.encode())
        status = lib.TessBaseAPIInit4(handle, self.datapath.encode() or None, self.lang.encode(),
                                      self.oem, None, 0, names, values, 1, False)
        if status != 0:
            lib.TessBaseAPIDelete(handle)
            raise LibraryMissing(f"Tesseract's library cannot load '{self.lang}'")
        lib.TessBaseAPISetVariable(handle, b"debug_file", os.devnull.encode())
        self.handle = handle

    def read_tsv(self, pixels: bytes, width: int, height: int, dpi: int, psm: int,
                 params: dict[str, str], timeout: float = 0.0) -> str:
        """Read one 8-bit grey page (``width`` × ``height`` bytes, rows top down) and return
        Tesseract's TSV, as ``tesseract IMG OUT --dpi DPI --psm PSM -c K=V tsv`` writes it.
        Every parameter in ``params`` is set before each page (none carries over from the
        page before). Raises ReadFailed."""
        if len(pixels) != width * height:
            raise ReadFailed(f"image of {len(pixels)} bytes is not {width}x{height} grey")
        lib = library()
        with self.lock:
            h = self.handle
            lib.TessBaseAPISetPageSegMode(h, psm)
            lib.TessBaseAPISetVariable(h, b"user_defined_dpi", str(dpi).encode())
            for name, value in sorted(params.items()):
                if not lib.TessBaseAPISetVariable(h, name.encode(), str(value).encode()):
                    raise ReadFailed(f"Tesseract has no parameter '{name}'")
            lib.TessBaseAPISetImage(h, pixels, width, height, 1, width)
            lib.TessBaseAPISetSourceResolution(h, dpi)
            started, cpu = time.monotonic(), time.process_time()
            monitor = lib.TessMonitorCreate()
            try:
                if timeout > 0:
                    lib.TessMonitorSetDeadlineMSecs(monitor, max(1, int(timeout * 1000)))
                status = lib.TessBaseAPIRecognize(h, monitor)
                if status != 0:
                    late = timeout > 0 and time.monotonic() - started >= timeout
                    raise ReadFailed(f"Tesseract stopped (status {status})", timed_out=late)
                text = lib.TessBaseAPIGetTsvText(h, 0)
                try:
                    tsv = ctypes.string_at(text).decode("utf-8", "replace") if text else ""
                finally:
                    if text:
                        lib.TessDeleteText(text)
            finally:
                lib.TessMonitorDelete(monitor)
                lib.TessBaseAPIClear(h)
                self.cpu_seconds += time.process_time() - cpu
        return tsv

    def close(self) -> None:
        if self.handle:
            lib = library()
            lib.TessBaseAPIEnd(self.handle)
            lib.TessBaseAPIDelete(self.handle)
            self.handle = 0


_readers: dict[tuple[str, int, str], Reader] = {}
_readers_lock = threading.Lock()


def reader(lang: str, oem: int, datapath: str = "") -> Reader:
    """This process's reader for a model and engine mode (made on first use, then kept)."""
    with _readers_lock:
        found = _readers.get((lang, oem, datapath))
        if found is None:
            found = _readers[(lang, oem, datapath)] = Reader(lang, oem, datapath)
        return found


def cpu_seconds() -> float:
    """CPU seconds this process has spent in Tesseract's reads (recognition and output), over
    all its readers: what a benchmark sets beside the whole page's time."""
    with _readers_lock:
        return sum(r.cpu_seconds for r in _readers.values())


@atexit.register
def close_all() -> None:
    """End every reader before the library's own static caches are torn down at exit
    (otherwise Tesseract prints a "LEAK!" warning per dictionary)."""
    with _readers_lock:
        for found in _readers.values():
            found.close()
        _readers.clear()
