"""Page tasks on Celery with a real redis-server and real `bantin worker` subprocesses.

Every page is written exactly once and equals the local pool's result byte for byte (text,
words, confidences) even when one of two workers is killed with SIGKILL in the middle of a
page; a killed coordinator resumes without sending its pages twice; a worker whose language
pack differs refuses, naming it; without a queue, Celery and Redis are never imported.

Fault injection: worker "a" runs with a ``tesseract`` first on PATH that hangs on a page
(``tests.pages.fake_tesseract``), so it is certainly in the middle of a page when killed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import redis

from archive.catalog import Catalog
from archive.errors import ConfigError
from archive.models import OcrSettings, PageResult, PageTask, Word
from indexer.extract.queue import (
    RUN_KEY,
    SENT_KEY,
    differences,
    local_spec,
    map_path,
    parse_path_map,
    queue_depth,
    result_from_row,
    result_to_row,
    still_current,
    task_from_row,
    task_to_row,
)
from tests.pages import PARAGRAPHS, fake_tesseract, render_text_page, save_png
from tests.queue_fixtures import redis_server

REPO = Path(__file__).resolve().parent.parent
PAGES = 4


def env_for(home: Path | None = None, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), **extra}
    if home is not None:
        env["BANTIN_HOME"] = str(home)
    return env


def bantin(home: Path, *args: str, timeout: float = 300, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bantin", "--quiet", *args], cwd=REPO,
                          env=env_for(home, **extra), text=True, capture_output=True, timeout=timeout)


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """A `bantin` subprocess in its own process group (so a kill takes its pool along)."""
    return subprocess.Popen([sys.executable, "-m", "bantin", "--quiet", *args], cwd=REPO, env=env,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def stop(proc: subprocess.Popen[str], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    try:
        proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


def make_home(root: Path, pages: int = PAGES) -> Path:
    """One issue of small scanned pages (a folder of PNG), ingested."""
    (root / "index").mkdir(parents=True)
    folder = root / "scans" / "ttshcb" / "1991" / "ttshcb-1991-03"
    for i in range(pages):
        image, _drawn = render_text_page([PARAGRAPHS[i % len(PARAGRAPHS)]], dpi=200, width_in=3.5)
        save_png(image, folder / f"{i + 1:03d}.png")
    r = bantin(root, "ingest")
    assert r.returncode == 0, r.stderr
    return root


def page_rows(home: Path) -> dict[str, tuple[object, ...]]:
    db = sqlite3.connect(f"file:{home / 'index' / 'catalog.sqlite'}?mode=ro", uri=True)
    try:
        return {r[0]: r[1:] for r in db.execute(
            "SELECT page_id, method, text, words, confidence, settings_key, sha256 FROM page_text")}
    finally:
        db.close()


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, tuple[object, ...]], str]:
    """The local process pool's results for the same pages, and which queue libraries the run
    imported (printed by the run itself)."""
    home = make_home(tmp_path_factory.mktemp("local"))
    code = ("import sys; from bantin.main import main; rc = main(['--quiet', 'extract', '--jobs', '2']);"
            " print(rc, *(name in sys.modules for name in ('celery', 'kombu', 'redis')))")
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env_for(home), text=True,
                       capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr
    rows = page_rows(home)
    assert len(rows) == PAGES
    return rows, r.stdout.splitlines()[-1]


@pytest.fixture
def local_rows(local_run: tuple[dict[str, tuple[object, ...]], str]) -> dict[str, tuple[object, ...]]:
    return local_run[0]


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    c = redis.Redis.from_url(redis_url, decode_responses=True)
    yield c
    c.close()


def test_two_workers_one_killed_mid_page_every_page_once_as_the_local_pool(
        tmp_path: Path, redis_url: str, client: redis.Redis,
        local_rows: dict[str, tuple[object, ...]]) -> None:
    home = make_home(tmp_path / "home")
    coordinator = start(["extract", "--queue", redis_url],
                        env_for(home, BANTIN_QUEUE_REDELIVER="6"))
    hang = fake_tesseract(tmp_path / "bin", "exec sleep 600")
    a = start(["worker", "--queue", redis_url, "-c", "1", "--name", "a@test"],
              env_for(PATH=f"{hang}:{os.environ['PATH']}", BANTIN_OCR_ENGINE="command"))
    b = None
    try:
        # a takes one page (prefetch 1) and hangs in it: it is mid-page
        wait_for(lambda: client.hlen("unacked") >= 1, 120, "worker a to take a page")
        b = start(["worker", "--queue", redis_url, "-c", "1", "--name", "b@test"], env_for())
        wait_for(lambda: len(page_rows(home)) >= 1, 120, "worker b to read a page")
        os.killpg(a.pid, signal.SIGKILL)  # the machine is lost with its page
        out, err = coordinator.communicate(timeout=240)
        assert coordinator.returncode == 0, err
        assert f"extract: {PAGES} pages done (ocr {PAGES}), 0 current, 0 failed" in out, out
        status = bantin(home, "status", "--json", "--queue", redis_url)
        queue = json.loads(status.stdout)["queue"]
        assert (queue["done"], queue["failed"], queue["total"]) == (PAGES, 0, PAGES)
        assert queue["depth"] == 0 and queue["in_flight"] == 0
        assert queue["workers"] == ["b@test"]
        assert client.hlen(SENT_KEY) == 0
    finally:
        stop(a, signal.SIGKILL)
        if b is not None:
            stop(b)
        stop(coordinator, signal.SIGKILL)
    got = page_rows(home)
    assert set(got) == set(local_rows)
    for page_id, row in local_rows.items():
        assert got[page_id] == row, page_id  # text, words, confidence, key, source: equal bytes


def test_a_killed_coordinator_resumes_without_sending_twice(
        tmp_path: Path, redis_url: str, client: redis.Redis) -> None:
    home = make_home(tmp_path / "home", pages=2)
    first = start(["extract", "--queue", redis_url], env_for(home))
    try:
        wait_for(lambda: client.hlen(SENT_KEY) == 2, 60, "the pages to be sent")
    finally:
        stop(first, signal.SIGKILL)
    assert queue_depth(client) == 2
    again = start(["extract", "--queue", redis_url], env_for(home))
    worker = None
    try:
        wait_for(lambda: json.loads(client.get(RUN_KEY) or "{}").get("progress", {}).get(
            "coordinator", "").endswith(f":{again.pid}"), 60, "the second coordinator")
        time.sleep(1.0)
        assert queue_depth(client) == 2  # awaited, not sent again
        worker = start(["worker", "--queue", redis_url, "-c", "1"], env_for())
        out, err = again.communicate(timeout=180)
        assert again.returncode == 0, err
        assert "extract: 2 pages done (ocr 2), 0 current, 0 failed" in out, out
    finally:
        stop(again, signal.SIGKILL)
        if worker is not None:
            stop(worker)
    assert len(page_rows(home)) == 2
    assert queue_depth(client) == 0 and client.hlen(SENT_KEY) == 0


def test_a_page_that_kills_its_worker_fails_alone_after_two_deaths(
        tmp_path: Path, redis_url: str, client: redis.Redis) -> None:
    home = make_home(tmp_path / "home", pages=1)
    coordinator = start(["extract", "--queue", redis_url], env_for(home))
    deadly = fake_tesseract(tmp_path / "bin", "kill -9 $PPID; exit 1")  # the worker process dies
    worker = start(["worker", "--queue", redis_url, "-c", "1"],
                   env_for(PATH=f"{deadly}:{os.environ['PATH']}", BANTIN_OCR_ENGINE="command"))
    try:
        out, err = coordinator.communicate(timeout=240)  # given back at once, not after 12 min
    finally:
        stop(coordinator, signal.SIGKILL)
        stop(worker)
    assert coordinator.returncode == 4, err
    assert "extract: 0 pages done (none), 0 current, 1 failed" in out, out
    assert "a worker died on this page 2 times" in err
    assert "ttshcb/1991/ttshcb-1991-03/001.png page 1" in err
    assert queue_depth(client) == 0 and client.hlen(SENT_KEY) == 0


def _publish_run(client: redis.Redis) -> None:
    """The run record a coordinator with the default settings publishes."""
    spec = local_spec(OcrSettings(), time_limit=660.0, redeliver=720.0)
    client.set(RUN_KEY, spec.to_json())


def _tessdata(tmp_path: Path) -> tuple[Path, Path]:
    out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=True)
    real = Path(out.stdout.splitlines()[0].split('"')[1])
    copy = tmp_path / "tessdata"
    shutil.copytree(real, copy)
    return real, copy


def test_a_worker_with_another_language_pack_refuses(
        tmp_path: Path, redis_url: str, client: redis.Redis) -> None:
    _publish_run(client)
    real, copy = _tessdata(tmp_path)
    shutil.copyfile(real / "eng.traineddata", copy / "vie.traineddata")  # another 'vie'
    r = subprocess.run([sys.executable, "-m", "bantin", "--quiet", "worker", "--queue", redis_url,
                        "--wait", "5"], cwd=REPO, env=env_for(TESSDATA_PREFIX=str(copy)),
                       text=True, capture_output=True, timeout=120)
    assert r.returncode == 3, r.stderr
    assert "language pack 'vie' differs" in r.stderr
    assert "tesseract-ocr-vie" in r.stderr


def test_a_worker_without_the_language_pack_refuses(
        tmp_path: Path, redis_url: str, client: redis.Redis) -> None:
    _publish_run(client)
    _real, copy = _tessdata(tmp_path)
    (copy / "vie.traineddata").unlink()
    r = subprocess.run([sys.executable, "-m", "bantin", "--quiet", "worker", "--queue", redis_url,
                        "--wait", "5"], cwd=REPO, env=env_for(TESSDATA_PREFIX=str(copy)),
                       text=True, capture_output=True, timeout=120)
    assert r.returncode == 3, r.stderr
    assert "no 'vie' language data" in r.stderr and "tesseract-ocr-vie" in r.stderr


def test_a_worker_with_no_coordinator_says_what_to_run(tmp_path: Path) -> None:
    with redis_server(tmp_path / "redis") as url:
        r = subprocess.run([sys.executable, "-m", "bantin", "--quiet", "worker", "--queue", url,
                            "--wait", "0"], cwd=REPO, env=env_for(), text=True,
                           capture_output=True, timeout=60)
    assert r.returncode == 6, r.stderr
    assert "bantin extract --queue" in r.stderr


def test_without_a_queue_celery_and_redis_are_never_imported(
        local_run: tuple[dict[str, tuple[object, ...]], str]) -> None:
    assert local_run[1] == "0 False False False"  # exit 0; celery, kombu, redis not imported


def test_a_worker_that_cannot_see_the_scans_refuses_and_a_path_map_fixes_it(tmp_path: Path) -> None:
    scans = tmp_path / "mnt" / "bantin" / "scans"
    scans.mkdir(parents=True)
    (scans / "001.png").write_bytes(b"page")
    spec = replace(local_spec(OcrSettings(), time_limit=660.0, redeliver=720.0),
                   probe="/srv/bantin/scans/001.png")
    refused = differences(spec)
    assert len(refused) == 1 and "/srv/bantin/scans/001.png is missing" in refused[0]
    assert "queue_path_map" in refused[0]
    path_map = parse_path_map(f"/srv/bantin={tmp_path / 'mnt' / 'bantin'}; /srv/other=/x")
    assert differences(spec, path_map) == []
    assert map_path("/srv/bantin/scans/001.png", path_map) == str(scans / "001.png")
    assert map_path("/srv/bantinX/001.png", path_map) == "/srv/bantinX/001.png"  # whole folders only
    with pytest.raises(ConfigError, match="COORDINATOR_PREFIX=LOCAL_PREFIX"):
        parse_path_map("/srv/bantin")


def test_tasks_and_results_cross_the_queue_unchanged() -> None:
    task = PageTask(page_id="ttshcb-1991-03/1", path="/srv/a.png", source_kind="images", file_page=0,
                    sha256="ab" * 32, settings=OcrSettings(extra=(("psm", "4"),)), force_ocr=True)
    row = json.loads(json.dumps(task_to_row(task)))
    assert task_from_row(row) == task
    result = PageResult(page_id=task.page_id, sha256=task.sha256, method="ocr", text="Nghị quyết",
                        words=(Word("Nghị", (0.1, 0.2, 0.3, 0.25), 91.5, 1, 2, 11.5, True),
                               Word("quyết", (0.31, 0.2, 0.5, 0.25), 88.25, 1, 2, 11.5)),
                        confidence=89.875, engine="tesseract", engine_version="5.3.0",
                        settings_key="k", width_px=10, height_px=20, seconds=1.25)
    assert result_from_row(json.loads(json.dumps(result_to_row(result)))) == result


def test_a_result_is_written_only_while_its_source_and_settings_match(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home", pages=1)
    catalog = Catalog(home / "index" / "catalog.sqlite")
    try:
        page_id, sha = catalog.query("SELECT id, sha256 FROM page")[0]
        spec = local_spec(OcrSettings(), time_limit=660.0, redeliver=720.0)
        current = PageResult(page_id=page_id, sha256=sha, method="ocr", text="x",
                             settings_key=spec.keys["ocr"])
        assert still_current(catalog, current, spec)
        assert not still_current(catalog, replace(current, sha256="0" * 64), spec)  # older scan
        assert not still_current(catalog, replace(current, settings_key="other"), spec)
        assert not still_current(catalog, replace(current, page_id="gone/1"), spec)
        assert still_current(catalog, replace(current, method="", error="failed"), spec)
    finally:
        catalog.close()
