"""Evidence collections over HTTP: made by an editor from the article and search pages,
annotated and reordered, shared by link with a reader, exported as CSV, DOCX and RIS (each
read back), every change and export in the audit log."""
# ruff: noqa: F811  (pytest fixtures imported from tests.desk_fixtures are redefined as arguments)
from __future__ import annotations

import csv
import io
import re
from typing import Any

from archive import collections as data
from tests.desk_fixtures import (  # noqa: F401  (fixtures)
    LEAD_TITLE,
    VILLAGE_TITLE,
    DeskHome,
    client_for,
    csrf_from,
    desk_home,
    desk_template,
    login,
    make_app,
)
from tests.test_web_cite import parse_ris


def add_from_article(client: Any, article_id: str, **form: str) -> Any:
    page = client.get(f"/a/{article_id}").get_data(as_text=True)
    assert 'id="add-to-collection"' in page
    ref = re.search(r'name="ref" value="([^"]+)"', page)
    nxt = re.search(r'name="next" value="([^"]+)"', page)
    assert ref and nxt and ref.group(1) == article_id
    return client.post("/c/add", data={"kind": "article", "ref": ref.group(1), "next": nxt.group(1),
                                       "csrf_token": csrf_from(page), **form})


def build_collection(home: DeskHome) -> tuple[Any, str, list[str]]:
    """An editor's collection of two articles and a search, made through the pages."""
    app = make_app(home)
    editor = client_for(app, "bientap")
    ids = [home.article_id(LEAD_TITLE), home.article_id(VILLAGE_TITLE)]
    r = add_from_article(editor, ids[1], new_name="Minh chứng sinh hoạt chi bộ", note="Ví dụ điển hình")
    assert r.status_code == 302 and r.headers["Location"] == f"/a/{ids[1]}"
    with home.catalog() as c:
        slug = data.list_collections(c)[0].slug
    assert add_from_article(editor, ids[0], collection=slug).status_code == 302
    search = editor.get("/search?q=sinh+hoat+chi+bo&series=ttshcb").get_data(as_text=True)
    ref = re.search(r'name="kind" value="search">\s*<input type="hidden" name="ref" value="([^"]+)"', search)
    assert ref
    ref_value = ref.group(1).replace("&amp;", "&")
    r = editor.post("/c/add", data={"kind": "search", "ref": ref_value, "title": "sinh hoat chi bo",
                                    "collection": slug, "note": "Tần suất theo năm",
                                    "next": "/search?q=x", "csrf_token": csrf_from(search)})
    assert r.status_code == 302
    return app, slug, ids


def test_build_annotate_reorder_and_share(desk_home: DeskHome) -> None:
    app, slug, ids = build_collection(desk_home)
    editor = client_for(app, "bientap")
    page = editor.get(f"/c/{slug}").get_data(as_text=True)
    assert re.findall(r'<li id="item-\d+" data-ref="([^"]+)"', page) == \
        [ids[1], ids[0], "/search?q=sinh+hoat+chi+bo&amp;series=ttshcb"]
    with desk_home.catalog() as c:
        items = data.get_collection(c, slug).items  # type: ignore[union-attr]
    csrf = csrf_from(page)
    # a note, then the second item moves up
    editor.post(f"/c/{slug}/items/{items[1].id}", data={"action": "note", "note": "Bài mở đầu số báo",
                                                         "csrf_token": csrf})
    editor.post(f"/c/{slug}/items/{items[1].id}", data={"action": "up", "csrf_token": csrf})
    with desk_home.catalog() as c:
        now = data.get_collection(c, slug).items  # type: ignore[union-attr]
    assert [(i.ref, i.note) for i in now] == [(ids[0], "Bài mở đầu số báo"), (ids[1], "Ví dụ điển hình"),
                                              (items[2].ref, "Tần suất theo năm")]
    # shared: a reader opens the link and sees the items, without any editing control
    reader = client_for(app, "doc")
    shared = reader.get(f"/c/{slug}").get_data(as_text=True)
    assert "Minh chứng sinh hoạt chi bộ" in shared and "Bài mở đầu số báo" in shared
    assert f'href="/a/{ids[0]}"' in shared and "Lưu ghi chú" not in shared and "Xóa bộ sưu tập" not in shared
    remove = {"action": "remove", "csrf_token": csrf_from(shared)}
    assert reader.post(f"/c/{slug}/items/{now[0].id}", data=remove).status_code == 403
    actions = [r[0] for r in _audit(desk_home)]
    assert actions.count("collection-add") == 3 and "collection-create" in actions
    assert "collection-note" in actions and "collection-up" in actions


def _audit(home: DeskHome) -> list[tuple[str, str, str]]:
    with home.catalog() as c:
        return [(r["action"], r["user"], r["detail"]) for r in c.query("SELECT * FROM audit ORDER BY id")]


def test_exports_csv_docx_ris_read_back(desk_home: DeskHome) -> None:
    from docx import Document

    app, slug, ids = build_collection(desk_home)
    reader = client_for(app, "doc")  # any logged-in user may export
    r = reader.get(f"/c/{slug}/export.csv")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    search = "/search?q=sinh+hoat+chi+bo&series=ttshcb"
    assert [(row["loai"], row["ma"]) for row in rows] == [("article", ids[1]), ("article", ids[0]),
                                                          ("search", search)]
    assert rows[0]["tieu_de"] == VILLAGE_TITLE and rows[0]["ghi_chu"] == "Ví dụ điển hình"
    assert rows[0]["duong_dan"] == f"http://localhost/a/{ids[1]}"
    assert rows[0]["trich_dan"].startswith("PV, \"Chi bộ thôn Đông") and "số 7/2015" in rows[0]["trich_dan"]

    r = reader.get(f"/c/{slug}/export.ris")
    records = parse_ris(r.get_data(as_text=True))
    assert [rec["TY"][0] for rec in records] == ["MGZN", "MGZN", "ELEC"]
    assert records[0]["TI"] == [VILLAGE_TITLE] and records[0]["N1"] == ["Ví dụ điển hình"]
    assert records[0]["UR"] == [f"http://localhost/a/{ids[1]}"]

    r = reader.get(f"/c/{slug}/export.docx")
    assert r.status_code == 200 and r.data[:2] == b"PK"
    doc = Document(io.BytesIO(r.data))
    text = [p.text for p in doc.paragraphs]
    assert text[0] == "Minh chứng sinh hoạt chi bộ"
    assert any(t.startswith("PV, \"Chi bộ thôn Đông") for t in text) and "Ví dụ điển hình" in text
    assert any("Tìm kiếm “sinh hoat chi bo”" in t for t in text) and "Tần suất theo năm" in text
    exports = [a for a in _audit(desk_home) if a[0] == "export"]
    assert [(a[1], a[2].split()[0]) for a in exports] == [("doc", "format=csv"), ("doc", "format=ris"),
                                                          ("doc", "format=docx")]


def test_an_item_whose_article_was_merged_points_to_the_merged_one(desk_home: DeskHome) -> None:
    from indexer.segment.structure import merge_articles

    app, slug, ids = build_collection(desk_home)
    with desk_home.catalog() as c:
        merge_articles(c, [ids[0], ids[1]], author="bientap", base_ops=0)
    page = client_for(app, "doc").get(f"/c/{slug}").get_data(as_text=True)
    assert f'nay ở <a href="/a/{ids[0]}">' in page  # its text is now in the merged article
    rows = list(csv.DictReader(io.StringIO(client_for(app, "doc").get(f"/c/{slug}/export.csv")
                                           .get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["ma"] for row in rows[:2]] == [ids[0], ids[0]]


def test_rename_and_delete(desk_home: DeskHome) -> None:
    app, slug, _ids = build_collection(desk_home)
    editor = client_for(app, "bientap")
    csrf = csrf_from(editor.get(f"/c/{slug}").get_data(as_text=True))
    editor.post(f"/c/{slug}", data={"action": "rename", "name": "Bộ mới", "description": "Mô tả",
                                    "csrf_token": csrf})
    assert "Bộ mới" in editor.get("/c/").get_data(as_text=True)
    other = client_for(app, "bientap2")  # not the owner: may not delete
    assert other.post(f"/c/{slug}", data={"action": "delete", "csrf_token": csrf_from(
        other.get("/c/").get_data(as_text=True))}).status_code == 403
    assert editor.post(f"/c/{slug}", data={"action": "delete", "csrf_token": csrf}).status_code == 302
    gone = editor.get(f"/c/{slug}")  # a link once shared keeps answering (issue 14)
    assert gone.status_code == 200 and "đã bị xóa" in gone.get_data(as_text=True)
    with desk_home.catalog() as c:
        assert c.query("SELECT * FROM collection_item") == []


def test_only_the_owner_and_admins_change_a_collection(desk_home: DeskHome) -> None:
    """The rule (README, Collections): any editor creates; the owner and admins change."""
    app, slug, ids = build_collection(desk_home)  # owned by bientap
    with desk_home.catalog() as c:
        before = data.get_collection(c, slug)
    assert before is not None and before.owner == "bientap"
    item_id = before.items[0].id
    other = client_for(app, "bientap2")
    page = other.get(f"/c/{slug}").get_data(as_text=True)
    assert 'name="action" value="rename"' not in page and 'value="remove"' not in page  # no forms shown
    csrf = csrf_from(page)
    refused = [
        other.post(f"/c/{slug}", data={"action": "rename", "name": "Của tôi", "csrf_token": csrf}),
        other.post(f"/c/{slug}", data={"action": "delete", "csrf_token": csrf}),
        other.post(f"/c/{slug}/items/{item_id}", data={"action": "note", "note": "sửa", "csrf_token": csrf}),
        other.post(f"/c/{slug}/items/{item_id}", data={"action": "down", "csrf_token": csrf}),
        other.post(f"/c/{slug}/items/{item_id}", data={"action": "move", "position": "3", "csrf_token": csrf}),
        other.post(f"/c/{slug}/items/{item_id}", data={"action": "remove", "csrf_token": csrf}),
        other.post("/c/add", data={"kind": "article", "ref": ids[0], "collection": slug, "next": "/",
                                   "csrf_token": csrf}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    with desk_home.catalog() as c:
        assert data.get_collection(c, slug) == before  # nothing changed
    # the add form on an article page lists only the collections bientap2 may change
    article_page = other.get(f"/a/{ids[0]}").get_data(as_text=True)
    assert f'value="{slug}"' not in article_page
    # the admin may change it
    admin = client_for(app, "quantri")
    csrf = csrf_from(admin.get(f"/c/{slug}").get_data(as_text=True))
    r = admin.post(f"/c/{slug}/items/{item_id}", data={"action": "note", "note": "đã xem", "csrf_token": csrf})
    assert r.status_code == 302
    with desk_home.catalog() as c:
        assert data.get_collection(c, slug).items[0].note == "đã xem"  # type: ignore[union-attr]
