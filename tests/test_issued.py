"""Permalinks that survive corrections (archive/issued.py, webapp/article.py): every article
id ever issued answers 200, or a permanent redirect to the article(s) holding its text now,
after a title correction, a split, its undo, a merge, a re-segmentation by another segmenter
version, and a backup restored over the home. Homes are built by the real pipeline."""
# ruff: noqa: F811  (pytest fixtures imported from tests.desk_fixtures are redefined as arguments)
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from archive import backup, collections, issued
from archive.editorial import correct_page
from indexer.refresh import refresh
from indexer.segment import ops, stage, structure
from indexer.segment.edits import machine_articles
from tests.desk_fixtures import (  # noqa: F401  (fixtures)
    HIDDEN_TITLE,
    ISSUE,
    VILLAGE_TITLE,
    DeskHome,
    client_for,
    desk_home,
    desk_template,
    make_app,
)


def ids(home: DeskHome) -> list[str]:
    with home.catalog() as c:
        return [r["id"] for r in c.query("SELECT id FROM article WHERE issue_id = ? ORDER BY seq", (ISSUE,))]


def opens(client: Any, article_id: str) -> tuple[int, str]:
    """(status of /a/<id>, the article id the browser ends on, or '' for a listing page)."""
    r = client.get(f"/a/{article_id}")
    if r.status_code in (301, 308):
        target = r.headers["Location"]
        assert target.startswith("/a/"), target
        again = client.get(target)
        assert again.status_code == 200, target
        return r.status_code, target[3:]
    return r.status_code, article_id if r.status_code == 200 and b'id="article-title"' in r.data else ""


def correct_title(home: DeskHome, c: Any) -> str:
    """Correct a title word on the page (*cách* → *cách thức*): the article's id changes."""
    page_id = next(p.id for p in c.pages(ISSUE) if re.search(r"đổi\s+mới\s+cách", c.page_text(p.id)["text"]))
    text = c.page_text(page_id)["text"]
    correct_page(c, page_id, re.sub(r"đổi(\s+)mới(\s+)cách", r"đổi\1mới\2cách thức", text, count=1),
                 author="bientap", base_version=0)
    refresh(c, home.config, pages=[page_id])
    return page_id


def test_every_id_is_logged_by_the_segment_stage(desk_home: DeskHome) -> None:
    with desk_home.catalog() as c:
        logged = {r["id"] for r in c.query("SELECT id FROM issued_article WHERE live = 1")}
        in_force = {r["id"] for r in c.query("SELECT id FROM article")}
    assert logged == in_force and in_force


def test_a_title_correction_redirects_the_old_id(desk_home: DeskHome) -> None:
    old = desk_home.article_id(VILLAGE_TITLE)
    client = client_for(make_app(desk_home), "doc")
    assert opens(client, old) == (200, old)
    with desk_home.catalog() as c:
        correct_title(desk_home, c)
        new = c.one("SELECT id FROM article WHERE title = ?", (VILLAGE_TITLE.replace("cách", "cách thức"),))["id"]
    assert new != old
    assert opens(client, old) == (308, new)
    assert client.get(f"/a/{old}/cite.ris").headers["Location"] == f"/a/{new}/cite.ris"


def test_split_then_undo_then_merge_then_undo(desk_home: DeskHome) -> None:
    aid = desk_home.article_id(VILLAGE_TITLE)
    client = client_for(make_app(desk_home), "doc")
    with desk_home.catalog() as c:
        paras = ops.paragraphs(c.one("SELECT text FROM article WHERE id = ?", (aid,))["text"])
        part = structure.split_article(c, aid, paras.index(HIDDEN_TITLE), author="bientap", base_ops=0)
    assert opens(client, part) == (200, part) and opens(client, aid) == (200, aid)
    with desk_home.catalog() as c:
        structure.undo_op(c, ISSUE, 1, author="bientap", base_ops=1)
    assert part not in ids(desk_home)
    assert opens(client, part) == (308, aid)  # its text went back into the article it came from
    before = ids(desk_home)
    with desk_home.catalog() as c:
        kept = structure.merge_articles(c, [before[1], before[2]], author="bientap", base_ops=2)
    assert opens(client, before[2]) == (308, kept) and opens(client, kept) == (200, kept)
    with desk_home.catalog() as c:
        structure.undo_op(c, ISSUE, 3, author="bientap", base_ops=3)
    for i in [*before, part]:
        status, target = opens(client, i)
        assert status in (200, 308) and target in before, i


def test_a_split_never_reuses_an_id_issued_for_other_text(desk_home: DeskHome) -> None:
    aid = desk_home.article_id(VILLAGE_TITLE)
    with desk_home.catalog() as c:
        paras = ops.paragraphs(c.one("SELECT text FROM article WHERE id = ?", (aid,))["text"])
        first = structure.split_article(c, aid, paras.index(HIDDEN_TITLE), author="bientap", base_ops=0)
        structure.undo_op(c, ISSUE, 1, author="bientap", base_ops=1)
        # split again one paragraph later, under the same typed title: other text, another id
        second = structure.split_article(c, aid, paras.index(HIDDEN_TITLE) + 1, HIDDEN_TITLE,
                                         author="bientap", base_ops=2)
        assert second != first
        where = issued.resolve(c, first)
    assert where is not None and not where.live and where.targets  # the first still finds its text


def test_guard_gives_a_reused_id_a_fresh_suffix(desk_home: DeskHome) -> None:
    with desk_home.catalog() as c:
        row = c.one("SELECT * FROM article WHERE issue_id = ? ORDER BY seq LIMIT 1", (ISSUE,))
        machine = machine_articles(c.db, ISSUE)
        first = next(a for a in machine if a.id == row["id"])
        other = replace(first, text="Một văn bản khác hẳn, về việc phát động thi đua yêu nước trong "
                                    "toàn tỉnh năm nay với nhiều phong trào mới.")
        same = replace(first, text=first.text.replace("chi bộ", "chi bộ đảng", 1))
        with c.transaction() as db:
            guarded = issued.guard(db, ISSUE, [other, same])
    assert guarded[0].id == f"{first.id}-2"  # issued for other text: never reused
    assert guarded[1].id == first.id  # a corrected text is the same article


def test_a_new_segmenter_version_keeps_old_ids_answering(desk_home: DeskHome,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Another segmenter version that cuts the issue differently: it sees the second and
    third articles as one with the second's title reworded, and so new ids."""
    before = ids(desk_home)
    real = stage.segment_issue_report

    def other_cut(*a: Any, **k: Any) -> Any:
        seg = real(*a, **k)
        arts = list(seg.articles)
        joined = replace(arts[1], id=arts[1].id + "x", title=arts[1].title + " (tiếp)",
                         text=arts[1].text + "\n\n" + arts[2].title + "\n\n" + arts[2].text,
                         last_page=max(arts[1].last_page, arts[2].last_page))
        return replace(seg, articles=(arts[0], joined, *arts[3:]))

    monkeypatch.setattr(stage, "segment_issue_report", other_cut)
    monkeypatch.setattr(stage, "SEGMENTER_VERSION", "segment-test-next")
    with desk_home.catalog() as c:
        assert stage.run_segment(c, desk_home.config, issue_ids=[ISSUE], force=True).done == 1
    after = ids(desk_home)
    assert before[1] not in after and before[2] not in after
    client = client_for(make_app(desk_home), "doc")
    assert opens(client, before[1]) == (308, before[1] + "x")
    assert opens(client, before[2]) == (308, before[1] + "x")
    for i in before:
        assert opens(client, i)[0] in (200, 308)


def test_text_spread_over_several_articles_gets_a_listing(desk_home: DeskHome) -> None:
    """Two articles merged, then the merged one split elsewhere: an old id whose text is now
    in two articles lists both on a small page."""
    before = ids(desk_home)
    with desk_home.catalog() as c:
        kept = structure.merge_articles(c, [before[1], before[2]], author="bientap", base_ops=0)
        text = c.one("SELECT text FROM article WHERE id = ?", (kept,))["text"]
        paras = ops.paragraphs(text)
        # cut in the middle of the second article's old text
        old_paras = ops.paragraphs(c.one("SELECT text FROM issued_article WHERE id = ?",
                                               (before[2],))["text"])
        start = paras.index(old_paras[0])
        structure.split_article(c, kept, start + len(old_paras) // 2, "Phần sau", author="bientap",
                                base_ops=1)
        where = issued.resolve(c, before[2])
    assert where is not None and len(where.targets) == 2
    client = client_for(make_app(desk_home), "doc")
    r = client.get(f"/a/{before[2]}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "nay dẫn tới 2 tin, bài" in page
    for t in where.targets:
        assert f'href="/a/{t}"' in page and client.get(f"/a/{t}").status_code == 200


def test_restoring_an_older_backup_keeps_ids_issued_since(desk_home: DeskHome, tmp_path: Path) -> None:
    old = desk_home.article_id(VILLAGE_TITLE)
    backup.write_backup(desk_home.config, tmp_path / "b.zip")
    with desk_home.catalog() as c:
        correct_title(desk_home, c)
        new = c.one("SELECT id FROM article WHERE title = ?", (VILLAGE_TITLE.replace("cách", "cách thức"),))["id"]
    backup.restore_backup(desk_home.config, tmp_path / "b.zip", force=True)
    client = client_for(make_app(desk_home), "doc")
    assert opens(client, old) == (200, old)  # the restored catalog has the old article
    assert opens(client, new) == (308, old)  # the id issued after the backup still answers


def test_a_deleted_collection_still_answers(desk_home: DeskHome) -> None:
    with desk_home.catalog() as c:
        box = collections.create_collection(c, "Minh chứng", owner="bientap")
        collections.add_item(c, box.id, "article", desk_home.article_id(VILLAGE_TITLE), title=VILLAGE_TITLE,
                             added_by="bientap")
        collections.add_item(c, box.id, "search", "/search?q=chi+b%E1%BB%99&series=ttshcb", title="chi bộ",
                             added_by="bientap")
        client = client_for(make_app(desk_home), "doc")
        live = client.get(f"/c/{box.slug}").get_data(as_text=True)
        assert 'href="/search?q=chi+b%E1%BB%99&amp;series=ttshcb"' in live
        assert "bản tin ttshcb" in live  # the filters, not only the words
        collections.delete_collection(c, box.id)
    r = client.get(f"/c/{box.slug}")
    assert r.status_code == 200 and VILLAGE_TITLE in r.get_data(as_text=True)
    assert client.get("/c/never-issued-0000").status_code == 404


def test_a_merge_takes_the_kind_of_the_larger_part(desk_home: DeskHome) -> None:
    with desk_home.catalog() as c:
        rows = {r["id"]: r for r in c.query("SELECT id, kind, words FROM article WHERE issue_id = ?", (ISSUE,))}
        short = next(i for i, r in rows.items() if r["kind"] == "tin")
        long = max(rows, key=lambda i: rows[i]["words"])
        first, second = sorted([short, long], key=lambda i: c.one("SELECT seq FROM article WHERE id = ?", (i,))[0])
        kept = structure.merge_articles(c, [first, second], author="bientap", base_ops=0)
        row = c.one("SELECT kind, words FROM article WHERE id = ?", (kept,))
    assert row["kind"] == rows[long]["kind"] != "tin"
    assert row["words"] >= rows[long]["words"] + rows[short]["words"]


def test_a_spelling_correction_leaves_the_structure_as_it_was(desk_home: DeskHome) -> None:
    """Words corrected in a title and in body text: the same articles, titles (but the
    corrected one), bylines and kinds, and every old id still answering."""
    def shape(c: Any) -> list[tuple[str, str, str, int]]:
        return [(r["title"], r["byline"], r["kind"], r["first_page"]) for r in c.query(
            "SELECT * FROM article WHERE issue_id = ? ORDER BY seq", (ISSUE,))]

    before_ids = ids(desk_home)
    with desk_home.catalog() as c:
        before = shape(c)
        page = next(p for p in c.pages(ISSUE) if "Nâng cao" in c.page_text(p.id)["text"])
        text = c.page_text(page.id)["text"]
        fixed = text.replace("Nâng cao chất lượng", "Nâng cao hơn nữa chất lượng", 1) \
            .replace("sôi nổi", "sôi nỗi", 1).replace("Chi bộ thôn Đông", "Chi bộ thôn Đông Xuân", 1)
        assert fixed.count("\n") == text.count("\n") and fixed != text
        correct_page(c, page.id, fixed, author="bientap", base_version=0)
        refresh(c, desk_home.config, pages=[page.id])
        after = shape(c)
    assert len(after) == len(before)
    renamed = {0: before[0][0].replace("Nâng cao", "Nâng cao hơn nữa", 1),
               1: before[1][0].replace("Đông", "Đông Xuân", 1)}
    assert [(renamed.get(k, t), b, kd, p) for k, (t, b, kd, p) in enumerate(before)] == after
    client = client_for(make_app(desk_home), "doc")
    now_ids = ids(desk_home)
    for old, new in zip(before_ids, now_ids):
        assert opens(client, old)[1] == new


def test_a_corrected_line_keeps_its_role(desk_home: DeskHome) -> None:
    """segment.keep_roles: the machine's role of each line is carried to the corrected read
    of the same line (page, block, line of its first word), whatever the corrected text
    looks like; lines outside articles (running heads, masthead) are left alone."""
    from indexer.segment.segmenter import keep_roles, read_issue
    from indexer.segment.stage import effective_pages

    with desk_home.catalog() as c:
        issue = c.get_issue(ISSUE)
        pages = effective_pages(c, ISSUE)
    machine = read_issue(issue, pages).stream
    corrected = read_issue(issue, pages).stream
    titles = [k for k, ln in enumerate(corrected) if ln.role == "title"]
    bodies = [k for k, ln in enumerate(corrected) if ln.role == "body"]
    skipped = [k for k, ln in enumerate(corrected) if ln.role in ("running", "masthead")]
    assert titles and bodies and skipped
    corrected[titles[0]].role = "body"  # what a flip by the corrected text would look like
    corrected[bodies[0]].role = "title"
    corrected[skipped[0]].role = "body"
    assert keep_roles(corrected, machine) == 2
    assert corrected[skipped[0]].role == "body"  # only article roles are carried
    corrected[skipped[0]].role = machine[skipped[0]].role
    assert [ln.role for ln in corrected] == [ln.role for ln in machine]
