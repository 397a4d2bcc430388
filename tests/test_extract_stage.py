"""The extract stage end to end through the real `bantin` command, in subprocesses, with the
real Tesseract: image folders, image-only PDFs and multi-page TIFFs come back as text;
reruns do nothing, --force redoes; every bad input is named, recorded and survived;
SIGKILL in the middle loses nothing done; a hung page times out alone.

Fault injection (documented in indexer/extract/ocr.py): a script named ``tesseract`` first on PATH,
which passes ``--version``/``--list-langs`` to the real one and hangs on a page.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from archive.catalog import Catalog
from archive.vntext import nfc
from tests.pages import (
    HEADLINE,
    PARAGRAPHS,
    fake_tesseract,
    render_text_page,
    save_image_pdf,
    save_png,
    save_tiff,
)

REPO = Path(__file__).resolve().parent.parent
PARTIAL = 4


def bantin(home: Path, *args: str, env: dict[str, str] | None = None,
           timeout: float = 300) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "BANTIN_HOME": str(home), "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-m", "bantin", "--quiet", *args], cwd=REPO,
                          env=full_env, text=True, capture_output=True, timeout=timeout)


def cer(truth: str, got: str) -> float:
    a, b = " ".join(nfc(truth).split()), " ".join(nfc(got).split())
    return Levenshtein.distance(a, b) / max(len(a), 1)


def page(i: int, dpi: int = 200) -> tuple[object, str]:
    """A small page: one paragraph (cycled), headline on odd pages."""
    image, drawn = render_text_page([PARAGRAPHS[i % len(PARAGRAPHS)]], dpi=dpi, width_in=4.5,
                                    headline=HEADLINE if i % 2 else "")
    return image, drawn.text


def make_home(root: Path) -> dict[str, str]:
    """Three issues, one of each kind; returns {page id: drawn text}."""
    scans = root / "scans"
    truth: dict[str, str] = {}
    folder = scans / "ttshcb" / "1990" / "ttshcb-1990-01"
    for i in range(2):
        image, text = page(i)
        save_png(image, folder / f"{i + 1:03d}.png")  # type: ignore[arg-type]
        truth[f"ttshcb-1990-01/{i + 1}"] = text
    images = []
    for i in range(2, 4):
        image, text = page(i)
        images.append(image)
        truth[f"ttshcb-1990-02/{i - 1}"] = text
    save_image_pdf(images, scans / "ttshcb" / "1990" / "ttshcb-1990-02.pdf")  # type: ignore[arg-type]
    images = []
    for i in range(4, 6):
        image, text = page(i)
        images.append(image)
        truth[f"tbnb-2005-01/{i - 3}"] = text
    save_tiff(images, scans / "tbnb" / "2005" / "tbnb-2005-01.tif")  # type: ignore[arg-type]
    return truth


def rows(home: Path) -> dict[str, sqlite3.Row]:
    """page_text rows by page id, with their rowid (which changes when a page is redone)."""
    db = sqlite3.connect(f"file:{home / 'index' / 'catalog.sqlite'}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        return {r["page_id"]: r for r in db.execute("SELECT rowid AS rid, * FROM page_text")}
    finally:
        db.close()


def problems(home: Path, stage: str = "extract") -> list[sqlite3.Row]:
    db = sqlite3.connect(f"file:{home / 'index' / 'catalog.sqlite'}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        return db.execute("SELECT * FROM problem WHERE stage = ?", (stage,)).fetchall()
    finally:
        db.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A home with three issues, built once with `bantin build --jobs 2`."""
    home = tmp_path_factory.mktemp("built")
    truth = make_home(home)
    r = bantin(home, "build", "--jobs", "2")
    assert r.returncode == 0, r.stderr
    return home, truth


def test_build_reads_every_page_by_ocr(built) -> None:
    home, truth = built
    got = rows(home)
    assert set(got) == set(truth)
    for page_id, text in truth.items():
        row = got[page_id]
        assert row["method"] == "ocr" and row["engine"] == "tesseract"
        assert cer(text, row["text"]) < 0.03, (page_id, row["text"])
        assert 70 <= row["confidence"] <= 100
        assert row["text"] == nfc(row["text"])
    r = bantin(home, "status", "--json")
    assert r.returncode == 0
    assert '"ocr": 2' in r.stdout and '"failures": 0' in r.stdout


def test_rerun_does_nothing_and_force_redoes(built, tmp_path: Path) -> None:
    source, _ = built
    home = tmp_path / "home"
    shutil.copytree(source, home)
    before = rows(home)
    r = bantin(home, "extract", "--jobs", "2")
    assert r.returncode == 0, r.stderr
    assert "0 pages done" in r.stdout and f"{len(before)} current" in r.stdout
    assert {k: v["rid"] for k, v in rows(home).items()} == {k: v["rid"] for k, v in before.items()}
    r = bantin(home, "extract", "--jobs", "2", "--force")
    assert r.returncode == 0, r.stderr
    assert f"{len(before)} pages done (ocr {len(before)})" in r.stdout
    after = rows(home)
    assert all(after[k]["rid"] != before[k]["rid"] for k in before)
    assert all(after[k]["text"] == before[k]["text"] for k in before)  # same pages, same text


def _bomb_png(path: Path, side: int = 20000) -> None:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
                     + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def _encrypted_pdf(path: Path) -> None:
    from reportlab.pdfgen import canvas

    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), encrypt="mat-khau")
    c.drawString(72, 700, "Luu hanh noi bo")
    c.showPage()
    c.save()


def _truncated_pdf(path: Path) -> None:
    image, _ = page(0)
    good = save_image_pdf([image], path.with_suffix(".tmp"))  # type: ignore[list-item]
    data = good.read_bytes()
    good.unlink()
    path.write_bytes(data[: len(data) // 2])


def _truncated_png(path: Path) -> None:
    image, _ = page(1)
    save_png(image, path)  # type: ignore[arg-type]
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# (what, file relative to scans/, how to make it, words the message must hold)
BAD_INPUTS = [
    ("zero-byte file", "ttshcb/1991/ttshcb-1991-02.pdf", lambda p: _write(p, b""), "empty"),
    ("truncated PDF", "ttshcb/1991/ttshcb-1991-03.pdf", _truncated_pdf, "damaged or truncated"),
    ("encrypted PDF", "ttshcb/1991/ttshcb-1991-04.pdf", _encrypted_pdf, "encrypted"),
    ("text file named .tif", "ttshcb/1991/ttshcb-1991-05.tif",
     lambda p: _write(p, "Biên bản họp chi bộ\n".encode()), "not a readable image"),
    ("decompression bomb", "ttshcb/1991/ttshcb-1991-06/001.png", _bomb_png, "too large"),
    ("unknown extension", "ttshcb/1991/ttshcb-1991-07.wpd", lambda p: _write(p, b"PK\x03\x04"),
     "unknown file type"),
    ("name outside the convention", "ttshcb/1991/scan-0001.pdf", _truncated_pdf,
     "does not follow"),
    ("same issue twice", "ttshcb/1990/ttshcb-1990-01.tif",
     lambda p: save_tiff([page(0)[0]], p), "same issue"),  # type: ignore[list-item]
]


@pytest.mark.parametrize("what,rel,make,fault", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_named_recorded_and_survived(built, tmp_path: Path, what: str, rel: str,
                                                  make, fault: str) -> None:  # type: ignore[no-untyped-def]
    source, _ = built
    home = tmp_path / "home"
    shutil.copytree(source, home)
    before = rows(home)
    make(home / "scans" / rel)
    r = bantin(home, "build", "--jobs", "2")
    assert r.returncode == PARTIAL, (r.stdout, r.stderr)
    named = [line for line in r.stderr.splitlines() if rel in line]
    assert len(named) == 1, r.stderr
    assert fault in named[0], named[0]
    status = bantin(home, "status")
    assert status.returncode == 0
    assert rel in status.stdout and fault in status.stdout, status.stdout
    after = rows(home)
    assert {k: (v["rid"], v["text"]) for k, v in after.items()} == \
        {k: (v["rid"], v["text"]) for k, v in before.items()}


def test_truncated_page_image_fails_alone(built, tmp_path: Path) -> None:
    """A page whose header is fine but whose pixels end early passes ingest and fails in
    extract, naming its file; the issue's other pages are read."""
    source, _ = built
    home = tmp_path / "home"
    shutil.copytree(source, home)
    folder = home / "scans" / "ttshcb" / "1992" / "ttshcb-1992-01"
    image, text = page(2)
    save_png(image, folder / "001.png")  # type: ignore[arg-type]
    _truncated_png(folder / "002.png")
    r = bantin(home, "build", "--jobs", "2")
    assert r.returncode == PARTIAL, r.stderr
    named = [line for line in r.stderr.splitlines() if "002.png" in line]
    assert len(named) == 1 and "ttshcb-1992-01/2" in named[0] and "truncated" in named[0]
    got = rows(home)
    assert cer(text, got["ttshcb-1992-01/1"]["text"]) < 0.03
    assert "ttshcb-1992-01/2" not in got
    assert "002.png" in bantin(home, "status").stdout
    assert len(got) == 7


def test_sigkill_in_the_middle_loses_nothing_done(tmp_path: Path) -> None:
    home = tmp_path / "home"
    folder = home / "scans" / "ttshcb" / "1993" / "ttshcb-1993-01"
    total = 16
    for i in range(total):
        image, _ = page(i, dpi=150)
        save_png(image, folder / f"{i + 1:03d}.png")  # type: ignore[arg-type]
    assert bantin(home, "ingest").returncode == 0
    env = {**os.environ, "BANTIN_HOME": str(home), "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "bantin", "--quiet", "extract",
                             "--jobs", "2"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    done_before: dict[str, int] = {}
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if (home / "index" / "catalog.sqlite").exists():
                try:
                    current = rows(home)
                except sqlite3.OperationalError:
                    current = {}
                if 3 <= len(current) <= total - 5:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait()
                    break
            time.sleep(0.02)
        assert proc.returncode == -signal.SIGKILL, "extract ended before it could be killed"
    finally:
        try:  # the workers of the killed run, if any are left
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    done_before = {k: v["rid"] for k, v in rows(home).items()}
    assert 3 <= len(done_before) < total
    r = bantin(home, "extract", "--jobs", "2")
    assert r.returncode == 0, r.stderr
    redone = total - len(done_before)
    assert f"{redone} pages done" in r.stdout and f"{len(done_before)} current" in r.stdout
    after = rows(home)
    assert len(after) == total  # every page exactly once
    assert all(after[k]["rid"] == rid for k, rid in done_before.items())  # nothing done redone
    assert not problems(home)


def test_killed_workers_temp_folders_stay_in_the_cache_and_are_cleaned(tmp_path: Path) -> None:
    """A worker killed in the middle of a page leaves its temporary folder (the page image
    handed to Tesseract) in ``index/cache/tmp``, never the system's temporary folder, and the
    next run deletes it."""
    home = tmp_path / "home"
    make_home(home)
    lock, record = tmp_path / "hung-once", tmp_path / "input-path"
    folder = fake_tesseract(tmp_path / "bin",
                            f'if mkdir "{lock}" 2>/dev/null; then echo "$1" > "{record}"; exec sleep 600; fi\n'
                            'exec "$REAL" "$@"')
    env = {**os.environ, "BANTIN_HOME": str(home), "PYTHONPATH": str(REPO),
           "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}", "BANTIN_OCR_ENGINE": "command"}
    assert bantin(home, "ingest").returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "bantin.main", "--quiet", "extract", "--jobs", "2"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (record.exists() and record.read_text().strip()):
            assert proc.poll() is None, "extract ended before a page hung"
            time.sleep(0.05)
        image = Path(record.read_text().strip())
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run, its workers and the hung Tesseract
        proc.wait()
    cache_tmp = home / "index" / "cache" / "tmp"
    assert image.parent.parent == cache_tmp, image
    assert image.parent.name.startswith("bantin-ocr-") and image.parent.exists()  # left behind
    r = bantin(home, "extract", "--jobs", "2")
    assert r.returncode == 0, r.stderr
    assert not image.parent.exists()
    assert [p.name for p in cache_tmp.iterdir()] == []


def test_hung_page_times_out_and_the_rest_go_on(tmp_path: Path) -> None:
    home = tmp_path / "home"
    truth = make_home(home)
    lock = tmp_path / "hung-once"
    folder = fake_tesseract(tmp_path / "bin",
                            f'if mkdir "{lock}" 2>/dev/null; then exec sleep 600; fi\n'
                            'exec "$REAL" "$@"')
    env = {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}", "BANTIN_OCR_TIMEOUT": "3",
           "BANTIN_OCR_ENGINE": "command"}  # the program, so that the fake one is run
    started = time.monotonic()
    r = bantin(home, "build", "--jobs", "2", env=env)
    assert time.monotonic() - started < 90  # the hung page did not hold the run
    assert r.returncode == PARTIAL, r.stderr
    failed = [line for line in r.stderr.splitlines() if "timed out" in line]
    assert len(failed) == 1 and "page " in failed[0], r.stderr
    got = rows(home)
    assert len(got) == len(truth) - 1
    (hung,) = set(truth) - set(got)
    assert hung in failed[0]
    assert "timed out" in bantin(home, "status").stdout
    # with a working Tesseract the failed page, and only it, is read on the next run
    r = bantin(home, "extract", "--jobs", "2")
    assert r.returncode == 0, r.stderr
    assert "1 pages done" in r.stdout
    assert cer(truth[hung], rows(home)[hung]["text"]) < 0.03
    assert not problems(home)


def test_without_tesseract_text_pdfs_are_read_and_scans_are_refused(tmp_path: Path) -> None:
    """No Tesseract on the machine: an archive of born-digital PDFs still extracts (a PDF
    page with no text layer fails alone, naming what to install); an archive with scans to
    read stops before starting, exit code 3, naming the packages."""
    from tests.segment_pages import Issue as Layout
    from tests.segment_pages import draw_pdf, para, title

    broken = tmp_path / "bin"
    broken.mkdir()
    script = broken / "tesseract"
    script.write_text("#!/bin/sh\nexit 127\n", encoding="utf-8")  # not a Tesseract
    script.chmod(0o755)
    env = {"PATH": f"{broken}{os.pathsep}{os.environ['PATH']}"}

    home = tmp_path / "home"
    pdf = home / "scans/tbnb/2015/tbnb-2015-07.pdf"
    pdf.parent.mkdir(parents=True)
    draw_pdf(Layout([title("Chi bộ đổi mới sinh hoạt"),
                     para(" ".join(PARAGRAPHS[:2]))]), pdf)
    done = bantin(home, "build", env=env)
    assert done.returncode == 0, done.stderr
    with Catalog(home / "index" / "catalog.sqlite") as catalog:
        methods = {r["method"] for r in catalog.query("SELECT method FROM page_text")}
        assert methods == {"text"}
        assert catalog.query("SELECT COUNT(*) AS n FROM article")[0]["n"] >= 1

    image_only = home / "scans/tbnb/2015/tbnb-2015-08.pdf"  # a scanner's PDF: no text layer
    save_image_pdf([page(0)[0]], image_only)
    partial = bantin(home, "build", env=env)
    assert partial.returncode == PARTIAL and "tbnb-2015-08/1" in partial.stderr
    assert "tesseract-ocr" in partial.stderr
    with Catalog(home / "index" / "catalog.sqlite") as catalog:
        assert catalog.query("SELECT COUNT(*) AS n FROM page_text WHERE method = 'text'")[0]["n"] == 1

    save_png(page(1)[0], home / "scans/tbnb/2016/tbnb-2016-01/001.png")
    refused = bantin(home, "build", env=env)
    assert refused.returncode == 3
    assert "tesseract-ocr" in refused.stderr
