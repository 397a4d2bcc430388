"""The desk's page of doubtful cited documents (/desk/refs/) over HTTP on a home built by the
real pipeline: a number read by OCR that the register cannot settle is listed with its
sentence and a crop of the scan; an editor corrects, confirms or rejects it (CSRF, role,
audit), the counts follow at once and the decision survives a full reanalysis."""
# ruff: noqa: F811  (pytest fixtures imported from tests.desk_fixtures are redefined as arguments)
from __future__ import annotations

import json

from archive.worklist import doubtful_refs
from indexer.analyze.stage import run_analyze
from indexer.refresh import refresh
from indexer.search.indexdocs import effective_articles
from tests.desk_fixtures import (  # noqa: F401  (fixtures)
    ISSUE,
    MISREAD,
    VILLAGE_TITLE,
    DeskHome,
    client_for,
    csrf_from,
    desk_home,
    desk_template,
    make_app,
)

READ = "97-NQ/TW"  # what OCR made of the number: the register holds no such document


def scanned_with_misread_number(home: DeskHome) -> str:
    """Turn the village article's page into an OCR page whose misread word is a document
    number nothing around it explains; returns the article id after the refresh."""
    page_id = home.page_of(MISREAD)
    with home.catalog() as catalog:
        row = catalog.one("SELECT text, words FROM page_text WHERE page_id = ?", (page_id,))
        words = json.loads(row["words"])
        for w in words:
            if w[0] == MISREAD:
                w[0], w[5] = READ, 52.0
        text = row["text"].replace(f"Na {MISREAD}", f"Na {READ}")
        with catalog.transaction() as db:
            db.execute("UPDATE page_text SET method = 'ocr', text = ?, words = ? WHERE page_id = ?",
                       (text, json.dumps(words, ensure_ascii=False), page_id))
        refresh(catalog, home.config, pages=[page_id])
    return home.article_id(VILLAGE_TITLE)


def counted(home: DeskHome, article_id: str) -> tuple[str, ...]:
    with home.catalog() as catalog:
        return next(d.refs for d in effective_articles(catalog, ids=[article_id]))


def test_an_editor_sees_and_corrects_a_doubtful_document(desk_home: DeskHome) -> None:
    aid = scanned_with_misread_number(desk_home)
    with desk_home.catalog() as catalog:
        assert [(r.article_id, r.doc_id, r.reason) for r in doubtful_refs(catalog)] == \
            [(aid, READ, "unregistered")]
    assert READ not in counted(desk_home, aid)
    app = make_app(desk_home)
    editor = client_for(app, "bientap")
    queue = editor.get("/desk/").get_data(as_text=True)
    assert 'id="count-refs-doubtful">1<' in queue and "/desk/refs/" in queue
    html = editor.get("/desk/refs/").get_data(as_text=True)
    assert READ in html and "Không có trong danh mục văn bản" in html
    assert f"<mark>{READ}</mark> đã về dự buổi" in html  # the sentence around the reading
    assert f'href="/img/{ISSUE}/' in html and "<svg class=\"ref-crop\" viewBox=" in html
    csrf = csrf_from(html)
    form = {"article_id": aid, "doc_id": READ, "action": "correct", "new_id": "07 - NQ/TW"}
    # no token: refused; a reader: refused; a malformed identifier: nothing saved
    assert editor.post("/desk/refs/decide", data=form).status_code in (400, 403)
    reader = client_for(app, "doc")
    assert reader.get("/desk/refs/").status_code == 403
    assert reader.post("/desk/refs/decide", data={**form, "csrf_token": csrf_from(
        reader.get("/").get_data(as_text=True))}).status_code == 403
    bad = editor.post("/desk/refs/decide", data={**form, "new_id": "bảy", "csrf_token": csrf},
                      follow_redirects=True).get_data(as_text=True)
    assert "không đúng dạng" in bad and READ in bad
    r = editor.post("/desk/refs/decide", data={**form, "csrf_token": csrf})
    assert r.status_code == 303
    assert "07-NQ/TW" in counted(desk_home, aid) and READ not in counted(desk_home, aid)
    after = editor.get("/desk/refs/").get_data(as_text=True)
    assert 'id="refs-none"' in after and "sửa từ 97-NQ/TW" in after
    with desk_home.catalog() as catalog:
        assert catalog.one("SELECT 1 FROM audit WHERE action = 'ref-correct' AND target = ?", (aid,))
        run_analyze(catalog, desk_home.path, force=True)  # the editor's word outlives reanalysis
        assert doubtful_refs(catalog) == []
    assert "07-NQ/TW" in counted(desk_home, aid) and READ not in counted(desk_home, aid)
    # an unknown item is a 404
    assert editor.post("/desk/refs/decide", data={"article_id": aid, "doc_id": "55-NQ/TW",
                                                  "action": "confirm", "csrf_token": csrf}).status_code == 404


def test_confirm_counts_the_reading_and_reject_keeps_it_out(desk_home: DeskHome) -> None:
    aid = scanned_with_misread_number(desk_home)
    editor = client_for(make_app(desk_home), "bientap")
    csrf = csrf_from(editor.get("/desk/refs/").get_data(as_text=True))
    base = {"article_id": aid, "doc_id": READ, "csrf_token": csrf}
    assert editor.post("/desk/refs/decide", data={**base, "action": "confirm"}).status_code == 303
    assert READ in counted(desk_home, aid)
    assert editor.post("/desk/refs/decide", data={**base, "action": "reject"}).status_code == 303
    assert READ not in counted(desk_home, aid)
