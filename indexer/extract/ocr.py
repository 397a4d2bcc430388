"""OCR: an engine Protocol and the Tesseract engine, and :func:`ocr_page` for the extract stage.

One Tesseract reading per page, in TSV (levels page/block/par/line/word): every word with its
box, confidence and block/paragraph/line numbers, and the page text is rebuilt from those rows,
so text, words and confidences always agree. Tesseract runs as its library in the worker
(:class:`TesseractLibrary`, :mod:`indexer.extract.tesslib`: each model loaded once per worker)
or, with ``ocr_engine = "command"``, as the ``tesseract`` program once per page
(:class:`TesseractEngine`); both read the same words, so the settings key does not name the
engine. A page is read twice only when Sauvola, chosen for uneven
light, read it with little confidence (:data:`SAUVOLA_RETRY_CONF`): Otsu reads it again and
the more confident read is kept.

Choices, measured on the sample archive with ``bench/ocr.py`` (README, "OCR benchmark"):

* ``vie`` alone (issue 2 measured: adding ``eng`` gained nothing and cost 13 % more time);
* ``--oem 1`` (LSTM) and ``--psm 3`` (automatic layout): ``--psm 6`` or ``4`` read across the
  columns of two-column pages (20-25 % CER on them, against 0.3-2 %); the poor copies that
  lost whole blocks under psm 3 are fixed by deskewing first (``indexer.extract.preprocess``);
* Tesseract's thresholding per page: its default Otsu once ``indexer.extract.preprocess`` has
  flattened the light, Sauvola (``thresholding_method=2``) where the light was uneven (phone
  photos: 1.1 % → 0.6 % CER; on other scans it did no better, on old copies worse); adaptive
  Otsu (1) was worse everywhere and 3-5x slower;
* ``textord_heavy_nr=1`` on noisy pages (old copies: 5.0 % → 3.6 % CER; on clean scans it
  costs 0.5 %);
* :mod:`indexer.extract.ocrfix` tidies the words (Unicode, dashes, specks of toner, *chi bộ*);
* :mod:`indexer.extract.ocrorder` puts Tesseract's paragraphs in reading order again (a
  contents entry keeps its page number, a colophon comes after the column above it): 300-dpi
  pages 0.44 % → 0.21 % CER on seed 1, photos 1.24 % → 0.71 %;
* :mod:`indexer.extract.ocrmarks`, on phone photos only: marks read as words dropped (a column
  of marks read as a vertical line, a rule as a flat word) and a contents page's numbers read
  again from their strip, one extra small Tesseract run on such a page only: seed 1's photos
  0.74 % → 0.27 % CER (raw OCR) with reading order v2;
* ``OMP_THREAD_LIMIT=1``: Tesseract's own threads make parallel pages 5-25x slower;
* the program gets the page as an uncompressed PGM file (PNG costs 0.1-0.5 s a page); the
  library gets its pixels in memory.

Every option that changes the output, the Tesseract version and the preprocessing version
are in :func:`settings_key`, so a page is redone exactly when one of them changes.

Test seam: the program engine runs the ``tesseract`` found on ``PATH`` (as pytesseract does);
tests put a script named ``tesseract`` first on ``PATH`` to make a page hang or fail, and read
with ``ocr_engine = "command"``.

Why one module of about 500 lines: the Tesseract wrapper, the reading chosen per page condition
and the temporary folders it runs in are one external program's seam (OCRmyPDF keeps the same in
one module); the settings key covers all of it.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from PIL import Image

from archive.config import CHOICES
from archive.errors import ConfigError, MissingDependency, OcrFailure
from archive.models import OcrSettings, PageResult, PageTask, Word
from archive.vntext import nfc
from indexer.extract import ocrcorrect, ocrfix, ocrmarks, ocrorder, preprocess, tesslib
from indexer.extract.render import load_page_image

log = logging.getLogger(__name__)

ENGINE = "tesseract"
INSTALL_HINT = ("install tesseract-ocr and tesseract-ocr-vie "
                "(sudo apt-get install -y tesseract-ocr tesseract-ocr-vie)")

# Tesseract options and their defaults; OcrSettings.extra may override any of them (and the
# preprocessing switches below). Every one is part of the settings key.
DEFAULT_OPTIONS: dict[str, str] = {
    "psm": "3",  # automatic page segmentation, no orientation detection
    "oem": "1",  # LSTM only (Debian's vie is the fast integer LSTM model)
    # 0 Otsu, 1 adaptive Otsu, 2 Sauvola; auto: Sauvola where the light was uneven
    "thresholding_method": "auto",
    # Tesseract's heavy noise reduction; auto: on where the paper is noisy (old copies)
    "textord_heavy_nr": "auto",
    "fixes": ocrfix.VERSION,  # indexer.extract.ocrfix rules; "0" turns them off
    # model(s) and --psm per detected page condition (CONDITION_PROFILES); "fixed": the
    # configured language and psm on every page
    "profile": "auto",
    "corrector": ocrcorrect.VERSION,  # post-OCR correction (indexer.extract.ocrcorrect); "0": none
    "order": ocrorder.VERSION,  # reading order again (indexer.extract.ocrorder); "0": Tesseract's
    # on phone photos: marks read as words dropped, a contents page's numbers read again
    # (indexer.extract.ocrmarks); "0": kept as read
    "marks": ocrmarks.VERSION,
}
# What each detected page condition (page_condition) is read with when profile=auto and the
# configured language is the default: measured with bench/ocr_modes.py (README).
DEFAULT_LANG = "vie"
# "psm1col": the psm for a page of one column (preprocess.single_column), when it differs.
CONDITION_PROFILES: dict[str, dict[str, str]] = {
    "clean": {"lang": "vie", "psm": "3"},
    "copy": {"lang": "vie+Vietnamese", "psm": "3", "psm1col": "4"},
    "photo": {"lang": "vie", "psm": "3"},
}
NOISY_PAGE = preprocess.QUIET_NOISE  # grey levels of paper noise (preprocess.noise_level) from which auto NR is on
UNEVEN_LIGHT = 60.0  # background spread (preprocess.flatten) from which auto Sauvola is on
# Below this mean word confidence an auto-Sauvola read is suspect: read again with Otsu and
# keep the more confident (on three samples' 69 photos every good read was above 89; one
# page Sauvola turned to grain read at 84 with 60 % CER, where Otsu gave 1.4 %)
SAUVOLA_RETRY_CONF = 88.0
PREP_OPTIONS = ("flatten", "stretch", "deskew", "upscale_below", "denoise")
TESSERACT_PARAMS = ("thresholding_method", "textord_heavy_nr")


# --- values -------------------------------------------------------------------------------

@dataclass(frozen=True)
class OcrWord:
    """One word as the engine saw it, in pixels of the image it was given."""

    text: str
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 pixels
    conf: float  # 0..100
    block: int  # paragraph-level text region, 1-based, in reading order
    line: int  # 1-based within the page, in reading order
    line_height: int  # pixels, the height of the word's line box


@dataclass(frozen=True)
class Recognition:
    words: tuple[OcrWord, ...]
    text: str  # NFC, lines joined by "\n", a blank line between blocks
    confidence: float  # mean word confidence, 0..100 (0 when no words)


class OcrEngine(Protocol):
    """What the extract stage needs of an OCR engine (Tesseract today, others later)."""

    name: str

    @property
    def version(self) -> str: ...

    def recognize(self, image: Image.Image, dpi: float, settings: OcrSettings, *,
                  where: str = "page", params: dict[str, str] | None = None) -> Recognition:
        """Read ``image`` (mode "L", ``dpi`` dots per inch) once; ``where`` names the page in
        errors; ``params`` are engine parameters decided for this page. Raises
        MissingDependency or OcrFailure."""
        ...


# --- options ------------------------------------------------------------------------------

def options(settings: OcrSettings) -> dict[str, str]:
    """The effective options: defaults overridden by ``settings.extra``."""
    merged = dict(DEFAULT_OPTIONS)
    prep = preprocess.PrepOptions()
    merged.update({"flatten": str(int(prep.flatten)), "stretch": str(int(prep.stretch)),
                   "deskew": str(int(prep.deskew)), "upscale_below": f"{prep.upscale_below:g}",
                   "denoise": str(int(prep.denoise))})
    merged.update({str(k): str(v) for k, v in settings.extra})
    return merged


def prep_options(settings: OcrSettings) -> preprocess.PrepOptions:
    opts = options(settings)
    return preprocess.PrepOptions(
        flatten=opts["flatten"] == "1", stretch=opts["stretch"] == "1",
        deskew=opts["deskew"] == "1", upscale_below=float(opts["upscale_below"]),
        denoise=opts["denoise"] == "1")


def settings_key(settings: OcrSettings, *, unordered: bool = False) -> str:
    """Engine, version, language, dpi, every option and the preprocessing version.
    ``unordered``: the key the same read had before the reading order was put right (no
    ``order`` option: Tesseract's own order), which :func:`reorder_stored` re-derives from.

    Raises MissingDependency when Tesseract or the language pack is not installed.
    """
    engine = TesseractEngine()
    engine.check_languages(settings.lang)
    opts = options(settings)
    if unordered:
        del opts["order"]
    tess = ";".join(f"{k}={opts[k]}" for k in sorted(opts) if k not in PREP_OPTIONS)
    prep = prep_options(settings).key()
    auto = (f"auto=nr@{NOISY_PAGE:g},sauvola@{UNEVEN_LIGHT:g},"  # what "auto" decides by
            f"otsu-again@{SAUVOLA_RETRY_CONF:g}")
    if profiled(settings):
        for profile in CONDITION_PROFILES.values():
            engine.check_languages(profile["lang"])
        auto += ";conditions=" + ",".join(
            f"{cond}:{p['lang']}/psm{p['psm']}" + (f"/1col-psm{p['psm1col']}" if "psm1col" in p
                                                   else "")
            for cond, p in sorted(CONDITION_PROFILES.items())) + f"@cols{preprocess.COLUMNS_VERSION}"
    return f"{engine.version};lang={settings.lang};dpi={settings.dpi};{tess};{auto};prep={prep}"


def profiled(settings: OcrSettings) -> bool:
    """Whether the model and psm are chosen per page condition (CONDITION_PROFILES): with
    profile=auto and the default language; a configured language is used on every page."""
    return options(settings)["profile"] == "auto" and settings.lang == DEFAULT_LANG


def page_reading(settings: OcrSettings, prepared: preprocess.Prepared) -> tuple[str, str]:
    """(Tesseract language(s), psm) for a prepared page: its condition's profile."""
    psm = options(settings)["psm"]
    if not profiled(settings):
        return settings.lang, psm
    profile = CONDITION_PROFILES.get(page_condition(prepared), CONDITION_PROFILES["clean"])
    if "psm" in dict(settings.extra):  # a psm set in the configuration wins
        return profile["lang"], psm
    if "psm1col" in profile and preprocess.single_column(prepared.image, prepared.dpi):
        return profile["lang"], profile["psm1col"]
    return profile["lang"], profile["psm"]


def page_condition(prepared: preprocess.Prepared) -> str:
    """The page's condition, from what preprocessing measured: "photo" (uneven light, as a
    phone photo), "copy" (a noisy photocopy or typewriter page), or "clean"."""
    if prepared.meta.get("background_spread", 0.0) >= UNEVEN_LIGHT:
        return "photo"
    if prepared.meta.get("noise", 0.0) >= NOISY_PAGE:
        return "copy"
    return "clean"


def page_params(settings: OcrSettings, prepared: preprocess.Prepared) -> dict[str, str]:
    """Tesseract's -c parameters for one page: the "auto" options decided from what
    preprocessing measured (paper noise, unevenness of the light)."""
    opts = options(settings)
    thresholding = opts["thresholding_method"]
    if thresholding == "auto":
        uneven = prepared.meta.get("background_spread", 0.0) >= UNEVEN_LIGHT
        thresholding = "2" if uneven else "0"
    heavy = opts["textord_heavy_nr"]
    if heavy == "auto":
        heavy = "1" if prepared.meta.get("noise", 0.0) >= NOISY_PAGE else "0"
    return {"thresholding_method": thresholding, "textord_heavy_nr": heavy}


def page_choice(settings: OcrSettings, prepared: preprocess.Prepared) -> dict[str, str]:
    """Everything decided for one page: its condition's model and psm (``lang``, ``psm``)
    and the Tesseract -c parameters of :func:`page_params`."""
    lang, psm = page_reading(settings, prepared)
    return {"lang": lang, "psm": psm, **page_params(settings, prepared)}


# --- Tesseract ----------------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def _tesseract_info(command: str) -> tuple[str, frozenset[str]]:
    """(version line, installed languages) of the ``tesseract`` on PATH; cached per process."""
    exe = shutil.which(command)
    if exe is None:
        raise MissingDependency(f"Tesseract is not installed: {INSTALL_HINT}")
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60,
                             check=False)
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True,
                               timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise MissingDependency(f"Tesseract cannot be run ({e}): {INSTALL_HINT}") from e
    version = (out.stdout or out.stderr).strip().splitlines()
    if not version or not version[0].lower().startswith("tesseract"):
        raise MissingDependency(f"'{exe} --version' did not answer as Tesseract: {INSTALL_HINT}")
    names = frozenset(line.strip() for line in (langs.stdout + langs.stderr).splitlines()[1:]
                      if line.strip() and " " not in line.strip())
    return version[0].strip(), names


def language_files(settings: OcrSettings) -> dict[str, str]:
    """sha256 of each language pack file the settings read, by language name. The settings key
    names languages, not their files: two machines with other 'vie' packs read differently, so
    a queue worker compares these with the coordinator's before taking pages."""
    langs = set(settings.lang.split("+"))
    if profiled(settings):
        for profile in CONDITION_PROFILES.values():
            langs.update(profile["lang"].split("+"))
    folder = _tessdata_folder(TesseractEngine.command)
    found = {}
    for name in sorted(code for code in langs if code):
        path = os.path.join(folder, f"{name}.traineddata")
        try:
            with open(path, "rb") as f:
                found[name] = hashlib.file_digest(f, "sha256").hexdigest()
        except OSError:
            found[name] = "missing"
    return found


@functools.lru_cache(maxsize=4)
def _tessdata_folder(command: str) -> str:
    """The folder Tesseract reads language packs from (first line of ``--list-langs``)."""
    exe = shutil.which(command) or command
    out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=60,
                         check=False)
    first = (out.stdout + out.stderr).splitlines()[:1]
    match = re.search(r'"([^"]+)"', first[0]) if first else None
    return match.group(1) if match else os.environ.get("TESSDATA_PREFIX", "")


class TesseractEngine:
    """Tesseract the program, through pytesseract: one process per page, one thread per
    process. The fault-injection seam of the tests (a ``tesseract`` script first on PATH), and
    the engine where the library cannot be loaded (:class:`TesseractLibrary`)."""

    name = ENGINE
    command = "tesseract"

    @property
    def version(self) -> str:
        return _tesseract_info(self.command)[0]

    def check_languages(self, lang: str) -> None:
        """Raise MissingDependency naming the Debian package of any missing language."""
        installed = _tesseract_info(self.command)[1]
        for code in lang.split("+"):
            if code and code not in installed:
                package = language_package(code)
                raise MissingDependency(
                    f"Tesseract has no '{code}' language data: install {package} "
                    f"(sudo apt-get install -y {package})")

    def recognize(self, image: Image.Image, dpi: float, settings: OcrSettings, *,
                  where: str = "page", params: dict[str, str] | None = None) -> Recognition:
        opts = options(settings)
        params = dict(params or {})
        lang = params.pop("lang", settings.lang)
        psm = params.pop("psm", opts["psm"])
        self.check_languages(lang)
        for name in TESSERACT_PARAMS:
            if name not in params:
                params[name] = opts[name] if opts[name] != "auto" else "0"
        tsv = self.read_tsv(image.convert("L"), round(dpi), lang, psm, opts["oem"], params,
                            settings, where)
        return parse_tsv(tsv, fixes=opts["fixes"] != "0", order=opts["order"] != "0",
                         one_column=one_column(psm))

    def read_tsv(self, image: Image.Image, dpi: int, lang: str, psm: str, oem: str,
                 params: dict[str, str], settings: OcrSettings, where: str) -> str:
        """Tesseract's TSV of one grey page, as ``tesseract IMG OUT --psm --oem --dpi -c… tsv``
        writes it."""
        import pytesseract

        os.environ["OMP_THREAD_LIMIT"] = "1"  # pytesseract hands os.environ to tesseract
        config = f"--psm {psm} --oem {oem} --dpi {dpi}"
        config += "".join(f" -c {k}={v}" for k, v in sorted(params.items()))
        with tempfile.TemporaryDirectory(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=_temp_root()) as tmp:
            # uncompressed PGM: written in a millisecond, where PNG costs 0.1-0.5 s a page
            source = Path(tmp) / "page.pgm"
            image.save(source, "PPM")
            try:
                return str(pytesseract.image_to_data(str(source), lang=lang, config=config,
                                                     timeout=settings.timeout or 0))
            except pytesseract.TesseractNotFoundError as e:
                raise MissingDependency(f"Tesseract is not installed: {INSTALL_HINT}") from e
            except RuntimeError as e:
                if "timeout" in str(e).lower():
                    raise OcrFailure(where, f"Tesseract timed out after {settings.timeout:g} s",
                                     "check the scan, or raise ocr_timeout") from e
                raise OcrFailure(where, f"Tesseract failed ({e})", "check the scan") from e
            except pytesseract.TesseractError as e:
                message = str(e.message if hasattr(e, "message") else e).strip()
                if "loading language" in message.lower():
                    raise MissingDependency(
                        f"Tesseract cannot load '{lang}': install "
                        f"{language_package(lang.split('+')[0])}") from e
                raise OcrFailure(where, f"Tesseract failed (status {e.status}: {message[:300]})",
                                 "check the scan") from e


class TesseractLibrary(TesseractEngine):
    """The same Tesseract through its library in this process (:mod:`indexer.extract.tesslib`):
    each model is loaded once per worker instead of once per page, and the page is handed
    over in memory. Same words, boxes and confidences as the program; same settings key."""

    def read_tsv(self, image: Image.Image, dpi: int, lang: str, psm: str, oem: str,
                 params: dict[str, str], settings: OcrSettings, where: str) -> str:
        try:
            reader = tesslib.reader(lang, int(oem), _tessdata_folder(self.command))
            rows = reader.read_tsv(image.tobytes(), image.width, image.height, dpi, int(psm),
                                   params, timeout=settings.timeout or 0)
        except tesslib.LibraryMissing as e:
            raise MissingDependency(f"{e}: install {language_package(lang.split('+')[0])}") from e
        except tesslib.ReadFailed as e:
            if e.timed_out:
                raise OcrFailure(where, f"Tesseract timed out after {settings.timeout:g} s",
                                 "check the scan, or raise ocr_timeout") from e
            raise OcrFailure(where, f"Tesseract failed ({e})", "check the scan") from e
        return TSV_HEADER + rows


# --- temporary folders ---------------------------------------------------------------------
# Each Tesseract run reads the page from a temporary folder (a few MB). A worker killed mid-page
# (kill -9, a crash, a hung page's pool restart) cannot delete its folder, so the folders live
# in the home's cache (``index/cache/tmp``, set by the pipeline) rather than the system's
# temporary folder, named with the worker's pid, and :func:`clean_temp` deletes those of
# processes that are gone at the start of the next run.

TEMP_PREFIX = "bantin-ocr-"
_temp_dir: str | None = None  # set per process by set_temp_root (the pool's initializer)


def set_temp_root(path: str | os.PathLike[str] | None) -> None:
    """Where this process's Tesseract runs put their temporary folders (None: the system's)."""
    global _temp_dir
    _temp_dir = str(path) if path is not None else None


def _temp_root() -> str | None:
    if _temp_dir is not None:
        os.makedirs(_temp_dir, exist_ok=True)
    return _temp_dir


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, killed but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust kill()
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def clean_temp(root: str | os.PathLike[str]) -> list[str]:
    """Delete the temporary folders under ``root`` left by OCR workers that no longer run;
    returns their names. Folders of running processes (another run) are kept."""
    folder = Path(root)
    if not folder.is_dir():
        return []
    removed = []
    for path in folder.iterdir():
        if not path.name.startswith(TEMP_PREFIX) or not path.is_dir() or path.is_symlink():
            continue
        pid_text = path.name[len(TEMP_PREFIX):].split("-", 1)[0]
        if pid_text.isdigit() and _alive(int(pid_text)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return removed
def language_package(code: str) -> str:
    """Debian's package of a Tesseract language (or script) model."""
    return "tesseract-ocr-script-viet" if code == "Vietnamese" else f"tesseract-ocr-{code}"


ENGINE_MODES = CHOICES["ocr_engine"]
_engine_mode = "library"  # set per process by set_engine_mode (from the ocr_engine setting)


def set_engine_mode(mode: str) -> None:
    """How this process runs Tesseract: "library" (in process, a model loaded once) or
    "command" (the ``tesseract`` program once per page)."""
    global _engine_mode
    if mode not in ENGINE_MODES:
        raise ConfigError(f"ocr_engine = '{mode}' is not one of {', '.join(ENGINE_MODES)}")
    _engine_mode = mode


def get_engine(name: str = ENGINE) -> OcrEngine:
    """The engine this process reads with: Tesseract's library unless ``ocr_engine`` says
    "command", or the library cannot be loaded or is another version than the program (then
    the program, with one warning)."""
    if name != ENGINE:
        raise MissingDependency(f"unknown OCR engine '{name}'; available: {ENGINE}")
    if _engine_mode == "library" and _library_usable():
        return TesseractLibrary()
    return TesseractEngine()


@functools.lru_cache(maxsize=1)
def _library_usable() -> bool:
    try:
        program = _tesseract_info(TesseractEngine.command)[0]
        library = tesslib.version()
    except tesslib.LibraryMissing as e:
        log.warning("Tesseract's library is not usable (%s); reading with the program", e)
        return False
    if program.split()[-1] != library:
        log.warning("Tesseract's library is %s but the program is %s; reading with the program "
                    "so that the settings key stays true", library, program)
        return False
    return True


# --- TSV → words and text -----------------------------------------------------------------

TSV_HEADER = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\t"
              "height\tconf\ttext\n")  # what Tesseract's TSV renderer writes first

def parse_tsv(tsv: str, *, fixes: bool = True, order: bool = True,
              one_column: bool = False) -> Recognition:
    """Tesseract's TSV (levels page/block/par/line/word) → words, text and mean confidence.

    Blocks here are Tesseract's paragraphs, numbered in reading order: Tesseract's, corrected
    by :mod:`indexer.extract.ocrorder` when ``order`` (a paragraph above another in the same
    column first, a contents entry's page number on its line); text gets a blank line between
    them. Rows with
    confidence -1 (structure rows, or words Tesseract gave up on) carry no word. Words are
    cleaned by :mod:`indexer.extract.ocrfix` (always Unicode; the other rules when ``fixes``).
    """
    rows = tsv.splitlines()
    if not rows:
        return Recognition((), "", 0.0)
    header = rows[0].split("\t")
    col = {name: i for i, name in enumerate(header)}
    needed = ("level", "block_num", "par_num", "line_num", "left", "top", "width", "height",
              "conf", "text")
    if any(name not in col for name in needed):
        raise OcrFailure("tesseract", f"unexpected TSV header {header!r}",
                         "check the Tesseract installation (5.x expected)")
    line_heights: dict[tuple[int, int, int], int] = {}
    raw: list[tuple[tuple[int, int, int], str, tuple[int, int, int, int], float]] = []
    for row in rows[1:]:
        cells = row.split("\t")
        if len(cells) < len(header) - 1:
            continue
        if len(cells) < len(header):
            cells.append("")
        try:
            level = int(cells[col["level"]])
            key = (int(cells[col["block_num"]]), int(cells[col["par_num"]]),
                   int(cells[col["line_num"]]))
            left, top = int(cells[col["left"]]), int(cells[col["top"]])
            width, height = int(cells[col["width"]]), int(cells[col["height"]])
            conf = float(cells[col["conf"]])
        except ValueError:
            continue
        if level == 4:
            line_heights[key] = height
        elif level == 5 and conf >= 0:
            text = ocrfix.clean_word(cells[col["text"]])
            if text:
                raw.append((key, text, (left, top, left + width, top + height),
                            min(max(conf, 0.0), 100.0)))
    if fixes:
        raw = [(k, "–" if ocrfix.is_dash(t) else t, b, c) for k, t, b, c in raw
               if ocrfix.is_dash(t) or not ocrfix.is_speck(t, c)]
        texts = ocrfix.fix_cell_words([t for _k, t, _b, _c in raw])
        raw = [(k, t, b, c) for (k, _t, b, c), t in zip(raw, texts)]
    blocks: dict[tuple[int, int], int] = {}
    lines: dict[tuple[int, int, int], int] = {}
    words: list[OcrWord] = []
    for key, text, box, conf in raw:
        block = blocks.setdefault(key[:2], len(blocks) + 1)
        line = lines.setdefault(key, len(lines) + 1)
        height = line_heights.get(key, box[3] - box[1])
        words.append(OcrWord(text, box, conf, block, line, height))
    if order:
        words = reading_order(words, one_column=one_column)
    return Recognition(tuple(words), page_text(words), _mean([w.conf for w in words]))


def reading_order(words: list[OcrWord], *, one_column: bool = False) -> list[OcrWord]:
    """The words put in reading order again from their boxes (:mod:`indexer.extract.ocrorder`),
    renumbered (a column of marks read as one word left out); texts, boxes, confidences kept.
    ``one_column``: read with a one-column psm (:func:`one_column`)."""
    return [replace(w, block=block, line=line) for w, block, line in ocrorder.reorder(
        words, lambda w: (w.text, w.box, w.block, w.line, w.conf), columns=not one_column)]


def one_column(psm: str) -> bool:
    """Whether Tesseract read the page as one column (psm 4, or 6: one block): then the
    reading order cuts no paragraph as two columns read across."""
    return psm in ("4", "6")


def note_psm(note: str) -> str:
    """The psm a page's note records (``prep: ...,psm=4,...``), "3" when it names none."""
    match = re.search(r"\bpsm=(\d+)", note)
    return match.group(1) if match else "3"


def reorder_stored(words: Sequence[Word], width_px: int, height_px: int, *,
                   one_column: bool = False) -> list[Word]:
    """Stored words of a page read in Tesseract's order (boxes as page fractions), put in
    reading order as :func:`parse_tsv` puts a fresh read: the same words, boxes scaled back to
    the page's pixels for the geometry, so no new Tesseract read is needed. ``one_column``:
    the page was read with a one-column psm (its note says which: :func:`note_psm`)."""
    w, h = max(width_px, 1), max(height_px, 1)
    return [replace(word, block=block, line=line) for word, block, line in ocrorder.reorder(
        words, lambda x: (x.text, (x.box[0] * w, x.box[1] * h, x.box[2] * w, x.box[3] * h),
                          x.block, x.line, x.conf), columns=not one_column)]


def page_text(words: Sequence[OcrWord] | Sequence[Word]) -> str:
    """Lines joined by "\\n" in reading order, a blank line between blocks."""
    parts: list[str] = []
    last_block = last_line = None
    current: list[str] = []
    for w in words:
        if w.line != last_line:
            if current:
                parts.append(" ".join(current))
                current = []
            if last_block is not None and w.block != last_block:
                parts.append("")
            last_line, last_block = w.line, w.block
        current.append(w.text)
    if current:
        parts.append(" ".join(current))
    return nfc("\n".join(parts))


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 2) if values else 0.0


# --- the extract stage's entry point ------------------------------------------------------

def ocr_page(task: PageTask, note: str = "", engine: OcrEngine | None = None) -> PageResult:
    """OCR one page: render or load it, prepare it, one Tesseract run, words as page fractions.

    Raises BadInput (the file cannot be read), OcrFailure (Tesseract failed or timed out),
    MissingDependency; ``indexer.extract.page.extract_page`` turns them into a failed result.
    """
    started = time.monotonic()
    engine = engine or get_engine()
    where = f"{task.path} page {task.file_page + 1}"
    key = settings_key(task.settings)
    image = load_page_image(task.path, task.source_kind, task.file_page, task.settings.dpi,
                            gray=True)
    dpi = float(image.info.get("dpi", (task.settings.dpi,))[0]) or float(task.settings.dpi)
    prepared = preprocess.prepare(image, dpi, prep_options(task.settings))
    params = page_choice(task.settings, prepared)
    recognition = engine.recognize(prepared.image, prepared.dpi, task.settings, where=where,
                                   params=params)
    if params["thresholding_method"] == "2" and recognition.confidence < SAUVOLA_RETRY_CONF and \
            options(task.settings)["thresholding_method"] == "auto":
        otsu = {**params, "thresholding_method": "0"}
        again = engine.recognize(prepared.image, prepared.dpi, task.settings, where=where,
                                 params=otsu)
        log.debug("%s: Sauvola read at %.1f, Otsu at %.1f", task.page_id,
                  recognition.confidence, again.confidence)
        if again.confidence > recognition.confidence:
            recognition, params = again, otsu
    if options(task.settings)["marks"] != "0" and page_condition(prepared) == "photo":
        recognition = without_marks(recognition, prepared.image)
    words = tuple(
        Word(text=w.text, box=prepared.to_source(w.box), conf=round(w.conf, 1), block=w.block,
             line=w.line, size=round(w.line_height * 72.0 / prepared.dpi, 2))
        for w in recognition.words)
    steps = ",".join([*prepared.steps, f"condition={page_condition(prepared)}",
                      *(f"{k}={v}" for k, v in sorted(params.items()) if v != "0")])
    log.debug("%s: %d words, conf %.1f, prep %s, %.2f s", task.page_id, len(words),
              recognition.confidence, steps, time.monotonic() - started)
    notes = [n for n in (note, f"prep: {steps}") if n]
    return PageResult(
        page_id=task.page_id, sha256=task.sha256, method="ocr", text=recognition.text,
        words=words, confidence=recognition.confidence, engine=engine.name,
        engine_version=engine.version, settings_key=key, width_px=image.width,
        height_px=image.height, note="; ".join(notes),
        seconds=round(time.monotonic() - started, 3))


def without_marks(recognition: Recognition, image: Image.Image | None) -> Recognition:
    """The read without the marks Tesseract took for words (a column of marks read as a
    vertical line, a rule read as a flat word: :mod:`indexer.extract.ocrmarks`), and with a
    contents page's numbers read again from ``image`` (the prepared page the words' boxes are
    in) put at the end of their entries' lines. The same read when nothing is found."""
    marks = ocrmarks.find(recognition.words, lambda w: (w.text, w.box, w.line, w.conf), image)
    if not marks.drop and not marks.numbers:
        return recognition
    numbers: dict[int, list[ocrmarks.Number]] = {}
    for number in marks.numbers:
        numbers.setdefault(number.after, []).append(number)
    words: list[OcrWord] = []
    for i, w in enumerate(recognition.words):
        if i not in marks.drop:
            words.append(w)
        words.extend(OcrWord(n.text, n.box, n.conf, w.block, w.line, w.line_height)
                     for n in numbers.get(i, ()))
    return Recognition(tuple(words), page_text(words), _mean([w.conf for w in words]))


def read_digits(image: Image.Image) -> str:
    """One line of digits and dots (``--psm 7``, a whitelist): a number re-read from its
    crop, e.g. a colophon's print run that the page's reading garbled (``29.599`` for
    ``29.500``). Returns '' when Tesseract is missing or fails."""
    import pytesseract

    try:
        return str(pytesseract.image_to_string(
            image, config="--psm 7 -c tessedit_char_whitelist=0123456789.", timeout=30)).strip()
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, RuntimeError, OSError):
        return ""
