"""What editors make must outlive everything derived and every crash: a correction and a
collection survive deleting the search index and caches then `bantin build`; a backup
restored into an empty home gives the same corrections, collections and users; a server
killed (SIGKILL, a real waitress process) in the middle of saving leaves the old version or
the new one, whole, and whatever the refresh did not finish is caught up afterwards."""
# ruff: noqa: F811  (pytest fixtures imported from tests.desk_fixtures are redefined as arguments)
from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from archive import collections as data
from archive.editorial import page_history
from bantin.main import main
from indexer.segment.edits import article_history, edit_article
from tests.desk_fixtures import (  # noqa: F401  (fixtures)
    CORRECT,
    MISREAD,
    PASSWORD,
    VILLAGE_TITLE,
    DeskHome,
    csrf_from,
    desk_home,
    desk_template,
    field,
    login,
    make_app,
    search_ids,
    textarea,
)

REPO = Path(__file__).resolve().parent.parent


def correct_through_the_app(home: DeskHome) -> tuple[str, str]:
    """An editor fixes the misread word and gathers the article in a collection; returns
    (page id, collection slug)."""
    app = make_app(home)
    editor = app.test_client()
    login(editor, "bientap")
    page_id = home.page_of(MISREAD)
    issue_id, seq = page_id.split("/")
    html = editor.get(f"/desk/i/{issue_id}/{seq}").get_data(as_text=True)
    r = editor.post(f"/desk/i/{issue_id}/{seq}", data={
        "text": re.sub(rf"\b{MISREAD}\b", CORRECT, textarea(html)), "reason": "tên huyện",
        "base_version": field(html, "base_version"), "csrf_token": csrf_from(html)})
    assert r.status_code == 302
    assert editor.get(f"/img/{issue_id}/{seq}/view.jpg").status_code == 200  # the cache has a page
    article_id = home.article_id(VILLAGE_TITLE)
    r = editor.post("/c/add", data={"kind": "article", "ref": article_id, "new_name": "Minh chứng",
                                    "note": "ghi chú", "next": "/", "csrf_token": csrf_from(html)})
    assert r.status_code == 302
    with home.catalog() as c:
        edit_article(c, article_id, {"kind": "tin"}, author="bientap", base_version=0)
        slug = data.list_collections(c)[0].slug
    return page_id, slug


def test_correction_and_collection_survive_deleting_index_and_caches_then_build(desk_home: DeskHome) -> None:
    page_id, slug = correct_through_the_app(desk_home)
    article_id = desk_home.article_id(VILLAGE_TITLE)
    assert (desk_home.path / "index/cache").exists()
    shutil.rmtree(desk_home.path / "index/search")
    shutil.rmtree(desk_home.path / "index/cache")
    assert main(["--home", str(desk_home.path), "--quiet", "build", "-j", "1"]) == 0
    assert search_ids(desk_home, f'"Na {CORRECT}"') == [article_id]
    assert search_ids(desk_home, f'"Na {MISREAD}"') == []
    with desk_home.catalog() as c:
        assert [v.version for v in page_history(c, page_id)] == [0, 1]
        assert c.one("SELECT kind FROM article WHERE id = ?", (article_id,))["kind"] == "tin"
        found = data.get_collection(c, slug)
        assert found is not None and [(i.ref, i.note) for i in found.items] == [(article_id, "ghi chú")]
    reader = make_app(desk_home).test_client()
    login(reader, "doc")
    assert f'href="/a/{article_id}"' in reader.get(f"/c/{slug}").get_data(as_text=True)


def _dump(path: Path, sql: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(path)
    try:
        return [tuple(r) for r in db.execute(sql)]
    finally:
        db.close()


EDITORIAL = ["SELECT page_id, version, text, words, author, at, reason FROM page_version ORDER BY 1, 2",
             "SELECT article_id, version, fields, author FROM article_version ORDER BY 1, 2",
             "SELECT slug, name, owner FROM collection ORDER BY 1",
             ("SELECT c.slug, i.position, i.kind, i.ref, i.note FROM collection_item i JOIN collection c"
              " ON c.id = i.collection_id ORDER BY 1, 2"),
             "SELECT name, role, password_hash, disabled FROM account ORDER BY 1",
             "SELECT user, action, target FROM audit ORDER BY id"]


def test_backup_then_restore_into_an_empty_home(desk_home: DeskHome, tmp_path: Path) -> None:
    correct_through_the_app(desk_home)
    out = tmp_path / "backup.zip"
    assert main(["--home", str(desk_home.path), "--quiet", "backup", "--out", str(out)]) == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["--home", str(empty), "--quiet", "restore", str(out)]) == 0
    source, restored = desk_home.path / "index/catalog.sqlite", empty / "index/catalog.sqlite"
    for sql in EDITORIAL:
        assert _dump(restored, sql) == _dump(source, sql), sql
    assert _dump(restored, EDITORIAL[0]) and _dump(restored, EDITORIAL[3])
    # the restored home serves the corrected text to a user whose password came along
    restored_home = DeskHome(empty)
    app = make_app(restored_home)
    reader = app.test_client()
    login(reader, "doc")
    page_id = desk_home.page_of(MISREAD)
    issue_id, seq = page_id.split("/")
    text = reader.get(f"/i/{issue_id}/{seq}").get_data(as_text=True)
    pane = re.sub(r"<[^>]+>", " ", text.split('id="page-text"')[1]).split()
    assert "đã hiệu đính (bản 1)" in text and CORRECT in pane and MISREAD not in pane


# --- a real server killed in the middle of a save ----------------------------------------------

class Server:
    """`bantin serve` in a subprocess (two waitress worker processes, as on a 2-core
    machine), with a fault injected (BANTIN_EDIT_FAULT)."""

    def __init__(self, home: DeskHome, fault: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {**os.environ, "BANTIN_SECRET_KEY": "k" * 48, "PYTHONPATH": str(REPO),
               "BANTIN_EDIT_FAULT": fault}
        entry = "import sys; from bantin.main import main; sys.exit(main())"
        argv = [sys.executable, "-c", entry, "--home", str(home.path), "serve", "--port", str(self.port),
                "--threads", "4", "--workers", "2"]
        self.proc = subprocess.Popen(argv, env=env, cwd=REPO,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)  # its own process group: parent and workers
        self.stderr: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.cookies: dict[str, str] = {}
        deadline = time.monotonic() + 120  # a loaded CI machine starts Python slowly
        while True:
            try:
                self.request("GET", "/healthz")
                break
            except OSError:
                assert self.proc.poll() is None and time.monotonic() < deadline, "".join(self.stderr)
                time.sleep(0.2)

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                timeout: float = 30) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        for value in r.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        text = r.read().decode("utf-8", "replace")
        conn.close()
        return r.status, text

    def login(self, name: str) -> None:
        _, page = self.request("GET", "/login")
        status, _ = self.request("POST", "/login", {"name": name, "password": PASSWORD,
                                                    "csrf_token": csrf_from(page)})
        assert status == 302

    def wait_for(self, marker: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(marker in line for line in self.stderr):
            assert self.proc.poll() is None, "".join(self.stderr)
            assert time.monotonic() < deadline, f"no {marker!r} in {''.join(self.stderr)}"
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL to the server and every worker process it forked, as a power cut would."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while True:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return  # none left
            assert time.monotonic() < deadline, "server processes survived SIGKILL"
            time.sleep(0.05)


def post_in_background(server: Server, path: str, form: dict[str, str]) -> threading.Thread:
    def go() -> None:
        try:
            server.request("POST", path, form, timeout=60)
        except OSError:
            pass  # the server dies under the request

    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    return thread


def check_catalog(home: DeskHome) -> None:
    db = sqlite3.connect(home.path / "index/catalog.sqlite")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()


@pytest.mark.slow
def test_server_killed_while_saving_a_page_leaves_the_old_or_the_new_version(desk_home: DeskHome) -> None:
    page_id = desk_home.page_of(MISREAD)
    issue_id, seq = page_id.split("/")
    with desk_home.catalog() as c:
        old = c.page_text(page_id)["text"]
    new = old.replace(MISREAD, CORRECT)
    server = Server(desk_home, "page-save")
    try:
        server.login("bientap")
        _, html = server.request("GET", f"/desk/i/{issue_id}/{seq}")
        thread = post_in_background(server, f"/desk/i/{issue_id}/{seq}", {
            "text": new, "base_version": "0", "reason": "giữa chừng", "csrf_token": csrf_from(html)})
        server.wait_for("FAULT page-save")  # inside the save's transaction, version 1 written
    finally:
        server.kill()
    thread.join(timeout=10)
    check_catalog(desk_home)
    with desk_home.catalog() as c:
        versions = page_history(c, page_id)
        audit = c.query("SELECT * FROM audit WHERE action = 'page-correct'")
    # old or new, whole: here the transaction never committed, so the old one, and no audit row
    assert [(v.version, v.text) for v in versions] in ([(0, old)], [(0, old), (1, new)])
    assert len(audit) == len(versions) - 1
    assert versions[-1].text == old and audit == []
    # the page works on: an editor saves the correction normally
    app = make_app(desk_home)
    editor = app.test_client()
    login(editor, "bientap")
    html = editor.get(f"/desk/i/{issue_id}/{seq}").get_data(as_text=True)
    assert textarea(html) == old and field(html, "base_version") == "0"


@pytest.mark.slow
def test_server_killed_after_the_save_before_the_index_caught_up(desk_home: DeskHome) -> None:
    page_id = desk_home.page_of(MISREAD)
    issue_id, seq = page_id.split("/")
    article_id = desk_home.article_id(VILLAGE_TITLE)
    with desk_home.catalog() as c:
        new = c.page_text(page_id)["text"].replace(MISREAD, CORRECT)
    server = Server(desk_home, "refresh")
    try:
        server.login("bientap")
        _, html = server.request("GET", f"/desk/i/{issue_id}/{seq}")
        thread = post_in_background(server, f"/desk/i/{issue_id}/{seq}", {
            "text": new, "base_version": "0", "csrf_token": csrf_from(html)})
        server.wait_for("FAULT refresh")  # committed; articles and index not yet redone
    finally:
        server.kill()
    thread.join(timeout=10)
    check_catalog(desk_home)
    with desk_home.catalog() as c:
        assert [v.text for v in page_history(c, page_id)][-1] == new  # the new version, whole
        assert c.one("SELECT 1 FROM audit WHERE action = 'page-correct' AND target = ?", (page_id,))
        assert [r["doc_id"] for r in c.query("SELECT doc_id FROM reindex_queue")] == [page_id]
    assert search_ids(desk_home, f'"Na {CORRECT}"') == []  # not caught up yet
    assert main(["--home", str(desk_home.path), "--quiet", "refresh"]) == 0
    assert search_ids(desk_home, f'"Na {CORRECT}"') == [article_id]
    with desk_home.catalog() as c:
        assert c.query("SELECT * FROM reindex_queue") == []


@pytest.mark.slow
def test_server_killed_while_saving_an_article(desk_home: DeskHome) -> None:
    article_id = desk_home.article_id(VILLAGE_TITLE)
    with desk_home.catalog() as c:
        before = dict(c.one("SELECT * FROM article WHERE id = ?", (article_id,)))
    server = Server(desk_home, "article-save")
    try:
        server.login("bientap")
        _, html = server.request("GET", f"/desk/a/{article_id}")
        thread = post_in_background(server, f"/desk/a/{article_id}", {
            "title": "Tiêu đề mới", "kind": "tin", "base_version": "0", "csrf_token": csrf_from(html)})
        server.wait_for("FAULT article-save")
    finally:
        server.kill()
    thread.join(timeout=10)
    check_catalog(desk_home)
    with desk_home.catalog() as c:
        assert [v.version for v in article_history(c, article_id)] == [0]
        assert dict(c.one("SELECT * FROM article WHERE id = ?", (article_id,))) == before


# --- the refresh process of `bantin serve` -----------------------------------------------------

def follow(server: Server, path: str, form: dict[str, str]) -> tuple[int, float, str]:
    """POST ``form``, then GET where it redirects; (status of the POST, its seconds, the page)."""
    started = time.monotonic()
    status, _ = server.request("POST", path, form, timeout=60)
    seconds = time.monotonic() - started
    _, page = server.request("GET", path)
    return status, seconds, page


@pytest.mark.slow
def test_a_save_is_searchable_through_the_refresh_process(desk_home: DeskHome) -> None:
    page_id = desk_home.page_of(MISREAD)
    issue_id, seq = page_id.split("/")
    article_id = desk_home.article_id(VILLAGE_TITLE)
    with desk_home.catalog() as c:
        new = c.page_text(page_id)["text"].replace(MISREAD, CORRECT)
    server = Server(desk_home, "none")
    try:
        children = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True,
                                  text=True).stdout.split()
        assert len(children) == 3  # two server processes and the refresh process
        server.login("bientap")
        _, html = server.request("GET", f"/desk/i/{issue_id}/{seq}")
        status, _, page = follow(server, f"/desk/i/{issue_id}/{seq}", {
            "text": new, "base_version": "0", "csrf_token": csrf_from(html)})
        assert status == 302
        assert "Đã lưu" in page
        deadline = time.monotonic() + 60
        while search_ids(desk_home, f'"Na {CORRECT}"') != [article_id]:
            assert time.monotonic() < deadline, "".join(server.stderr)
            time.sleep(0.2)
        with desk_home.catalog() as c:
            assert c.query("SELECT * FROM reindex_queue") == []
    finally:
        server.kill()


@pytest.mark.slow
def test_a_save_answers_within_refresh_wait_while_the_refresh_is_stuck(desk_home: DeskHome) -> None:
    page_id = desk_home.page_of(MISREAD)
    issue_id, seq = page_id.split("/")
    with desk_home.catalog() as c:
        new = c.page_text(page_id)["text"].replace(MISREAD, CORRECT)
    server = Server(desk_home, "refresh")  # the refresh process stops at its start
    try:
        server.login("bientap")
        _, html = server.request("GET", f"/desk/i/{issue_id}/{seq}")
        status, seconds, page = follow(server, f"/desk/i/{issue_id}/{seq}", {
            "text": new, "base_version": "0", "csrf_token": csrf_from(html)})
        server.wait_for("FAULT refresh")
    finally:
        server.kill()
    assert status == 302
    assert seconds < 30  # the request gave up waiting (refresh_wait, 1 s) instead of hanging
    assert "đang được cập nhật" in page
    with desk_home.catalog() as c:
        assert [v.text for v in page_history(c, page_id)][-1] == new  # saved, whole
        assert [r["doc_id"] for r in c.query("SELECT doc_id FROM reindex_queue")] == [page_id]


def test_a_save_made_while_a_refresh_runs_stays_queued_and_is_caught_up(desk_home: DeskHome,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two saves of one page in quick succession: the second commits while the first one's
    refresh is re-segmenting. That refresh must not forget the second (it did not see it)."""
    import indexer.refresh as refreshing
    from archive.editorial import correct_page

    page_id = desk_home.page_of(MISREAD)
    article_id = desk_home.article_id(VILLAGE_TITLE)
    segment = refreshing.run_segment
    with desk_home.catalog() as c:
        first = c.page_text(page_id)["text"].replace(MISREAD, "Hanx")
        correct_page(c, page_id, first, author="bientap", base_version=0)

        def segment_then_a_second_save(*args: Any, **kw: Any) -> Any:
            done = segment(*args, **kw)
            with desk_home.catalog() as other:  # another editor's request, another connection
                correct_page(other, page_id, first.replace("Hanx", CORRECT), author="bientap",
                             base_version=1)
            return done

        monkeypatch.setattr(refreshing, "run_segment", segment_then_a_second_save)
        refreshing.refresh(c, desk_home.config, pages=[page_id])
        monkeypatch.setattr(refreshing, "run_segment", segment)
        assert search_ids(desk_home, f'"Na {CORRECT}"') == []  # the first refresh saw "Hanx"
        assert [r["doc_id"] for r in c.query("SELECT doc_id FROM reindex_queue")] == [page_id]
        assert refreshing.drain_queue(c, desk_home.config) is not None
        assert search_ids(desk_home, f'"Na {CORRECT}"') == [article_id]
        assert c.query("SELECT * FROM reindex_queue") == []
