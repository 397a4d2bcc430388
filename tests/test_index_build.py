"""The index stage: rebuilt from scratch gives the same results, incremental updates touch only
what changed, corrections are searchable at once, and kill -9 never breaks the index."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest

from archive.catalog import Catalog
from archive.editorial import correct_page
from archive.errors import IndexLocked
from bantin.stages import BUILD_STAGES
from indexer.search.build import build_index, drain_queue, update_documents
from indexer.search.engine import SearchIndex, search
from indexer.search.generations import CURRENT, IndexStore, Manifest
from indexer.search.query import SearchRequest
from tests.conftest import BANTIN, REPO
from tests.search_fixtures import Art, Iss, article_id, config_for, fill, put_issue
from tests.web_fixtures import web_home_factory  # noqa: F401  (fixture)

WORDS = ("đảng viên chi bộ sinh hoạt nghị quyết nhân dân kinh tế xã hội phát triển văn hóa "
         "giáo dục an ninh quốc phòng tham nhũng kiểm tra giám sát cán bộ lãnh đạo quản lý "
         "nông thôn mới hợp tác xã chuyển đổi số môi trường thiên tai").split()


def make_issues(n_issues: int, per_issue: int = 4, words: int = 80) -> list[Iss]:
    """Issues of plain text, deterministic, different enough to rank."""
    issues = []
    for i in range(n_issues):
        year = 1990 + i % 30
        arts = []
        for k in range(per_issue):
            body = " ".join(WORDS[(i * 7 + k * 3 + j * j) % len(WORDS)] for j in range(words))
            if (i + k) % 3 == 0:
                body += " Nâng cao chất lượng sinh hoạt\nchi bộ."
            arts.append(Art(f"Bài {i}-{k} về {WORDS[(i + k) % len(WORDS)]}", [body], page=k + 1,
                            section="Những vấn đề chung" if k % 2 else "Thông tin thời sự",
                            topics=(("kinh-te",) if k % 2 else ("xay-dung-dang",)),
                            refs=(("21-NQ/TW",) if (i + k) % 5 == 0 else ())))
        issues.append(Iss("ttshcb" if i % 2 else "tbnb", year, f"{i:02d}", 1 + i % 12,
                          articles=arts, pages=per_issue + 1,
                          extra_page_text={per_issue + 1: f"Trang cuối số {i} chi bộ"}))
    return issues


QUERIES = [SearchRequest(q=q, **kw) for q, kw in [
    ("chi bộ", {}), ('"sinh hoạt chi bộ"', {}), ("nong thon moi", {"sort": "date"}),
    ("21-NQ/TW", {}), ("", {"series": "tbnb", "year_from": 1995}), ("tham nhũng", {"target": "pages"}),
    ("kinh te OR van hoa", {"topic": "kinh-te"}),
]]


def snapshot(config, catalog) -> list[tuple]:  # type: ignore[no-untyped-def]
    out = []
    for request in QUERIES:
        r = search(config, replace(request, per_page=50), catalog)
        out.append((r.total, [(h.id, h.score) for h in r.hits], r.facets, r.index_version))
    return out


@pytest.fixture
def built(home: Path, catalog: Catalog):
    issues = make_issues(12)
    fill(catalog, issues)
    config = config_for(home)
    report = build_index(catalog, config)
    assert report.full and report.documents == 12 * 4 + 12 * 5
    return config, catalog, issues


def test_rebuilt_from_scratch_gives_the_same_results(built) -> None:
    config, catalog, _issues = built
    before = snapshot(config, catalog)
    assert before[0][0] > 0 and before[1][0] > 0
    report = build_index(catalog, config, rebuild=True)
    assert report.full
    assert snapshot(config, catalog) == before
    # deleting the whole search folder and building again: the same too
    import shutil

    shutil.rmtree(config.search_dir)
    build_index(catalog, config)
    assert snapshot(config, catalog) == before


def test_rerun_with_nothing_changed_writes_nothing(built) -> None:
    config, catalog, _issues = built
    store = IndexStore(config.search_dir)
    gen = store.current()
    report = build_index(catalog, config)
    assert (report.added, report.updated, report.deleted, report.full) == (0, 0, 0, False)
    assert store.current() == gen


def test_incremental_update_rewrites_only_changed_documents(built) -> None:
    config, catalog, issues = built
    store = IndexStore(config.search_dir)
    old_gen = store.current()
    assert old_gen is not None
    old_files = _segment_files(old_gen)
    iss = issues[3]
    iss.articles[1] = replace(iss.articles[1], paragraphs=["Một từ mới: xylanh trong bài."])
    put_issue(catalog, iss)  # the article and the page its lines are on change
    report = build_index(catalog, config)
    assert not report.full
    assert report.updated == 2 and report.added == 0 and report.deleted == 0  # article + its page
    new_gen = store.current()
    assert new_gen != old_gen
    # the segments already written are shared (hard links), not rewritten
    new_files = _segment_files(new_gen)
    assert old_files and all(new_files.get(name) == ino for name, ino in old_files.items())
    segments = {name.split(".")[0] for name in new_files}
    assert len(segments) == len({name.split(".")[0] for name in old_files}) + 1
    hit = search(config, SearchRequest(q="xylanh"), catalog)
    assert [h.id for h in hit.hits] == [article_id(iss.id, iss.articles[1])]
    # and the same results as a build from scratch of the same catalog
    incremental = snapshot(config, catalog)
    build_index(catalog, config, rebuild=True)
    assert snapshot(config, catalog) == incremental


def test_whoosh_merges_the_bulk_writers_segments(built, monkeypatch) -> None:
    """Small segments left by updates are merged by Whoosh's own writer, which must read the
    bulk writer's blocks (array deltas, packed positions): same results after the merge."""
    import indexer.search.build as build

    config, catalog, issues = built
    monkeypatch.setattr(build, "MAX_SEGMENTS", 2)
    monkeypatch.setattr(build, "SMALL_SEGMENT", 10**6)
    for n, iss in enumerate(issues[:3]):
        iss.articles[2] = replace(iss.articles[2], paragraphs=[f"Sinh hoạt chi bộ định kỳ lần {n}."])
        put_issue(catalog, iss)
        build_index(catalog, config)
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(IndexStore(config.search_dir).current()))
    assert len(ix._segments()) <= 2  # not 4: the build's segment and the updates' were merged
    ix.close()
    merged = snapshot(config, catalog)
    build_index(catalog, config, rebuild=True)
    assert snapshot(config, catalog) == merged


def _segment_files(gen: Path) -> dict[str, int]:
    """Whoosh's segment files of a generation (``MAIN_<segment>.<ext>``) and their inodes."""
    return {p.name: p.stat().st_ino for p in gen.iterdir()
            if p.name.startswith("MAIN_") and not p.name.endswith("LOCK")}


def test_deleted_articles_leave_the_index(built) -> None:
    config, catalog, issues = built
    gone = article_id(issues[0].id, issues[0].articles[0])
    with catalog.transaction() as db:
        db.execute("DELETE FROM article WHERE id = ?", (gone,))
    report = build_index(catalog, config)
    assert report.deleted == 1
    everything = search(config, SearchRequest(q="", per_page=1000), catalog)
    assert gone not in {h.id for h in everything.hits}
    assert "tbnb-1990-00/1" in {h.id for h in everything.hits}  # its page now stands alone


def test_a_correction_is_searchable_within_seconds(built) -> None:
    config, catalog, issues = built
    reader = SearchIndex(config.search_dir)
    page_id = f"{issues[2].id}/{issues[2].pages}"
    assert reader.search(SearchRequest(q="quyxyz", target="pages"), catalog).total == 0
    correct_page(catalog, page_id, "Trang đã sửa: quyxyz chi bộ", author="bientap", base_version=0)
    started = time.monotonic()
    report = update_documents(catalog, config, [page_id])
    assert time.monotonic() - started < 5
    assert report.updated == 1 and not report.full
    result = reader.search(SearchRequest(q="quyxyz", target="pages"), catalog)  # same reader object
    assert [h.id for h in result.hits] == [page_id]
    assert result.index_version == report.index_version
    # an article's correction: indexer/segment/edits.py rewrites the article row (the
    # articles in force) and queues it; the queue is drained by update_documents
    art = article_id(issues[1].id, issues[1].articles[0])
    with catalog.transaction() as db:
        db.execute("UPDATE article SET title = 'Tiêu đề đã sửa zyxwv' WHERE id = ?", (art,))
        db.execute("INSERT INTO reindex_queue(doc_id, kind, at) VALUES (?, 'article', ?)",
                   (art, "2026-01-01T00:00:00Z"))
    drain_queue(catalog, config)
    assert [h.id for h in reader.search(SearchRequest(q="zyxwv"), catalog).hits] == [art]
    assert catalog.query("SELECT * FROM reindex_queue") == []


def test_topic_list_version_change_rebuilds(built) -> None:
    config, catalog, _issues = built
    with catalog.transaction() as db:
        db.execute("UPDATE article_topic SET topics_version = 't2'")
    report = build_index(catalog, config)
    assert report.full
    meta = Manifest(IndexStore(config.search_dir).current(), readonly=True).meta()  # type: ignore[arg-type]
    assert meta["topics"] == "t2"


def test_one_writer_at_a_time(home: Path) -> None:
    store = IndexStore(home / "index" / "search")
    with store.writing(), pytest.raises(IndexLocked, match="another process"), store.writing(timeout=0.2):
        pass


def test_index_is_the_last_build_stage() -> None:
    assert BUILD_STAGES[-1][0] == "index"


# --- crashes --------------------------------------------------------------------------------

def _start(home: Path, *args: str, fault: str = "") -> subprocess.Popen[str]:
    env = {**os.environ, "BANTIN_HOME": str(home), "PYTHONPATH": str(REPO)}
    if fault:
        env["BANTIN_INDEX_FAULT"] = fault
    return subprocess.Popen([*BANTIN, "--quiet", *args], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for_fault(proc: subprocess.Popen[str]) -> None:
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if line.startswith("FAULT"):
            return
        if not line and proc.poll() is not None:
            raise AssertionError(f"indexer ended before the fault point: {proc.returncode}")
    raise AssertionError("indexer did not reach the fault point")


@pytest.mark.parametrize("fault", ["stall-after-docs:3", "stall-before-publish"])
def test_sigkill_during_an_update_leaves_the_previous_index_working(built, fault: str) -> None:
    config, catalog, issues = built
    home = config.home
    before = snapshot(config, catalog)
    current_before = (config.search_dir / CURRENT).read_text()
    for iss in issues[:4]:  # change four issues: their articles and pages
        iss.articles[0] = replace(iss.articles[0], paragraphs=[f"Nội dung mới quyxyz số {iss.number}."])
        put_issue(catalog, iss)
    proc = _start(home, "index", fault=fault)
    try:
        _wait_for_fault(proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    # the half-written generation is there, but readers still use the complete one
    assert (config.search_dir / CURRENT).read_text() == current_before
    assert len(IndexStore(config.search_dir).generations()) >= 2
    fresh = SearchIndex(config.search_dir)
    assert fresh.search(SearchRequest(q="quyxyz"), catalog).total == 0
    assert snapshot(config, catalog)[0][0] == before[0][0]  # old numbers still served
    # the next run finishes the job and clears the debris
    done = subprocess.run([*BANTIN, "--quiet", "index"], cwd=REPO, text=True, capture_output=True,
                          env={**os.environ, "BANTIN_HOME": str(home), "PYTHONPATH": str(REPO)},
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert fresh.search(SearchRequest(q="quyxyz"), catalog).total == 4
    store = IndexStore(config.search_dir)
    assert [g for g in store.generations() if g.name > store.current().name] == []  # type: ignore[union-attr]


def test_sigkill_at_a_random_moment_of_a_rebuild(built) -> None:
    config, catalog, _issues = built
    before = snapshot(config, catalog)
    for delay in (0.3, 0.8, 1.5):
        proc = _start(config.home, "index", "--rebuild")
        time.sleep(delay)
        proc.kill()
        proc.wait(timeout=30)
        fresh = SearchIndex(config.search_dir)
        result = fresh.search(SearchRequest(q="chi bộ", per_page=50), catalog)
        assert (result.total, [h.id for h in result.hits]) == (before[0][0], [i for i, _s in before[0][1]])


# --- issue 18: a damaged index is detected, reported in one line, and rebuilt ---------------

def _damage(gen: Path, *, every: bool = True) -> list[str]:
    """Overwrite 64 bytes in the middle of the generation's index files with random bytes
    (sizes unchanged); returns the names damaged."""
    files = [p for p in sorted(gen.iterdir()) if p.is_file() and not p.name.startswith("manifest")
             and p.stat().st_size > 128]
    files = files if every else [max(files, key=lambda p: p.stat().st_size)]
    for path in files:
        with open(path, "r+b") as f:
            f.seek(path.stat().st_size // 2)
            f.write(os.urandom(64))
    return [p.name for p in files]


def test_a_damaged_index_is_detected_and_rebuilt(built) -> None:
    config, catalog, _issues = built
    home = config.home
    ok = subprocess.run([*BANTIN, "--home", str(home), "--quiet", "index", "--check"], cwd=REPO,
                        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert ok.returncode == 0 and "index: sound" in ok.stdout, ok.stderr
    before = snapshot(config, catalog)
    store = IndexStore(config.search_dir)
    damaged = _damage(store.current(), every=False)  # one segment file: only the checksum tells

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*BANTIN, "--home", str(home), "--quiet", *args], cwd=REPO,
                              capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})

    check = run("index", "--check")
    assert check.returncode == 4, check
    assert len(check.stderr.strip().splitlines()) == 1 and damaged[0] in check.stderr
    assert "damaged" in check.stderr and "bantin index --rebuild" in check.stderr
    _damage(store.current())  # now every file: opening it fails
    found = run("search", "chi bộ")
    assert found.returncode == 4 and "Traceback" not in found.stderr, found.stderr
    assert len(found.stderr.strip().splitlines()) == 1 and "bantin index --rebuild" in found.stderr
    rebuilt = run("index")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "current" not in rebuilt.stderr + rebuilt.stdout and "damaged" in rebuilt.stderr + rebuilt.stdout
    assert run("index", "--check").returncode == 0
    assert snapshot(config, catalog) == before


def test_the_web_app_answers_503_on_a_damaged_index(web_home_factory, caplog) -> None:  # noqa: F811
    from tests.web_fixtures import login, make_app

    home = web_home_factory()
    _damage(IndexStore(home.config.search_dir).current(), every=False)  # one file: the checksums tell
    app = make_app(home)
    client = app.test_client()
    login(client, "doc")
    caplog.set_level("ERROR")
    for url in ("/search?q=chi+bo", "/api/search?q=chi+bo", "/search/export.csv?q=chi+bo",
                "/coverage/trends"):
        r = client.get(url)
        assert r.status_code == 503, (url, r.status_code)
        assert "Chỉ mục tìm kiếm bị hỏng" in r.get_data(as_text=True), url
    assert "bantin index --rebuild" in caplog.text
    assert client.get("/coverage/structure").status_code == 200  # counted from the catalog: still there


def test_an_index_made_by_an_older_version_is_refused_not_misread(web_home_factory, caplog) -> None:  # noqa: F811
    """Code upgraded, index not yet rebuilt: today's reader misread an older format's postings
    (IndexError, a 500 on search and /coverage/trends). It is refused with what to run."""
    from indexer.search.generations import Manifest
    from tests.web_fixtures import login, make_app

    home = web_home_factory()
    gen = IndexStore(home.config.search_dir).current()
    manifest = Manifest(gen)
    manifest.set_meta(schema="s-6")  # as an index written before the positional exact field
    manifest.close()
    client = make_app(home).test_client()
    login(client, "doc")
    caplog.set_level("ERROR")
    for url in ("/search?q=chi+bo", "/coverage/trends"):
        assert client.get(url).status_code == 503, url
    assert "older version" in caplog.text and "schema s-6, now s-" in caplog.text
    assert "bantin build" in caplog.text
