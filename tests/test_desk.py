"""The editors' desk over HTTP (Flask test client) on a home built by the real pipeline:
a page correction found by search at once, history and restore, concurrent edits, article
edits, split and merge through the forms, the review queue, roles, CSRF and escaping."""
# ruff: noqa: F811  (pytest fixtures imported from tests.desk_fixtures are redefined as arguments)
from __future__ import annotations

import re
from typing import Any

import pytest

from archive.editorial import correct_page, page_history
from indexer.segment import edits
from tests.desk_fixtures import (  # noqa: F401  (fixtures)
    CORRECT,
    HIDDEN_TITLE,
    ISSUE,
    MISREAD,
    OTHER_ISSUE,
    VILLAGE_TITLE,
    DeskHome,
    client_for,
    csrf_from,
    desk_home,
    desk_template,
    field,
    login,
    make_app,
    search_ids,
    textarea,
)


def open_editor(client: Any, page_id: str) -> tuple[str, str, str]:
    """(url, text in the editor, base_version) of a page's editor."""
    issue_id, seq = page_id.split("/")
    url = f"/desk/i/{issue_id}/{seq}"
    r = client.get(url)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    return url, textarea(html), field(html, "base_version")


def save(client: Any, url: str, text: str, base: str, reason: str = "") -> Any:
    csrf = csrf_from(client.get("/desk/").get_data(as_text=True))
    return client.post(url, data={"text": text, "base_version": base, "reason": reason,
                                  "csrf_token": csrf})


def audit_actions(home: DeskHome) -> list[tuple[str, str, str]]:
    with home.catalog() as c:
        return [(r["user"], r["action"], r["target"]) for r in c.query("SELECT * FROM audit ORDER BY id")]


def test_a_corrected_word_is_found_at_once_and_the_original_stays_viewable(desk_home: DeskHome) -> None:
    app = make_app(desk_home)
    editor = client_for(app, "bientap")
    article_id = desk_home.article_id(VILLAGE_TITLE)
    assert search_ids(desk_home, f'"Na {CORRECT}"') == []
    assert search_ids(desk_home, f'"Na {MISREAD}"') == [article_id]
    page_id = desk_home.page_of(MISREAD)
    url, text, base = open_editor(editor, page_id)
    assert base == "0" and MISREAD in text.split()
    r = save(editor, url, re.sub(rf"\b{MISREAD}\b", CORRECT, text), base, "sửa tên huyện Na Hang")
    assert r.status_code == 302
    # at once: the article (re-segmented, re-analysed, reindexed in the same request) and the page
    assert search_ids(desk_home, f'"Na {CORRECT}"') == [article_id]
    assert search_ids(desk_home, f'"Na {CORRECT}"', target="pages") == [page_id]
    assert search_ids(desk_home, f'"Na {MISREAD}"') == []
    reader = client_for(app, "doc")
    hits = reader.get(f"/search?q=%22Na+{CORRECT}%22").get_data(as_text=True)
    assert f'data-id="{article_id}"' in hits
    article = reader.get(f"/a/{article_id}").get_data(as_text=True)
    assert f"Na {CORRECT}" in " ".join(article.split())
    # the original stays viewable: version 0 in the history
    history = editor.get(f"{url}/history?v=0").get_data(as_text=True)
    shown = re.search(r'<pre class="version-text" id="version-text" lang="vi">(.*?)</pre>', history, re.DOTALL)
    assert shown and MISREAD in shown.group(1).split()
    assert "Bản máy đọc" in history and "sửa tên huyện Na Hang" in history
    assert ("bientap", "page-correct", page_id) in audit_actions(desk_home)
    with desk_home.catalog() as c:
        assert c.query("SELECT * FROM reindex_queue") == []  # nothing left for `bantin build`


def test_restore_brings_the_old_text_back_everywhere(desk_home: DeskHome) -> None:
    app = make_app(desk_home)
    editor = client_for(app, "bientap")
    page_id = desk_home.page_of(MISREAD)
    url, text, base = open_editor(editor, page_id)
    save(editor, url, text.replace(MISREAD, CORRECT), base)
    history = editor.get(f"{url}/history?v=0").get_data(as_text=True)
    assert "Khôi phục bản này" in history and f"+{CORRECT}" not in history
    # the diff names its sides right: the text in force is not "trước" (issue 20)
    diff = re.search(r'<pre class="diff" id="diff">(.*?)</pre>', history, re.DOTALL)
    assert diff and "--- bản 1 (đang có hiệu lực)" in diff.group(1) and "+++ bản máy đọc" in diff.group(1)
    r = editor.post(f"{url}/restore", data={"version": "0", "base_version": field(history, "base_version"),
                                            "csrf_token": csrf_from(history)})
    assert r.status_code == 302
    _url, now_text, now_base = open_editor(editor, page_id)
    assert now_text == text and now_base == "2"
    with desk_home.catalog() as c:
        versions = page_history(c, page_id)
    assert [(v.version, v.restored_from) for v in versions] == [(0, None), (1, None), (2, 0)]
    assert search_ids(desk_home, f'"Na {MISREAD}"') == [desk_home.article_id(VILLAGE_TITLE)]
    assert search_ids(desk_home, f'"Na {CORRECT}"') == []
    assert ("bientap", "page-restore", page_id) in audit_actions(desk_home)


def test_two_concurrent_edits_give_a_conflict_not_a_lost_update(desk_home: DeskHome) -> None:
    app = make_app(desk_home)
    first, second = client_for(app, "bientap"), client_for(app, "bientap2")
    page_id = desk_home.page_of(MISREAD)
    url, text, base = open_editor(first, page_id)
    _url, text2, base2 = open_editor(second, page_id)  # both start from version 0
    assert save(first, url, text.replace(MISREAD, CORRECT), base).status_code == 302
    theirs = text2.replace("Đoàn công tác", "Đoàn cán bộ")
    r = save(second, url, theirs, base2)
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "vừa được người khác sửa" in html
    shown = re.search(r'id="their-text" lang="vi">(.*?)</pre>', html, re.DOTALL)
    assert shown and CORRECT in shown.group(1).split()  # the other editor's text is shown
    diff = re.search(r'<pre class="diff" id="diff">(.*?)</pre>', html, re.DOTALL)
    assert diff and re.search(r'class="add">\+.*Đoàn cán bộ', diff.group(1))
    assert textarea(html) == theirs and field(html, "base_version") == "1"  # ready to re-apply
    with desk_home.catalog() as c:
        assert [v.author for v in page_history(c, page_id)] == ["", "bientap"]  # nothing overwritten
    # re-applying on top of the version in force is a normal save
    assert save(second, url, textarea(html).replace(MISREAD, CORRECT), "1").status_code == 302
    with desk_home.catalog() as c:
        final = page_history(c, page_id)[-1]
    assert final.version == 2 and "Đoàn cán bộ" in final.text and MISREAD not in final.text


def test_article_form_split_and_merge(desk_home: DeskHome) -> None:
    app = make_app(desk_home)
    editor = client_for(app, "bientap")
    aid = desk_home.article_id(VILLAGE_TITLE)
    page = editor.get(f"/desk/a/{aid}").get_data(as_text=True)
    csrf = csrf_from(page)
    r = editor.post(f"/desk/a/{aid}", data={
        "title": "Chi bộ thôn Đông đổi mới sinh hoạt", "section": "Những vấn đề chung", "kind": "bai",
        "byline": "PV", "first_page": "1", "last_page": "2", "topics_shown": "1",
        "topics": ["xay-dung-dang", "doi-ngoai"], "base_version": "0", "csrf_token": csrf,
        "reason": "tiêu đề in sai"})
    assert r.status_code == 302
    assert search_ids(desk_home, '"đổi mới sinh hoạt"') == [aid]
    with desk_home.catalog() as c:
        assert sorted(r["topic"] for r in c.query(
            "SELECT topic FROM article_topic WHERE article_id = ? AND label = 1", (aid,))) == \
            ["doi-ngoai", "xay-dung-dang"]
    from indexer.search.engine import SearchRequest, search

    with desk_home.catalog() as c:
        hits = search(desk_home.config, SearchRequest(topic="doi-ngoai"), c).hits
    assert [h.id for h in hits] == [aid]
    # a stale form is a conflict page, the edit in force stays
    stale = editor.post(f"/desk/a/{aid}", data={"title": "Khác", "base_version": "0", "csrf_token": csrf})
    assert stale.status_code == 409
    assert "Tiêu đề: Chi bộ thôn Đông đổi mới sinh hoạt" in stale.get_data(as_text=True)
    # split at the hidden title (empty title: the paragraph becomes it)
    page = editor.get(f"/desk/a/{aid}").get_data(as_text=True)
    paras = re.findall(r'name="at" value="(\d+)"[^>]*> Tách từ đoạn này</label><p lang="vi">(.*?)</p>', page)
    at = next(n for n, p in paras if p == HIDDEN_TITLE)
    r = editor.post(f"/desk/a/{aid}/split", data={"at": at, "title": "", "base_ops": field(page, "base_ops"),
                                                   "csrf_token": csrf})
    assert r.status_code == 302
    new_id = r.headers["Location"].rsplit("/", 1)[1]
    assert search_ids(desk_home, f'"{HIDDEN_TITLE}"') == [new_id]
    # merge them back through the issue page; the merged-away permalink redirects
    issue_page = editor.get(f"/desk/i/{ISSUE}").get_data(as_text=True)
    r = editor.post(f"/desk/i/{ISSUE}/merge", data={"articles": [aid, new_id], "csrf_token": csrf,
                                                    "base_ops": field(issue_page, "base_ops")})
    assert r.status_code == 302
    assert search_ids(desk_home, f'"{HIDDEN_TITLE}"') == [aid]
    moved = editor.get(f"/a/{new_id}")
    assert moved.status_code == 308 and moved.headers["Location"] == f"/a/{aid}"
    actions = [a for _u, a, _t in audit_actions(desk_home)]
    assert {"article-edit", "article-split", "article-merge"} <= set(actions)


def test_review_queue_lists_pages_articles_and_issues_with_counts(desk_home: DeskHome) -> None:
    app = make_app(desk_home)
    editor = client_for(app, "bientap")
    with desk_home.catalog() as c:
        c.db.execute("UPDATE page_text SET confidence = 41.5 WHERE page_id = ?", (f"{ISSUE}/3",))
        pages = c.one("SELECT COUNT(*) FROM page")[0]
    html = editor.get("/desk/").get_data(as_text=True)
    first = re.search(r'id="queue-pages">.*?<tbody>\s*<tr><td><a href="([^"]+)"', html, re.DOTALL)
    assert first and first.group(1) == f"/desk/i/{ISSUE}/3"  # the worst page first
    assert re.search(r'id="count-pages-low"[^>]*>1<', html)
    # the badge beside the list counts what the list is drawn from: every unreviewed page
    rows = len(re.findall(r"<tr><td><a href=\"/desk/i/", html))
    assert re.search(rf'id="count-pages-unreviewed"[^>]*>{pages}<', html) and rows == pages
    assert re.search(r'id="count-suspect">1<', html) and f"/desk/i/{OTHER_ISSUE}" in html
    assert "chỉ một tin, bài cho cả" in html
    assert re.search(r'id="count-no-topic">0<', html)
    # an editor clears an article's topics: it joins the queue; a reviewed page leaves it
    aid = desk_home.article_id(VILLAGE_TITLE)
    with desk_home.catalog() as c:
        edits.edit_article(c, aid, {"topics": []}, author="bientap", base_version=0)
        text = c.page_text(f"{ISSUE}/3")["text"]
        correct_page(c, f"{ISSUE}/3", text, author="bientap", base_version=0, reason="đã soát")
    html = editor.get("/desk/").get_data(as_text=True)
    assert re.search(r'id="count-no-topic">1<', html) and f"/desk/a/{aid}" in html
    assert re.search(r'id="count-pages-low"[^>]*>0<', html)
    assert re.search(rf'id="count-pages-unreviewed"[^>]*>{pages - 1}<', html)
    assert re.search(rf'id="count-reviewed">1</strong> / {pages}', html)


DESK_GETS = ["/desk/", f"/desk/i/{ISSUE}/1", f"/desk/i/{ISSUE}/1/history", f"/desk/i/{ISSUE}",
             "/admin/", "/admin/audit", "/admin/pipeline"]


def test_a_reader_cannot_edit_and_sees_no_edit_controls(desk_home: DeskHome) -> None:
    app = make_app(desk_home)
    reader = client_for(app, "doc")
    aid = desk_home.article_id(VILLAGE_TITLE)
    csrf = csrf_from(reader.get("/").get_data(as_text=True))
    for url in [*DESK_GETS, f"/desk/a/{aid}", f"/desk/a/{aid}/history"]:
        assert reader.get(url).status_code == 403, url
    posts = {f"/desk/i/{ISSUE}/1": {"text": "x", "base_version": "0"}, f"/desk/a/{aid}": {"title": "x"},
             f"/desk/a/{aid}/split": {"at": "1"}, f"/desk/i/{ISSUE}/merge": {"articles": [aid]},
             f"/desk/i/{ISSUE}/1/restore": {"version": "0"}, "/c/": {"name": "x"},
             "/c/add": {"kind": "article", "ref": aid, "new_name": "x"}, "/admin/users": {"name": "x"}}
    for url, data in posts.items():
        assert reader.post(url, data={**data, "csrf_token": csrf}).status_code == 403, url
    with desk_home.catalog() as c:
        assert c.query("SELECT * FROM page_version") == [] and c.query("SELECT * FROM collection") == []
    for url in (f"/a/{aid}", f"/i/{ISSUE}/1", f"/i/{ISSUE}", "/search?q=chi+bo", "/c/"):
        html = reader.get(url).get_data(as_text=True)
        assert "/desk/" not in html and "collections/add" not in html and 'action="/c/add"' not in html, url
        assert "Hiệu đính" not in html, url
    editor_html = client_for(app, "bientap").get(f"/a/{aid}").get_data(as_text=True)
    assert f'href="/desk/a/{aid}"' in editor_html and 'action="/c/add"' in editor_html
    # an editor is refused the admin pages
    editor = client_for(app, "bientap")
    assert editor.get("/admin/").status_code == 403


def test_desk_forms_need_the_csrf_token(desk_home: DeskHome) -> None:
    app = make_app(desk_home)
    editor = client_for(app, "bientap")
    r = editor.post(f"/desk/i/{ISSUE}/1", data={"text": "x", "base_version": "0"})
    assert r.status_code == 400
    with desk_home.catalog() as c:
        assert c.query("SELECT * FROM page_version") == []


def test_ocr_text_is_escaped_on_the_desk(desk_home: DeskHome) -> None:
    app = make_app(desk_home)
    editor = client_for(app, "bientap")
    url, text, base = open_editor(editor, f"{ISSUE}/1")
    evil = text + "\n<script>alert('x')</script> & <b>đậm</b>"
    save(editor, url, evil, base)
    for page in (url, f"{url}/history?v=1", f"{url}/history?v=0"):
        html = editor.get(page).get_data(as_text=True)
        assert "<script>alert" not in html and "<b>đậm" not in html, page
        assert "&lt;script&gt;alert(" in html, page
    _url, shown, _base = open_editor(editor, f"{ISSUE}/1")
    assert shown == evil  # round-trips exactly through the escaped textarea


@pytest.mark.parametrize("url", ["/desk/i/no-such-issue/1", f"/desk/i/{ISSUE}/99", "/desk/a/no-such",
                                 f"/desk/i/{ISSUE}/1/history?v=7", "/desk/i/..%2F..%2Fetc/1"])
def test_unknown_things_are_404(desk_home: DeskHome, url: str) -> None:
    editor = client_for(make_app(desk_home), "bientap")
    assert editor.get(url).status_code == 404
