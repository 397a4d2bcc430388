"""A small home for the editors' desk tests, made by the real pipeline end to end.

Two issues are typeset into born-digital PDFs (:mod:`tests.segment_pages`) and go through
the real ``bantin build -j 1`` (ingest, pdfplumber text layer, segmentation, analysis,
search index), so a correction in a test travels the same road it travels in production.
What an editor must fix is printed on purpose:

* ``ttshcb-2015-07`` (3 pages, 2 columns): the place name *Na Hang* is printed as the
  misreading *Na Hanq* (:data:`MISREAD`, :data:`CORRECT`) in the article
  :data:`VILLAGE_TITLE`, which also runs on into a second story that the segmenter cannot
  see as separate (:data:`HIDDEN_TITLE`, a plain paragraph: an editor splits it off);
* ``tbnb-2016-01`` (2 pages): one untitled-looking story over both pages, which the review
  queue lists as suspect segmentation.

The build takes about two seconds; tests copy one template home (:func:`desk_home_copy`).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.segment_pages import Issue, Item, draw_pdf, para, sign, title
from tests.test_segment import S1, S2, S3, S4, body, standard_items
from tests.web_fixtures import PASSWORD, HomeAccess, csrf_from  # noqa: F401  (re-exported to the desk's tests)

USERS = {"doc": "reader", "bientap": "editor", "bientap2": "editor", "quantri": "admin"}
ISSUE = "ttshcb-2015-07"
OTHER_ISSUE = "tbnb-2016-01"
MISREAD = "Hanq"
CORRECT = "Hang"
LEAD_TITLE = "Nâng cao chất lượng sinh hoạt chi bộ ở nông thôn"
VILLAGE_TITLE = "Chi bộ thôn Đông đổi mới cách sinh hoạt"
HIDDEN_TITLE = "Khánh thành nhà văn hóa thôn Đông"
VISIT = f"Đoàn công tác của huyện Na {MISREAD} đã về dự buổi sinh hoạt và trao đổi kinh nghiệm."
HALL = ("Nhà văn hóa thôn Đông được xây dựng bằng nguồn vốn của Nhà nước và đóng góp của nhân dân, "
        "là nơi sinh hoạt cộng đồng, tổ chức các lớp tập huấn khuyến nông cho bà con.")

TBNB_TOML = """code = "tbnb"
title = "Thông báo nội bộ"
publisher = "Ban Tuyên giáo Tỉnh ủy"
first_year = 2004
issues_per_year = 12
level = "tinh"
"""


def desk_items() -> list[Item]:
    """The standard test issue, with the misread word and the hidden second story put into
    the village article (before its signature)."""
    items = standard_items()
    start = next(i for i, it in enumerate(items) if it.kind == "title" and it.text == VILLAGE_TITLE)
    end = next(i for i in range(start, len(items)) if items[i].kind == "sign")
    return items[:start + 2] + [para(VISIT)] + items[start + 2:end] + \
        [para(HIDDEN_TITLE), para(HALL + " " + S3)] + items[end:]


def other_items() -> list[Item]:
    return [
        Item("mast", "THÔNG BÁO NỘI BỘ", size=26, bold=True, align="center", full=True),
        Item("mast", "Số 1 – tháng 1/2016", size=11, bold=True, align="center", full=True),
        title("Kết quả thực hiện nhiệm vụ chính trị năm 2015"),
        *[para(body(S1, S2, S3, S4, times=2)) for _ in range(9)],
        sign("Ban Tuyên giáo Tỉnh ủy"),
    ]


@dataclass(frozen=True)
class DeskHome(HomeAccess):
    path: Path

    def article_id(self, title_text: str, issue_id: str = ISSUE) -> str:
        with self.catalog() as c:
            row = c.one("SELECT id FROM article WHERE issue_id = ? AND title = ?", (issue_id, title_text))
        assert row is not None, f"no article titled {title_text!r} in {issue_id}"
        return str(row["id"])

    def page_of(self, word: str, issue_id: str = ISSUE) -> str:
        """The id of the page whose text holds ``word``."""
        with self.catalog() as c:
            for page in c.pages(issue_id):
                row = c.page_text(page.id)
                if row is not None and word in row["text"].split():
                    return page.id
        raise AssertionError(f"{word!r} is on no page of {issue_id}")


def build_desk_home(root: Path) -> DeskHome:
    from bantin.main import main
    from webapp import users

    for folder in ("scans/ttshcb/2015", "scans/tbnb/2016", "index"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "scans/tbnb/series.toml").write_text(TBNB_TOML, encoding="utf-8")
    draw_pdf(Issue(desk_items(), columns=2), root / f"scans/ttshcb/2015/{ISSUE}.pdf")
    draw_pdf(Issue(other_items(), columns=1), root / f"scans/tbnb/2016/{OTHER_ISSUE}.pdf")
    assert main(["--home", str(root), "--quiet", "build", "-j", "1"]) == 0
    home = DeskHome(root)
    with home.catalog() as catalog:
        for name, role in USERS.items():
            users.add_user(catalog, name, role, PASSWORD)
    return home


def copy_home(template: DeskHome, target: Path) -> DeskHome:
    """A private copy of a built home (catalog, index, scans) for a test that writes."""
    shutil.copytree(template.path, target, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("writer.lock"))
    return DeskHome(target)


_TEMPLATE: list[DeskHome] = []  # one build per test process, whichever module asks first


@pytest.fixture(scope="session")
def desk_template(tmp_path_factory: pytest.TempPathFactory) -> DeskHome:
    """The built home, shared read-only (a session fixture imported into several modules is
    one fixture per module for pytest: the cache keeps it to one build per process)."""
    if not _TEMPLATE:
        _TEMPLATE.append(build_desk_home(tmp_path_factory.mktemp("desk-template")))
    return _TEMPLATE[0]


@pytest.fixture
def desk_home(desk_template: DeskHome, tmp_path: Path) -> DeskHome:
    return copy_home(desk_template, tmp_path / "home")


def make_app(home: DeskHome) -> Any:
    from webapp import create_app

    return create_app({"HOME": str(home.path), "TESTING": True})


def login(client: Any, name: str) -> Any:
    page = client.get("/login")
    r = client.post("/login", data={"name": name, "password": PASSWORD,
                                    "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert r.status_code == 302, r.status_code
    return r


def client_for(app: Any, name: str) -> Any:
    """A test client logged in as ``name``."""
    c = app.test_client()
    login(c, name)
    return c



def field(html: str, name: str) -> str:
    """The value of a hidden or text input named ``name`` in a form of ``html``."""
    m = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    assert m, f"no input {name}"
    return m.group(1)


def textarea(html: str, name: str = "text") -> str:
    import html as html_lib

    m = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.DOTALL)
    assert m, f"no textarea {name}"
    return html_lib.unescape(m.group(1))


def search_ids(home: DeskHome, q: str, *, target: str = "articles") -> list[str]:
    """Ids the real search engine finds for ``q`` in ``home``'s index, as it is now."""
    from indexer.search.engine import SearchRequest, search

    with home.catalog() as catalog:
        result = search(home.config, SearchRequest(q=q, target=target, per_page=50), catalog)
    return [h.id for h in result.hits]
