"""LibreOffice headless, the one wrapper around the ``soffice`` program.

Used to turn ``.doc``/``.rtf``/``.odt`` into ``.docx`` (so one OOXML reader reads them all) and
to print a ``.docx`` to PDF. Knows nothing of issues, pages or catalogs.

Why so careful:
- every call gets a user profile of its own process (``-env:UserInstallation``) in a folder under
  the home's cache, so it neither touches the user's LibreOffice settings nor collides with a
  LibreOffice already open, and two workers can convert at once;
- that profile sets macro security to *very high* with macro execution disabled before the
  first start: a macro-laden document is converted, its macros never run;
- a timeout kills the whole process group, so a file that makes LibreOffice hang (a password
  prompt nobody can answer, a pathological file) costs at most ``timeout`` seconds;
- LibreOffice reports most failures only by not writing the output file, so the absence of
  the output is the error.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from archive.errors import BadInput, MissingDependency

DEFAULT_TIMEOUT = 120.0  # seconds for one conversion
PROGRAMS = ("soffice", "libreoffice")
FILTERS = {"docx": "docx:MS Word 2007 XML", "pdf": "pdf:writer_pdf_Export",
           "doc": "doc:MS Word 97", "rtf": "rtf:Rich Text Format", "odt": "odt:writer8"}

# Macro security "very high" (3) and macros disabled, written before LibreOffice first starts.
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">
 <prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">
 <prop oor:name="UseLocking" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""

_profiles: dict[tuple[int, str], Path] = {}  # (pid, profile root) -> this process's profile


def program() -> str:
    """The LibreOffice command, or MissingDependency saying what to install."""
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    raise MissingDependency("LibreOffice is not installed: Word files (.doc, .docx, .rtf, .odt) "
                            "need it (apt-get install libreoffice-writer-nogui)")


def version() -> str:
    """``LibreOffice 7.4.7.2``-style version line (part of settings keys)."""
    try:
        out = subprocess.run([program(), "--version"], capture_output=True, text=True,
                             timeout=60, check=False).stdout
    except MissingDependency:
        return "none"
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return " ".join(out.split()[:2]) or "unknown"


def _profile(root: Path) -> Path:
    """This process's LibreOffice profile under ``root`` (made once, removed at exit)."""
    key = (os.getpid(), str(root))
    if key in _profiles and _profiles[key].is_dir():
        return _profiles[key]
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="profile-", dir=root))
    user = folder / "user"
    user.mkdir()
    (user / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")
    _profiles[key] = folder
    atexit.register(shutil.rmtree, folder, True)
    return folder


def convert(source: Path, fmt: str, outdir: Path, *, profile_root: Path,
            timeout: float = DEFAULT_TIMEOUT, name: str | None = None) -> Path:
    """Convert ``source`` to ``fmt`` (a key of :data:`FILTERS`) into ``outdir``; the output
    path. ``name`` names ``source`` in error messages (default: its path). Raises BadInput
    when LibreOffice cannot open the file or times out."""
    label = name or str(source)
    outdir.mkdir(parents=True, exist_ok=True)
    profile = _profile(profile_root)
    target = outdir / f"{source.stem}.{fmt}"
    target.unlink(missing_ok=True)
    cmd = [program(), "--headless", "--invisible", "--norestore", "--nolockcheck",
           "--nodefault", "--nologo", f"-env:UserInstallation={profile.as_uri()}",
           "--convert-to", FILTERS[fmt], "--outdir", str(outdir), str(source)]
    env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as e:
        _kill(proc)
        raise BadInput(label, f"LibreOffice did not finish converting it within {timeout:.0f} s",
                       "open it in Word or LibreOffice and save it again; a password-protected "
                       "or damaged file does this") from e
    if proc.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        said = (err or out or b"").decode("utf-8", "replace").strip().splitlines()
        detail = said[-1] if said else f"exit status {proc.returncode}"
        raise BadInput(label, f"LibreOffice could not open it ({detail})",
                       "the file is damaged, password-protected or not a word-processor "
                       "document; save an unprotected copy from Word or LibreOffice")
    return target


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()
