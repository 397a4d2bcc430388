"""The small sample archive, built once per test run and shared by the review tests.

Why shared: building the small sample (``bantin sample --size small`` then ``bantin build``)
runs real Tesseract on its scanned pages, a minute or more on two cores. One build serves
every review, report and coverage test, also across ``pytest -n 2`` workers: the first
worker builds it under a file lock in the run's shared temporary folder, the others wait
and reuse it. Tests only read it; the fixture adds what they need before sharing (a reader,
an editor's evidence collection).

``from tests.review_fixtures import sample_home, sample_app, sample_client`` to use it.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from archive.catalog import Catalog
from archive.config import load_config
from tests.conftest import run_bantin
from tests.web_fixtures import PASSWORD, HomeAccess, login

READER = "bandoc"
BASE_URL = "https://kho.bantin.test"  # the report's --base-url in tests


@dataclass
class SampleHome(HomeAccess):
    path: Path

    def truth(self, name: str) -> Any:
        path = self.path / "sample-truth" / name
        if name.endswith(".jsonl"):
            return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
        return json.loads(path.read_text(encoding="utf-8"))


def _shared_root(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    base = tmp_path_factory.getbasetemp()
    return base.parent if worker_id != "master" else base


def build_sample_home(root: Path) -> SampleHome:
    """Write and build the small sample in ``root`` (once: a marker file records success)."""
    root.mkdir(parents=True, exist_ok=True)
    done = root / ".built"
    with open(root.parent / f".{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                for args in (("sample", "--size", "small"), ("build", "--jobs", "2")):
                    r = run_bantin(root, *args, timeout=900)
                    assert r.returncode in (0, 4), (args, r.returncode, r.stderr[-2000:])
                _extras(root)
                done.write_text("ok", encoding="utf-8")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return SampleHome(root)


def _extras(root: Path) -> None:
    """A reader and an evidence collection (two articles and a saved search, with notes)."""
    from archive.collections import add_item, create_collection
    from webapp import users

    with Catalog(root / "index" / "catalog.sqlite") as catalog:
        users.add_user(catalog, READER, "reader", PASSWORD)
        rows = catalog.query("SELECT a.id, a.title FROM article a JOIN article_ref r ON r.article_id = a.id"
                             " ORDER BY a.id LIMIT 2")
        col = create_collection(catalog, "Minh chứng về quán triệt nghị quyết", owner="bientap",
                                description="Các bài giải thích nghị quyết cho chi bộ.")
        for r in rows:
            add_item(catalog, col.id, "article", r["id"], title=r["title"], note="Giải thích nghị quyết",
                     added_by="bientap")
        add_item(catalog, col.id, "search", "q=%22sinh+ho%E1%BA%A1t+chi+b%E1%BB%99%22&series=tbnb",
                 title="Sinh hoạt chi bộ trong bản tin tỉnh", note="Tìm kiếm đã lưu", added_by="bientap")


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> SampleHome:
    """The built small sample. ``BANTIN_TEST_SAMPLE_HOME=DIR`` keeps it in DIR between runs
    (built there on first use), for working on these tests without a minute of OCR each time."""
    kept = os.environ.get("BANTIN_TEST_SAMPLE_HOME")
    if kept:
        return build_sample_home(Path(kept))
    return build_sample_home(_shared_root(tmp_path_factory, worker_id) / "review-sample")


@pytest.fixture(scope="session")
def sample_app(sample_home: SampleHome) -> Any:
    from webapp import create_app

    return create_app({"HOME": str(sample_home.path), "TESTING": True,
                       "SETTINGS": {"base_url": BASE_URL}})


@pytest.fixture
def home_copy(tmp_path: Path, sample_home: SampleHome) -> Path:
    """A writable copy of the built small sample (its image cache left out), with an editor
    ``bientap21``, for tests that change what the sample holds."""
    import shutil

    from webapp import users

    copy = tmp_path / "home"
    shutil.copytree(sample_home.path, copy, ignore=shutil.ignore_patterns("cache"))
    with Catalog(copy / "index" / "catalog.sqlite") as catalog:
        users.add_user(catalog, "bientap21", "editor", PASSWORD)
    return copy


def client_as(home: Path, name: str) -> Any:
    """A test client of ``home``'s web app logged in as ``name`` (password :data:`PASSWORD`)."""
    from webapp import create_app

    app = create_app({"HOME": str(home), "TESTING": True, "SETTINGS": {"base_url": BASE_URL}})
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


@pytest.fixture
def sample_client(sample_app: Any) -> Any:
    """A test client logged in as a reader of the sample archive."""
    client = sample_app.test_client()
    assert login(client, READER).status_code == 302
    return client


# --- a handmade archive with numbers known in advance ---------------------------------------

def handmade_issues() -> list[Any]:
    """Four issues whose counts the tests work out by hand (see each test's comments).

    ttshcb 2012-01: A (Văn kiện, bài, xay-dung-dang, cites 12-NQ/TW), B (Thời sự, tin, kinh-te)
    ttshcb 2012-03: C (Hỏi – đáp, hoi-dap, xay-dung-dang), D (Những vấn đề chung, bài,
                    phong-chong-tham-nhung, cites 12-NQ/TW, OCR 50; its page read at 40)
    ttshcb 2013-05: E (Văn kiện, bài, xay-dung-dang), F (bài, kinh-te, cites 800/QĐ-TTg),
                    page 3 covered by no article
    tbnb   2012-06: G (Định hướng, bài, xay-dung-dang, cites 12-NQ/TW), H (Tin trong tỉnh, tin, kinh-te)
    """
    from tests.search_fixtures import Art, Iss

    return [
        Iss("ttshcb", 2012, "01", 1, pages=2, articles=[
            Art("Quán triệt Nghị quyết Trung ương 4",
                ["Các chi bộ học tập Nghị quyết số 12-NQ/TW về xây dựng Đảng.",
                 "Sinh hoạt chi bộ được đổi mới, nghị quyết được quán triệt tới từng đảng viên."],
                section="Văn kiện – Nghị quyết", kind="bai", topics=("xay-dung-dang",), refs=("12-NQ/TW",)),
            Art("Giá lúa tăng", ["Giá lúa vụ đông xuân tăng, nông dân phấn khởi."], page=2,
                section="Thông tin thời sự", kind="tin", topics=("kinh-te",)),
        ]),
        Iss("ttshcb", 2012, "03", 3, pages=2, articles=[
            Art("Hỏi – đáp về đảng phí", ["Hỏi: mức đóng đảng phí?", "Đáp: theo quy định của Trung ương."],
                section="Hỏi – đáp", kind="hoi-dap", topics=("xay-dung-dang",)),
            Art("Chống tham nhũng ở xã", ["Thực hiện Nghị quyết 12-NQ/TW, xã công khai thu chi ngân sách."],
                page=2, section="Những vấn đề chung", kind="bai", topics=("phong-chong-tham-nhung",),
                refs=("12-NQ/TW",), conf=50.0),
        ]),
        Iss("ttshcb", 2013, "05", 5, pages=3, articles=[
            Art("Xây dựng tổ chức cơ sở đảng", ["Củng cố tổ chức cơ sở đảng, nâng cao chất lượng đảng viên."],
                section="Văn kiện – Nghị quyết", kind="bai", topics=("xay-dung-dang",)),
            Art("Nông thôn mới ở Thanh Hà", ["Theo Quyết định 800/QĐ-TTg, xã hoàn thành tiêu chí nông thôn mới."],
                page=2, section="Những vấn đề chung", kind="bai", topics=("kinh-te",), refs=("800/QĐ-TTg",)),
        ], extra_page_text={3: "Danh sách chi bộ trong sạch vững mạnh năm 2012"}),
        Iss("tbnb", 2012, "06", 6, pages=1, articles=[
            Art("Học tập nghị quyết ở chi bộ", ["Chi bộ thôn Đông học tập Nghị quyết 12-NQ/TW về xây dựng Đảng."],
                section="Định hướng sinh hoạt chi bộ", kind="bai", topics=("xay-dung-dang",), refs=("12-NQ/TW",)),
            Art("Tin trong tỉnh", ["Hợp tác xã nông nghiệp mở rộng sản xuất."],
                section="Tin trong tỉnh", kind="tin", topics=("kinh-te",)),
        ]),
    ]


def make_handmade_home(root: Path, *, index: bool = True) -> Path:
    """Write :func:`handmade_issues` into a new home (one page read poorly), build its index."""
    from tests.search_fixtures import fill

    (root / "index").mkdir(parents=True, exist_ok=True)
    with Catalog(root / "index" / "catalog.sqlite") as catalog:
        fill(catalog, handmade_issues())
        with catalog.transaction() as db:
            db.execute("UPDATE page_text SET confidence = 40 WHERE page_id = 'ttshcb-2012-03/2'")
        if index:
            from indexer.search.build import build_index

            build_index(catalog, load_config(root))
    return root


@pytest.fixture(scope="session")
def handmade_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The handmade archive, read-only (tests that change it make their own)."""
    return make_handmade_home(tmp_path_factory.mktemp("review-handmade"))


def article_ids(home: Path) -> dict[str, str]:
    """Title → article id of a home's articles."""
    with Catalog(home / "index" / "catalog.sqlite") as catalog:
        return {r["title"]: r["id"] for r in catalog.query("SELECT id, title FROM article")}
