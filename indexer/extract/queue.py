"""Page tasks on Celery with Redis: the local pool's seam, on as many machines as there are.

The coordinator (``bantin extract --queue URL``) sends each out-of-date page as one Celery task
(:data:`TASK_NAME` on the queue :data:`QUEUE_NAME`) and writes each result into the catalog as
it comes back, page by page, exactly as the local pool does: a worker (``bantin worker``) runs
the same :func:`indexer.extract.page.extract_page` on the same :class:`~archive.models.PageTask`
and hands back the same :class:`~archive.models.PageResult`, so the catalog cannot tell which
machine read a page. One process, the coordinator, writes the catalog and the index.

At least once, never doubled:

- late acknowledgement, prefetch 1 and ``task_reject_on_worker_lost``: a page is taken off the
  queue only when its result is stored; a worker process that dies gives its page back at
  once, a machine that vanishes gives it back after ``queue_redeliver`` seconds (the Redis
  transport's visibility timeout);
- a per-page time limit, the local pool's (:func:`indexer.extract.stage.page_time_limit`), and
  a page whose worker died under it twice fails alone on its next start (:data:`MAX_STARTS`);
- task ids are derived from the page, its source hash and the settings, so a rerun of a killed
  coordinator finds the results and the tasks already sent (the Redis hash :data:`SENT_KEY`)
  instead of sending them again;
- a result is written only when the page's source hash and the method's settings key still
  match, and once per page per run: a redelivered or duplicate task cannot overwrite newer work
  or count twice.

Before taking work a worker reads the coordinator's run record (:data:`RUN_KEY`: settings, each
method's settings key, the sha256 of each language pack) and refuses, naming the difference,
when its own Tesseract, language packs or readers differ. Messages are JSON (never pickle):
Redis must still be reachable only from the archive's machines (or protected by a password in
the URL), as anyone who can write to it can hand the workers pages to read.

Why one module of about 400 lines: the run record, the task's JSON form, the Celery settings,
the coordinator's loop, the worker's start and the status are one protocol between two
machines; each half is only correct read beside the other, and nothing else imports Celery.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import redis
from celery import Celery
from celery.exceptions import Reject

from archive import progress
from archive.catalog import Catalog
from archive.config import Config
from archive.errors import ConfigError, MissingDependency
from archive.models import OcrSettings, PageResult, PageTask, Word
from archive.progress import Progress
from indexer.extract import ocr
from indexer.extract.page import extract_page, failure, method_keys

log = logging.getLogger(__name__)

QUEUE_NAME = "bantin-pages"
TASK_NAME = "bantin.extract_page"
RUN_KEY = "bantin:run"  # the coordinator's run record (JSON): settings, keys, progress
SENT_KEY = "bantin:sent"  # task id -> when sent, for tasks whose result is not yet in the catalog
WINDOW = 2000  # tasks sent ahead of the results (the queue's depth at most)
RESULT_TTL = 7 * 24 * 3600  # seconds a result waits in Redis for a coordinator that died
MAX_STARTS = 2  # a page started this many times without an answer fails on the next start


# --- the run record: what a worker must match -------------------------------------------------

@dataclass(frozen=True)
class RunSpec:
    """What the coordinator reads pages with; a worker must read them the same way."""

    settings: OcrSettings
    keys: dict[str, str]  # method -> settings key
    languages: dict[str, str]  # language -> sha256 of its traineddata file
    time_limit: float  # seconds per page (hard)
    redeliver: float  # seconds before a vanished worker's page goes to another
    probe: str = ""  # a source file the coordinator sends: a worker must see it (not in the digest)

    @property
    def digest(self) -> str:
        """Short identity of what decides a page's result (sent with every task)."""
        body = json.dumps([self.settings.key(), self.keys, self.languages], sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()[:16]

    def to_json(self) -> str:
        data = asdict(self)
        data["digest"] = self.digest
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> RunSpec:
        data = json.loads(text)
        s = data["settings"]
        settings = OcrSettings(lang=s["lang"], dpi=int(s["dpi"]), timeout=float(s["timeout"]),
                               extra=tuple((str(k), str(v)) for k, v in s["extra"]))
        return cls(settings=settings, keys=dict(data["keys"]), languages=dict(data["languages"]),
                   time_limit=float(data["time_limit"]), redeliver=float(data["redeliver"]),
                   probe=str(data.get("probe", "")))


def local_spec(settings: OcrSettings, *, time_limit: float, redeliver: float) -> RunSpec:
    """This machine's spec for ``settings`` (raises MissingDependency without Tesseract or a
    language pack)."""
    return RunSpec(settings=settings, keys=method_keys(settings),
                   languages=ocr.language_files(settings), time_limit=time_limit,
                   redeliver=redeliver)


def differences(wanted: RunSpec, path_map: list[tuple[str, str]] | None = None) -> list[str]:
    """How this machine would read pages differently from the coordinator (empty: it matches)."""
    if wanted.probe:
        here = map_path(wanted.probe, path_map or [])
        if not os.path.exists(here):
            return [f"this machine cannot see the coordinator's files: {here} is missing (mount "
                    "the shared folder at the same path, or map it with --path-map / "
                    "queue_path_map 'COORDINATOR_PREFIX=LOCAL_PREFIX')"]
    try:
        mine = local_spec(wanted.settings, time_limit=wanted.time_limit, redeliver=wanted.redeliver)
    except MissingDependency as e:
        return [str(e)]
    found = []
    for lang, sha in sorted(wanted.languages.items()):
        here = mine.languages.get(lang, "missing")
        if here != sha:
            found.append(f"language pack '{lang}' differs: {lang}.traineddata here is "
                         f"{here[:12]}, at the coordinator {sha[:12]} (install the same "
                         f"{ocr.language_package(lang)} as the coordinator)")
    for method, key in sorted(wanted.keys.items()):
        here = mine.keys.get(method, "")
        if here != key:
            theirs, ours = key.split(";"), here.split(";")
            parts = [f"{a!r} here, {b!r} at the coordinator" for a, b in zip(ours, theirs) if a != b]
            if len(ours) != len(theirs) or not parts:
                parts = [f"{here!r} here, {key!r} at the coordinator"]
            found.append(f"method '{method}' reads differently: " + "; ".join(parts))
    return found


# --- tasks and results as JSON -----------------------------------------------------------------

def task_to_row(task: PageTask) -> dict[str, Any]:
    return asdict(task)


def task_from_row(row: dict[str, Any], path_map: list[tuple[str, str]] | None = None) -> PageTask:
    s = row["settings"]
    settings = OcrSettings(lang=s["lang"], dpi=int(s["dpi"]), timeout=float(s["timeout"]),
                           extra=tuple((str(k), str(v)) for k, v in s["extra"]))
    return PageTask(page_id=row["page_id"], path=map_path(row["path"], path_map or []),
                    source_kind=row["source_kind"], file_page=int(row["file_page"]),
                    sha256=row["sha256"], settings=settings, force_ocr=bool(row["force_ocr"]))


def result_to_row(result: PageResult) -> dict[str, Any]:
    """Every field as it is (words unrounded: the coordinator gets what the pool would)."""
    row = {f.name: getattr(result, f.name) for f in fields(result)}
    row["words"] = [[w.text, *w.box, w.conf, w.block, w.line, w.size, w.bold] for w in result.words]
    return row


def result_from_row(row: dict[str, Any]) -> PageResult:
    values = dict(row)
    values["words"] = tuple(Word(text, (x0, y0, x1, y1), conf, block, line, size, bool(bold))
                            for text, x0, y0, x1, y1, conf, block, line, size, bold in row["words"])
    return PageResult(**values)


def parse_path_map(text: str) -> list[tuple[str, str]]:
    """'A=B;C=D' -> [(A, B), (C, D)], longest coordinator prefix first."""
    pairs = []
    for part in text.split(";"):
        if not part.strip():
            continue
        theirs, sep, ours = part.partition("=")
        if not sep or not theirs.strip() or not ours.strip():
            raise ConfigError(f"queue_path_map: '{part}' is not COORDINATOR_PREFIX=LOCAL_PREFIX "
                              "(e.g. '/srv/bantin=/mnt/bantin')")
        pairs.append((theirs.strip().rstrip("/"), ours.strip().rstrip("/")))
    return sorted(pairs, key=lambda p: -len(p[0]))


def map_path(path: str, path_map: list[tuple[str, str]]) -> str:
    for theirs, ours in path_map:
        if path == theirs or path.startswith(theirs + "/"):
            return ours + path[len(theirs):]
    return path


def task_id(task: PageTask, spec: RunSpec, nonce: str = "") -> str:
    """The same page, source and settings give the same id: a rerun finds what was sent."""
    body = "|".join([task.page_id, task.sha256, str(task.force_ocr), spec.digest, nonce])
    return "page-" + hashlib.sha256(body.encode()).hexdigest()[:32]


# --- the Celery app ------------------------------------------------------------------------

def make_app(url: str, *, redeliver: float) -> Celery:
    """A Celery app on Redis ``url`` (broker and results) with the at-least-once settings."""
    app = Celery("bantin", broker=url, backend=url, set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUE_NAME,
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_acks_late=True,  # a page leaves the queue only when its result is stored
        task_reject_on_worker_lost=True,  # a worker process that dies gives its page back
        worker_prefetch_multiplier=1,  # a worker holds only the pages it is reading
        # a vanished machine's page goes back after `redeliver` seconds; the surviving workers
        # sweep for such pages every few seconds (kombu's default sweep is 100 s apart)
        broker_transport_options={"visibility_timeout": redeliver,
                                  "unacked_restore_interval": max(1.0, min(10.0, redeliver / 4)),
                                  "unacked_restore_throttle": 1},
        result_expires=RESULT_TTL,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    app.task(name=TASK_NAME, bind=True)(_page_task)
    return app


# The worker's own state, set by run_worker before the pool forks its processes.
_WORKER: dict[str, Any] = {"path_map": [], "digest": "", "url": ""}


def _page_task(self: Any, row: dict[str, Any], digest: str) -> dict[str, Any]:
    """One page on a worker: the local pool's extract_page, its result as JSON."""
    if digest != _WORKER["digest"]:
        current = redis.Redis.from_url(_WORKER["url"], decode_responses=True).get(RUN_KEY)
        if current is not None and RunSpec.from_json(current).digest == digest:
            # a new coordinator run with other settings: give the page back, check again
            log.warning("the coordinator's settings changed: this worker stops; start it again")
            os.kill(os.getppid() if os.getppid() > 1 else os.getpid(), signal.SIGTERM)
            raise Reject("settings changed", requeue=True)
        return {"stale": True}  # left over from a run that is over: nobody waits for it
    task = task_from_row(row, _WORKER["path_map"])
    # a page whose worker died under it twice (a crash, a lost machine) fails alone, as in the
    # local pool, instead of going round the workers for ever
    starts = f"bantin:starts:{self.request.id}"
    client = redis.Redis.from_url(_WORKER["url"])
    tries = int(client.incr(starts))
    client.expire(starts, RESULT_TTL)
    if tries > MAX_STARTS:
        return result_to_row(failure(task, f"a worker died on this page {tries - 1} times"))
    return result_to_row(extract_page(task))


# --- the coordinator -------------------------------------------------------------------------

def run_queue(tasks: list[PageTask], catalog: Catalog, config: Config,
              commit: Callable[[PageResult], None], bar: Progress, *, limit: float,
              force: bool = False) -> None:
    """Send ``tasks`` to the queue and ``commit`` each result as it comes back (once per page,
    only while the page's source and settings still match)."""
    url = config.queue
    redeliver = float(config.queue_redeliver) or limit + 60.0
    spec = replace(local_spec(tasks[0].settings, time_limit=limit, redeliver=redeliver),
                   probe=tasks[0].path)
    client = redis.Redis.from_url(url, decode_responses=True)
    _check_reachable(client, url)
    app = make_app(url, redeliver=redeliver)
    nonce = str(time.time()) if force else ""
    by_id = {task_id(t, spec, nonce): t for t in tasks}
    stats: dict[str, Any] = {
        "coordinator": f"{socket.gethostname()}:{os.getpid()}", "home": str(config.home),
        "started": time.time(), "total": len(tasks), "done": 0, "failed": 0,
        "updated": time.time(), "finished": 0.0}
    client.set(RUN_KEY, _record(spec, stats))
    # a killed coordinator's tasks: still queued or in flight, or their results wait in Redis
    # (a result outlives its sending by RESULT_TTL at least: older ones are sent again)
    when = {str(k): float(v) for k, v in client.hgetall(SENT_KEY).items()}
    already = {k for k, t in when.items() if time.time() - t < RESULT_TTL - 3600}
    stale = when.keys() - (already & by_id.keys())
    if stale:
        client.hdel(SENT_KEY, *stale)
    sent = already & by_id.keys()
    to_send = [i for i in by_id if i not in sent]
    if sent:
        log.info("resuming: %d pages sent by an earlier run are awaited, not sent again", len(sent))
    written: set[str] = set()
    last_note = last_record = time.monotonic()
    try:
        while sent or to_send:
            while to_send and len(sent) < WINDOW:
                tid = to_send.pop(0)
                client.hset(SENT_KEY, tid, time.time())
                app.send_task(TASK_NAME, args=[task_to_row(by_id[tid]), spec.digest], task_id=tid,
                              queue=QUEUE_NAME, time_limit=limit, soft_time_limit=limit - 5)
                sent.add(tid)
            got = 0
            for tid, meta in app.backend.get_many(list(sent), interval=0, max_iterations=1):
                got += 1
                task = by_id[tid]
                result = _result_of(task, meta)
                if (result is not None and task.page_id not in written
                        and still_current(catalog, result, spec)):
                    commit(result)
                    written.add(task.page_id)
                    stats["done" if not result.failed else "failed"] += 1
                    bar.advance(failed=result.failed)
                app.AsyncResult(tid).forget()
                client.delete(f"bantin:starts:{tid}")
                client.hdel(SENT_KEY, tid)
                sent.discard(tid)
            now = time.monotonic()
            if got or now - last_record > 2.0:
                last_record = now
                stats["updated"] = time.time()
                client.set(RUN_KEY, _record(spec, stats))
            if now - last_note > 10.0:
                last_note = now
                if not bar.enabled and not progress.QUIET:  # a line every 10 s in a log
                    log.warning("extract: %d/%d pages, %d failed, %d waiting in the queue",
                                stats["done"] + stats["failed"], len(tasks), stats["failed"],
                                queue_depth(client))
            if not got:
                time.sleep(0.1)
    finally:
        stats["updated"] = stats["finished"] = time.time()
        client.set(RUN_KEY, _record(spec, stats))


def _record(spec: RunSpec, stats: dict[str, Any]) -> str:
    data = json.loads(spec.to_json())
    data["progress"] = stats
    return json.dumps(data, sort_keys=True)


def _check_reachable(client: redis.Redis, url: str) -> None:
    try:
        client.ping()
    except redis.RedisError as e:
        raise ConfigError(f"the queue {url} does not answer ({e}): start redis-server there, "
                          "or fix `queue` (redis://HOST:PORT/DB)") from e


def _result_of(task: PageTask, meta: dict[str, Any]) -> PageResult | None:
    """The page's result from a task's stored outcome (None: nothing to write)."""
    if meta.get("status") == "SUCCESS":
        row = meta.get("result")
        if not isinstance(row, dict) or row.get("stale"):
            return None
        return result_from_row(row)
    error = meta.get("result")
    name = type(error).__name__ if isinstance(error, BaseException) else "error"
    if name == "TimeLimitExceeded" or "TimeLimitExceeded" in str(error):
        return failure(task, f"timed out on a queue worker ({error})")
    return failure(task, f"the queue worker failed ({name}: {error})")


def still_current(catalog: Catalog, result: PageResult, spec: RunSpec) -> bool:
    """Whether the page's source is the one read, and the method's key the coordinator's."""
    row = catalog.one("SELECT sha256 FROM page WHERE id = ?", (result.page_id,))
    if row is None or row["sha256"] != result.sha256:
        return False
    return result.failed or spec.keys.get(result.method) == result.settings_key


# --- the worker ------------------------------------------------------------------------------

def wait_for_run(client: redis.Redis, url: str, *, wait: float) -> RunSpec:
    """The coordinator's run record, waiting up to ``wait`` seconds for one to appear."""
    _check_reachable(client, url)
    deadline = time.monotonic() + wait
    said = False
    while True:
        raw = client.get(RUN_KEY)
        if raw is not None:
            return RunSpec.from_json(raw)
        if time.monotonic() >= deadline:
            raise ConfigError(f"no coordinator has used the queue {url} yet: run `bantin extract "
                              f"--queue {url}` (or `bantin build --queue ...`) on the catalog's "
                              "machine, then start the worker")
        if not said:
            log.warning("waiting for a coordinator on %s", url)
            said = True
        time.sleep(1.0)


def run_worker(config: Config, *, concurrency: int, wait: float = 600.0,
               hostname: str | None = None) -> None:
    """Check this machine against the coordinator's run, then read pages until stopped."""
    url = config.queue
    client = redis.Redis.from_url(url, decode_responses=True)
    spec = wait_for_run(client, url, wait=wait)
    path_map = parse_path_map(config.queue_path_map)
    found = differences(spec, path_map)
    if found:
        raise MissingDependency("this worker would read pages differently from the coordinator, "
                                "so it takes no work: " + " | ".join(found))
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one Tesseract thread per process, as in the local pool
    temp = os.path.join(tempfile.gettempdir(), "bantin-worker")  # left by a killed worker: cleaned
    ocr.clean_temp(temp)
    ocr.set_temp_root(temp)
    ocr.set_engine_mode(config.ocr_engine)
    _WORKER.update(path_map=path_map, digest=spec.digest, url=url)
    app = make_app(url, redeliver=spec.redeliver)
    name = hostname or f"bantin-{os.getpid()}@{socket.gethostname()}"
    worker = app.Worker(hostname=name, concurrency=concurrency, pool="prefork",
                        queues=[QUEUE_NAME], loglevel="WARNING", quiet=True,
                        without_gossip=True, without_mingle=True)
    worker.start()
    code = getattr(worker, "exitcode", 0)
    if code:
        raise SystemExit(code)


# --- operations ----------------------------------------------------------------------------

def queue_depth(client: redis.Redis) -> int:
    """Pages waiting in the queue (kombu keeps one Redis list per priority step)."""
    names = [QUEUE_NAME] + [f"{QUEUE_NAME}\x06\x16{p}" for p in range(1, 10)]
    return int(sum(client.llen(n) for n in names))


def queue_status(url: str, *, ping_timeout: float = 1.0) -> dict[str, Any]:
    """Queue depth, workers answering, the run's progress (pages per minute, failures)."""
    client = redis.Redis.from_url(url, decode_responses=True)
    _check_reachable(client, url)
    status: dict[str, Any] = {"url": _without_password(url), "depth": queue_depth(client),
                              "in_flight": int(client.hlen(SENT_KEY)), "workers": [],
                              "running": False, "done": 0, "failed": 0, "total": 0,
                              "pages_per_minute": 0.0}
    raw = client.get(RUN_KEY)
    redeliver = 60.0
    if raw is not None:
        data = json.loads(raw)
        redeliver = float(data.get("redeliver", 60.0))
        p = data.get("progress", {})
        elapsed = max(float(p.get("updated", 0)) - float(p.get("started", 0)), 1e-9)
        status.update(done=int(p.get("done", 0)), failed=int(p.get("failed", 0)),
                      total=int(p.get("total", 0)), coordinator=p.get("coordinator", ""),
                      running=not p.get("finished") and time.time() - float(p.get("updated", 0)) < 30,
                      pages_per_minute=round(60.0 * (int(p.get("done", 0)) + int(p.get("failed", 0)))
                                             / elapsed, 1))
    app = make_app(url, redeliver=redeliver)
    replies = app.control.ping(timeout=ping_timeout) or []
    status["workers"] = sorted(name for reply in replies for name in reply)
    return status


def _without_password(url: str) -> str:
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    scheme, _, _ = head.partition("://")
    return f"{scheme}://***@{tail}"
