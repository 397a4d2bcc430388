"""Article corrections (indexer/segment/edits.py) on a home built by the real pipeline:
fields with versions, conflicts and restore; split and merge; edits surviving re-segmentation
and re-analysis; editors' topic labels over the machine's with the evidence kept."""
# ruff: noqa: F811  (pytest fixtures imported from tests.desk_fixtures are redefined as arguments)
from __future__ import annotations

import json

import pytest

from archive.editorial import EditConflict, correct_page
from archive.errors import UsageError
from indexer.analyze.stage import run_analyze
from indexer.segment import edits, ops, structure
from indexer.segment.segmenter import make_article_id
from indexer.segment.stage import run_segment
from tests.desk_fixtures import (  # noqa: F401  (fixtures)
    HIDDEN_TITLE,
    ISSUE,
    MISREAD,
    VILLAGE_TITLE,
    DeskHome,
    desk_home,
    desk_template,
)


def rows(home: DeskHome) -> list[dict]:  # type: ignore[type-arg]
    with home.catalog() as c:
        return [dict(r) for r in c.query("SELECT * FROM article WHERE issue_id = ? ORDER BY seq", (ISSUE,))]


def labels(home: DeskHome, article_id: str) -> list[str]:
    with home.catalog() as c:
        return sorted(r["topic"] for r in c.query(
            "SELECT topic FROM article_topic WHERE article_id = ? AND label = 1", (article_id,)))


def test_field_edit_is_a_version_and_restore_brings_the_machine_values_back(desk_home: DeskHome) -> None:
    aid = desk_home.article_id(VILLAGE_TITLE)
    with desk_home.catalog() as c:
        v1 = edits.edit_article(c, aid, {"title": "Chi bộ thôn Đông đổi mới sinh hoạt",
                                         "kind": "tin", "byline": "Lê Thị Hoa"},
                                author="bientap", base_version=0, reason="sửa tiêu đề")
        assert v1.version == 1 and v1.author == "bientap" and v1.reason == "sửa tiêu đề"
        row = c.one("SELECT title, kind, byline FROM article WHERE id = ?", (aid,))
        assert tuple(row) == ("Chi bộ thôn Đông đổi mới sinh hoạt", "tin", "Lê Thị Hoa")
        # nothing to change: no new version
        assert edits.edit_article(c, aid, {"kind": "tin"}, author="bientap", base_version=1).version == 1
        # the reindex queue holds the article until the index catches up
        assert c.one("SELECT kind FROM reindex_queue WHERE doc_id = ?", (aid,))["kind"] == "article"
        history = edits.article_history(c, aid)
        assert [v.version for v in history] == [0, 1]
        v2 = edits.restore_article(c, aid, 0, author="bientap2", base_version=1)
        assert v2.version == 2 and v2.fields == {} and "khôi phục phiên bản 0" in v2.reason
        row = c.one("SELECT title, kind, byline FROM article WHERE id = ?", (aid,))
        assert tuple(row) == (VILLAGE_TITLE, "bai", "PV")


def test_stale_article_edit_is_a_conflict_with_the_difference(desk_home: DeskHome) -> None:
    aid = desk_home.article_id(VILLAGE_TITLE)
    with desk_home.catalog() as c:
        section = "Kinh nghiệm – cách làm hay"
        edits.edit_article(c, aid, {"section": section}, author="bientap", base_version=0)
        with pytest.raises(EditConflict) as err:
            edits.edit_article(c, aid, {"section": "Hỏi – đáp"}, author="bientap2", base_version=0)
        assert err.value.current == 1 and "Chuyên mục: Kinh nghiệm – cách làm hay" in err.value.current_text
        assert "+Chuyên mục: Hỏi – đáp" in err.value.diff
        assert c.one("SELECT section FROM article WHERE id = ?", (aid,))["section"] == section
        assert edits.current_version(c, aid) == 1


def test_bad_values_are_refused_and_nothing_is_written(desk_home: DeskHome) -> None:
    aid = desk_home.article_id(VILLAGE_TITLE)
    with desk_home.catalog() as c:
        for changes, words in (({"kind": "bao"}, "loại 'bao' không có"), ({"first_page": 9}, "từ 1 đến 3"),
                               ({"title": "  "}, "cần có tiêu đề"),
                               ({"first_page": 3, "last_page": 2}, "đứng sau trang cuối"),
                               ({"topics": ["Không hợp lệ"]}, "chủ đề có trong danh sách"),
                               ({"text": "x"}, "không có; chỉ có")):
            with pytest.raises(UsageError, match=words):
                edits.edit_article(c, aid, changes, author="bientap", base_version=0)
        assert edits.current_version(c, aid) == 0


def test_split_at_a_paragraph_takes_it_as_the_title_and_follows_the_id_rule(desk_home: DeskHome) -> None:
    aid = desk_home.article_id(VILLAGE_TITLE)
    before = rows(desk_home)
    with desk_home.catalog() as c:
        paras = ops.paragraphs(c.one("SELECT text FROM article WHERE id = ?", (aid,))["text"])
        at = paras.index(HIDDEN_TITLE)
        with pytest.raises(EditConflict):
            structure.split_article(c, aid, at, author="bientap", base_ops=3)
        new_id = structure.split_article(c, aid, at, author="bientap", base_ops=0, reason="hai bài")
        assert ops.structure_version(c, ISSUE) == 1
    after = rows(desk_home)
    assert len(after) == len(before) + 1
    first = next(r for r in after if r["id"] == aid)
    second = next(r for r in after if r["id"] == new_id)
    assert second["seq"] == first["seq"] + 1 and second["title"] == HIDDEN_TITLE
    assert second["text"].startswith("Nhà văn hóa thôn Đông") and HIDDEN_TITLE not in first["text"]
    assert second["byline"] == "PV" and first["byline"] == ""  # the signature closes the second story
    assert new_id == make_article_id(ISSUE, second["first_page"], HIDDEN_TITLE, {r["id"] for r in before})
    assert [r["seq"] for r in after] == list(range(1, len(after) + 1))


def test_merge_then_undo_and_the_permalink_follows(desk_home: DeskHome) -> None:
    ids = [r["id"] for r in rows(desk_home)]
    with desk_home.catalog() as c:
        with pytest.raises(UsageError, match="ít nhất hai"):
            structure.merge_articles(c, ids[:1], author="bientap", base_ops=0)
        kept = structure.merge_articles(c, [ids[4], ids[3]], author="bientap", base_ops=0)
        assert kept == ids[3]
        assert ops.merged_into(c, ids[4]) == ids[3] and ops.merged_into(c, ids[3]) is None
        merged = c.one("SELECT * FROM article WHERE id = ?", (kept,))
        assert merged["words"] > 0 and len([r for r in rows(desk_home)]) == len(ids) - 1
        structure.undo_op(c, ISSUE, 1, author="bientap2", base_ops=1)
        assert [r["id"] for r in rows(desk_home)] == ids
        assert ops.merged_into(c, ids[4]) is None
        op_list = ops.issue_ops(c, ISSUE)
        assert [(o.kind, o.undone, o.author) for o in op_list] == [("merge", True, "bientap"),
                                                              ("undo", False, "bientap2")]
        with pytest.raises(UsageError, match="đã được hoàn tác"):
            structure.undo_op(c, ISSUE, 1, author="bientap", base_ops=2)


def test_edits_survive_a_page_correction_and_re_segmentation(desk_home: DeskHome) -> None:
    aid = desk_home.article_id(VILLAGE_TITLE)
    config = desk_home.config
    with desk_home.catalog() as c:
        paras = ops.paragraphs(c.one("SELECT text FROM article WHERE id = ?", (aid,))["text"])
        new_id = structure.split_article(c, aid, paras.index(HIDDEN_TITLE), author="bientap", base_ops=0)
        edits.edit_article(c, new_id, {"kind": "tin", "section": "Thông tin thời sự"}, author="bientap",
                           base_version=0)
        edits.edit_article(c, aid, {"title": "Chi bộ thôn Đông đổi mới sinh hoạt"}, author="bientap",
                           base_version=0)
        machine = json.loads(c.one("SELECT articles FROM article_machine WHERE issue_id = ?", (ISSUE,))[0])
        assert [a["title"] for a in machine].count(HIDDEN_TITLE) == 0  # the machine's output is kept as made
        page_id = desk_home.page_of(MISREAD)
        text = c.page_text(page_id)["text"]
        correct_page(c, page_id, text.replace(MISREAD, "Hang"), author="bientap", base_version=0)
        report = run_segment(c, config, issue_ids=[ISSUE])
        assert report.done == 1  # the corrected page changed the issue's source
        again = run_segment(c, config, issue_ids=[ISSUE], force=True)
        assert again.done == 1
        after = {r["id"]: r for r in rows(desk_home)}
    assert after[aid]["title"] == "Chi bộ thôn Đông đổi mới sinh hoạt"
    assert "Na Hang" in after[aid]["text"].replace("\n", " ")
    assert (after[new_id]["title"], after[new_id]["kind"], after[new_id]["section"]) == \
        (HIDDEN_TITLE, "tin", "Thông tin thời sự")


def test_editor_topics_replace_the_machine_labels_and_survive_re_analysis(desk_home: DeskHome) -> None:
    aid = desk_home.article_id(VILLAGE_TITLE)
    machine = labels(desk_home, aid)
    assert machine and "doi-ngoai" not in machine
    with desk_home.catalog() as c:
        evidence_before = {r["topic"]: r["evidence"] for r in c.query(
            "SELECT topic, evidence FROM article_topic WHERE article_id = ?", (aid,))}
        edits.edit_article(c, aid, {"topics": ["doi-ngoai", machine[0]]}, author="bientap", base_version=0)
    assert labels(desk_home, aid) == sorted(["doi-ngoai", machine[0]])  # at once
    with desk_home.catalog() as c:
        assert c.one("SELECT 1 FROM analyze_state WHERE article_id = ?", (aid,)) is None  # to be redone
        run_analyze(c, desk_home.path, force=True)
        evidence_after = {r["topic"]: r["evidence"] for r in c.query(
            "SELECT topic, evidence FROM article_topic WHERE article_id = ?", (aid,))}
    assert labels(desk_home, aid) == sorted(["doi-ngoai", machine[0]])
    assert evidence_after[machine[0]] == evidence_before[machine[0]] != "{}"  # the machine's evidence kept
    with desk_home.catalog() as c:
        edits.restore_article(c, aid, 0, author="bientap", base_version=1)
        run_analyze(c, desk_home.path, only=[aid])
    assert labels(desk_home, aid) == machine


def test_a_failure_inside_an_edit_leaves_the_old_state(desk_home: DeskHome,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    aid = desk_home.article_id(VILLAGE_TITLE)
    before = rows(desk_home)

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(edits, "materialise", boom)
    with desk_home.catalog() as c:
        with pytest.raises(RuntimeError):
            edits.edit_article(c, aid, {"title": "Tiêu đề mới"}, author="bientap", base_version=0)
        assert edits.current_version(c, aid) == 0
    assert rows(desk_home) == before


def test_a_corrected_title_keeps_the_article_s_edits_collections_and_permalink(desk_home: DeskHome) -> None:
    """The id hashes the title: correcting a misread title word gives a new id, and the
    editor's work and the old permalink follow it."""
    import re

    from archive import collections
    from indexer.refresh import refresh

    old_id = desk_home.article_id(VILLAGE_TITLE)
    with desk_home.catalog() as c:
        edits.edit_article(c, old_id, {"kind": "tin"}, author="bientap", base_version=0)
        box = collections.create_collection(c, "Minh chứng", owner="bientap")
        collections.add_item(c, box.id, "article", old_id, title=VILLAGE_TITLE, added_by="bientap")
        page_id = next(p.id for p in c.pages(ISSUE) if "Đông" in c.page_text(p.id)["text"]
                       and re.search(r"đổi\s+mới\s+cách", c.page_text(p.id)["text"]))
        text = c.page_text(page_id)["text"]
        correct_page(c, page_id, re.sub(r"đổi(\s+)mới(\s+)cách", r"đổi\1mới\2cách thức", text, count=1),
                     author="bientap", base_version=0)
        refresh(c, desk_home.config, pages=[page_id])
        new_title = VILLAGE_TITLE.replace("cách", "cách thức")
        new_id = make_article_id(ISSUE, 1, new_title, set())
        row = c.one("SELECT id, title, kind FROM article WHERE id = ?", (new_id,))
        assert row is not None and row["title"] == new_title
        assert row["kind"] == "tin"  # the field edit moved with the id
        assert c.one("SELECT 1 FROM article WHERE id = ?", (old_id,)) is None
        assert [v.version for v in edits.article_history(c, new_id)] == [0, 1]
        assert [i.ref for i in collections.get_collection(c, box.id).items] == [new_id]  # type: ignore[union-attr]
        assert ops.merged_into(c, old_id) == new_id
        assert [o.kind for o in ops.issue_ops(c, ISSUE)] == ["rename"]
