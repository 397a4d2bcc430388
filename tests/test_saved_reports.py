"""For readers (issue 20): saved searches with their filters (save, list, rename, delete, rerun,
what is new since the last look) and "báo lỗi" reports that reach the editors' review queue.
Over HTTP with the Flask test client, on a home of their own (they write to it)."""

# ruff: noqa: F811  (pytest fixtures imported from tests.web_fixtures are redefined as arguments)
from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web_fixtures import WebHome, build_search_index, build_web_home, csrf_from, login, make_app

USERS = {"doc": "reader", "doc2": "reader", "bientap": "editor"}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> WebHome:
    built = build_web_home(tmp_path_factory.mktemp("saved-home"), users=USERS)
    if not built.search_ready:
        pytest.skip("no search engine")
    return built


@pytest.fixture(scope="module")
def app(home: WebHome) -> Any:
    return make_app(home)


def _client(app: Any, name: str) -> Any:
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def _token(client: Any, url: str = "/search?q=hop+tac+xa") -> str:
    return csrf_from(client.get(url).get_data(as_text=True))


def _new_count(client: Any, search_id: int) -> str:
    html = client.get("/saved/").get_data(as_text=True)
    row = re.search(rf'<tr data-id="{search_id}">(.*?)</tr>', html, re.S)
    assert row, html
    return re.search(r'class="new-count">(?:<strong>)?([^<]*)', row.group(1)).group(1)


def test_save_list_view_and_what_is_new_since_the_last_look(app: Any, home: WebHome) -> None:
    doc = _client(app, "doc")
    page = doc.get("/search?q=hop+tac+xa&series=ttshcb").get_data(as_text=True)
    assert 'id="save-search"' in page and 'action="/saved/"' in page  # a reader sees the form
    r = doc.post("/saved/", data={"csrf_token": csrf_from(page), "name": "Hợp tác xã",
                                  "ref": "/search?q=hop+tac+xa&series=ttshcb"})
    assert r.status_code == 302
    search_id = int(r.headers["Location"].rsplit("/", 1)[1])
    listing = doc.get("/saved/").get_data(as_text=True)
    assert "Hợp tác xã" in listing and "từ khóa «hop tac xa» · bản tin ttshcb" in listing
    assert 'href="/search?q=hop+tac+xa&amp;series=ttshcb"' in listing  # rerun
    assert _new_count(doc, search_id) == "0"  # nothing is new at the moment it is saved
    # the catalog changes: another article now mentions a cooperative; the index catches up
    article = home.articles["hoc-tap"]
    with home.catalog() as catalog, catalog.transaction() as db:
        db.execute("UPDATE article SET text = text || ' Hợp tác xã thôn Đông ra đời.', updated_at = ?"
                   " WHERE id = ?", ("2026-12-06T00:00:00Z", article))
    assert build_search_index(home)
    assert _new_count(doc, search_id) == "1 mới"
    assert _new_count(doc, search_id) == "1 mới"  # the list page does not count as looking
    view = doc.get(f"/saved/{search_id}").get_data(as_text=True)
    assert re.search(r'data-count="1"', view) and f'data-id="{article}"' in view
    assert home.articles["kinh-te"] not in re.search(r'id="new-hits">(.*?)</ol>', view, re.S).group(1)
    assert _new_count(doc, search_id) == "0"  # looked: nothing new any more
    assert 'data-count="0"' in doc.get(f"/saved/{search_id}").get_data(as_text=True)


def test_rename_delete_and_privacy(app: Any) -> None:
    doc, other = _client(app, "doc"), _client(app, "doc2")
    token = _token(doc)
    r = doc.post("/saved/", data={"csrf_token": token, "name": "Tham nhũng", "ref": "/search?q=tham+nhung"})
    search_id = int(r.headers["Location"].rsplit("/", 1)[1])
    other_token = _token(other)
    assert other.get(f"/saved/{search_id}").status_code == 404  # another reader's: not even said to exist
    assert other.post(f"/saved/{search_id}/rename", data={"csrf_token": other_token, "name": "x"}).status_code == 404
    assert other.post(f"/saved/{search_id}/delete", data={"csrf_token": other_token}).status_code == 404
    assert "Tham nhũng" not in other.get("/saved/").get_data(as_text=True)
    assert doc.post(f"/saved/{search_id}/rename", data={"name": "không có mã"}).status_code == 400  # CSRF
    assert doc.post(f"/saved/{search_id}/rename", data={"csrf_token": token, "name": " Chống  tham nhũng "}
                    ).status_code == 302
    assert "Chống tham nhũng" in doc.get("/saved/").get_data(as_text=True)
    assert doc.post(f"/saved/{search_id}/delete", data={"csrf_token": token}).status_code == 302
    assert doc.get(f"/saved/{search_id}").status_code == 404
    assert "Chống tham nhũng" not in doc.get("/saved/").get_data(as_text=True)
    r = doc.post("/saved/", data={"csrf_token": token, "name": "", "ref": "/search?q=x"})
    assert r.status_code == 400 and "Cần đặt tên" in r.get_data(as_text=True)
    r = doc.post("/saved/", data={"csrf_token": token, "name": "Rỗng", "ref": "/search"})
    assert r.status_code == 400 and "từ khóa hoặc bộ lọc" in r.get_data(as_text=True)


def test_reader_reports_reach_the_review_queue_and_editors_close_them(app: Any, home: WebHome) -> None:
    doc, editor = _client(app, "doc"), _client(app, "bientap")
    viewer = doc.get("/i/ttshcb-2012-07/1").get_data(as_text=True)
    assert 'id="report-error"' in viewer and 'action="/bao-loi"' in viewer
    token = csrf_from(viewer)
    r = doc.post("/bao-loi", data={"csrf_token": token, "issue_id": "ttshcb-2012-07", "page": "1", "kind": "ocr",
                                   "message": "Chữ “chuyen” phải là “chuyên”."})
    assert r.status_code == 200 and "đã được đưa vào danh sách" in r.get_data(as_text=True)
    article = home.articles["tham-nhung"]
    assert 'id="report-error"' in doc.get(f"/a/{article}").get_data(as_text=True)
    r = doc.post("/bao-loi", data={"csrf_token": token, "article_id": article, "kind": "segmentation",
                                   "message": "Đoạn cuối thuộc bài khác."})
    assert r.status_code == 200
    queue = editor.get("/desk/").get_data(as_text=True)
    assert re.search(r'id="count-reports">2<', queue)
    assert "Chữ “chuyen” phải là “chuyên”." in queue and 'href="/desk/i/ttshcb-2012-07/1"' in queue
    assert f'href="/desk/a/{article}"' in queue and "tách tin, bài sai" in queue
    ids = re.findall(r'data-report="(\d+)"', queue)
    assert len(ids) == 2
    # a reader cannot close reports; an editor can, with the CSRF token
    assert doc.post(f"/bao-loi/{ids[0]}/close", data={"csrf_token": token, "status": "fixed"}).status_code == 403
    editor_token = csrf_from(queue)
    assert editor.post(f"/bao-loi/{ids[0]}/close", data={"status": "fixed"}).status_code == 400
    assert editor.post(f"/bao-loi/{ids[0]}/close", data={"csrf_token": editor_token, "status": "fixed"}
                       ).status_code == 302
    assert editor.post(f"/bao-loi/{ids[0]}/close", data={"csrf_token": editor_token, "status": "fixed"}
                       ).status_code == 404  # already closed
    assert re.search(r'id="count-reports">1<', editor.get("/desk/").get_data(as_text=True))


def test_bad_reports_are_refused_with_a_reason(app: Any) -> None:
    doc = _client(app, "doc")
    token = _token(doc, "/i/ttshcb-2012-07/1")
    assert doc.post("/bao-loi", data={"issue_id": "ttshcb-2012-07", "page": "1", "kind": "ocr",
                                      "message": "x"}).status_code == 400  # no CSRF token
    assert doc.post("/bao-loi", data={"csrf_token": token, "issue_id": "ttshcb-2012-07", "page": "9",
                                      "kind": "ocr", "message": "x"}).status_code == 404
    assert doc.post("/bao-loi", data={"csrf_token": token, "article_id": "khong-co", "kind": "ocr",
                                      "message": "x"}).status_code == 404
    r = doc.post("/bao-loi", data={"csrf_token": token, "issue_id": "ttshcb-2012-07", "page": "1",
                                   "kind": "ocr", "message": "  "})
    assert r.status_code == 400 and "Hãy mô tả lỗi" in r.get_data(as_text=True)
    r = doc.post("/bao-loi", data={"csrf_token": token, "issue_id": "ttshcb-2012-07", "page": "1",
                                   "kind": "khac", "message": "x"})
    assert r.status_code == 400 and "Hãy chọn loại lỗi" in r.get_data(as_text=True)
