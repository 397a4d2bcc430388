"""The analyze stage on a real catalog: rows written with evidence and versions, reruns that
do nothing, re-tagging after a topic-list edit, changed articles only, failures, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.catalog import Catalog, now
from archive.models import Issue, Series
from indexer.analyze import stage
from indexer.analyze.register import load_register
from indexer.analyze.stage import read_articles, run_analyze
from indexer.analyze.topicfile import load_topics

ARTICLES = [
    ("Quán triệt Nghị quyết Trung ương 5",
     "Các chi bộ tổ chức học tập Nghị quyết số 21-NQ/TW, ngày 16/6/2022 của Ban Chấp hành Trung "
     "ương khóa XIII về tăng cường củng cố, xây dựng tổ chức cơ sở đảng và nâng cao chất lượng "
     "đội ngũ đảng viên. Nghị quyết 21-NQ/TW yêu cầu đổi mới sinh hoạt chi bộ.", "Văn kiện – Nghị quyết"),
    ("Chủ động phòng, chống thiên tai",
     "Trước mùa mưa bão, các xã rà soát khu dân cư có nguy cơ sạt lở, lũ quét; thực hiện phương "
     "châm bốn tại chỗ.", ""),
    ("Thi hành Luật Phòng, chống tham nhũng",
     "Luật Phòng, chống tham nhũng năm 2018 quy định việc kê khai tài sản, thu nhập. Chỉ thị 05-CT/TW "
     "cũng nhắc cán bộ nêu gương.", ""),
]


def add_issue(catalog: Catalog, articles: list[tuple[str, str, str]], *, year: int = 2023,
              number: str = "01") -> list[str]:
    catalog.put_series(Series(code="ttshcb", title="Thông tin sinh hoạt chi bộ",
                              publisher="Ban Tuyên giáo Trung ương", first_year=1989,
                              issues_per_year=12))
    issue_id = f"ttshcb-{year}-{number}"
    catalog.put_issue(Issue(id=issue_id, series="ttshcb", year=year, number=number,
                            date=f"{year}-03", source=f"ttshcb/{issue_id}.pdf", source_kind="pdf",
                            sha256="0" * 64, page_count=4), [])
    ids = []
    with catalog.transaction() as db:
        for seq, (title, text, section) in enumerate(articles, start=1):
            article_id = f"{issue_id}-p{seq}-{seq:04x}"
            db.execute("INSERT INTO article(id, issue_id, seq, section, title, byline, first_page,"
                       " last_page, kind, text, words, confidence, boxes, source_key, segmenter,"
                       " updated_at) VALUES (?,?,?,?,?,'',?,?,'bai',?,?,100,'{}','test','test',?)",
                       (article_id, issue_id, seq, section, title, seq, seq, text,
                        len(text.split()), now()))
            ids.append(article_id)
    return ids


def topics_rows(catalog: Catalog, article_id: str) -> dict[str, dict]:
    return {r["topic"]: dict(r) for r in catalog.query(
        "SELECT * FROM article_topic WHERE article_id = ?", (article_id,))}


def test_analyze_writes_topics_refs_and_state(home: Path, catalog: Catalog) -> None:
    ids = add_issue(catalog, ARTICLES)
    report = run_analyze(catalog, home)
    assert (report.analyzed, report.current, report.failed) == (3, 0, [])
    topic_list = load_topics()
    assert report.topics_version == topic_list.key

    first = topics_rows(catalog, ids[0])
    labelled = [t for t, r in first.items() if r["label"]]
    assert "xay-dung-dang" in labelled and 1 <= len(labelled) <= 3
    row = first["xay-dung-dang"]
    evidence = json.loads(row["evidence"])
    assert evidence["21-NQ/TW"] == 2 and evidence["sinh hoạt chi bộ"] == 1
    assert row["topics_version"] == topic_list.key and row["score"] > 0

    [ref] = catalog.query("SELECT * FROM article_ref WHERE article_id = ?", (ids[0],))
    assert (ref["doc_id"], ref["kind"], ref["number"], ref["doc_type"], ref["body"]) == \
        ("21-NQ/TW", "Nghị quyết", "21", "NQ", "TW")
    assert (ref["year"], ref["date"], ref["count"], ref["known"]) == (2022, "2022-06-16", 2, 1)
    assert ref["issuer"] == "Ban Chấp hành Trung ương khóa XIII" and ref["raw"] == "21-NQ/TW"

    assert "moi-truong-thien-tai" in [t for t, r in topics_rows(catalog, ids[1]).items() if r["label"]]
    refs = {r["doc_id"]: dict(r) for r in catalog.query(
        "SELECT * FROM article_ref WHERE article_id = ?", (ids[2],))}
    assert set(refs) == {"36/2018/QH14", "05-CT/TW"} and refs["36/2018/QH14"]["kind"] == "Luật"
    states = catalog.query("SELECT * FROM analyze_state ORDER BY article_id")
    assert [s["article_id"] for s in states] == sorted(ids)


def test_rerun_does_nothing_then_only_what_changed(home: Path, catalog: Catalog) -> None:
    ids = add_issue(catalog, ARTICLES)
    run_analyze(catalog, home)
    stamps = {r["article_id"]: r["analyzed_at"] for r in catalog.query("SELECT * FROM analyze_state")}
    again = run_analyze(catalog, home)
    assert (again.analyzed, again.current) == (0, 3)
    with catalog.transaction() as db:
        db.execute("UPDATE article SET text = text || ' Phát triển đảng viên mới.' WHERE id = ?",
                   (ids[1],))
    third = run_analyze(catalog, home)
    assert (third.analyzed, third.current) == (1, 2)
    assert "phát triển đảng viên" in json.loads(topics_rows(catalog, ids[1])["xay-dung-dang"]["evidence"])
    after = {r["article_id"]: r["analyzed_at"] for r in catalog.query("SELECT * FROM analyze_state")}
    assert after[ids[0]] == stamps[ids[0]]
    forced = run_analyze(catalog, home, force=True)
    assert forced.analyzed == 3


def test_topic_list_edit_retags_every_article(home: Path, catalog: Catalog) -> None:
    ids = add_issue(catalog, ARTICLES)
    run_analyze(catalog, home)
    shipped = Path(load_topics().path).read_text(encoding="utf-8")
    edited = shipped.replace('version = "', 'version = "test-', 1) + (
        '\n[[topic]]\nslug = "tai-san"\nname = "Tài sản"\ndescription = "Kê khai tài sản."\n'
        '[topic.terms]\n"kê khai tài sản, thu nhập" = 20\n')
    (home / "topics.toml").write_text(edited, encoding="utf-8")
    report = run_analyze(catalog, home)
    assert report.analyzed == 3 and report.topics_version.startswith("test-")
    rows = topics_rows(catalog, ids[2])
    assert rows["tai-san"]["label"] == 1
    assert json.loads(rows["tai-san"]["evidence"]) == {"kê khai tài sản, thu nhập": 1}
    versions = {r["topics_version"] for r in catalog.query("SELECT topics_version FROM article_topic")}
    assert versions == {report.topics_version}
    assert run_analyze(catalog, home).analyzed == 0


def test_register_edit_rereads_citations(home: Path, catalog: Catalog) -> None:
    ids = add_issue(catalog, ARTICLES)
    run_analyze(catalog, home)
    [ref] = catalog.query("SELECT * FROM article_ref WHERE article_id = ? AND doc_id = '05-CT/TW'",
                          (ids[2],))
    assert ref["known"] == 1
    shipped = Path(load_register().path).read_text(encoding="utf-8")
    start = shipped.index('[[document]]\nid = "05-CT/TW"')
    end = shipped.index("[[document]]", start + 5)
    (home / "documents.toml").write_text(shipped[:start] + shipped[end:], encoding="utf-8")
    assert run_analyze(catalog, home).analyzed == 3
    [ref] = catalog.query("SELECT * FROM article_ref WHERE article_id = ? AND doc_id = '05-CT/TW'",
                          (ids[2],))
    assert (ref["known"], ref["date"]) == (0, "")


def test_failed_article_is_reported_and_retried(home: Path, catalog: Catalog,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    ids = add_issue(catalog, ARTICLES)
    real = stage.analyze_article

    def flaky(article, topic_list, register, unsure=None):  # fault injection: one article breaks
        if article.id == ids[1]:
            raise RuntimeError("injected fault")
        return real(article, topic_list, register, unsure)

    monkeypatch.setattr(stage, "analyze_article", flaky)
    report = run_analyze(catalog, home)
    assert report.analyzed == 2 and report.failed == [f"{ids[1]}: injected fault"]
    assert [p["message"] for p in catalog.problems("analyze")] == [f"article {ids[1]}: injected fault"]
    assert topics_rows(catalog, ids[1]) == {} and topics_rows(catalog, ids[0])
    monkeypatch.setattr(stage, "analyze_article", real)
    retry = run_analyze(catalog, home)
    assert (retry.analyzed, retry.current, retry.failed) == (1, 2, [])
    assert catalog.problems("analyze") == []


def test_crash_loses_only_the_batch(home: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = add_issue(catalog, ARTICLES)
    monkeypatch.setattr(stage, "BATCH", 1)
    real = stage._write
    calls = []

    def crash_on_second(*args, **kw):  # fault injection: the process dies during batch 2
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kw)

    monkeypatch.setattr(stage, "_write", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        run_analyze(catalog, home)
    assert [r["article_id"] for r in catalog.query("SELECT article_id FROM analyze_state")] == [ids[0]]
    monkeypatch.setattr(stage, "_write", real)
    assert run_analyze(catalog, home).analyzed == 2


def test_deleted_article_takes_its_analysis(home: Path, catalog: Catalog) -> None:
    ids = add_issue(catalog, ARTICLES)
    run_analyze(catalog, home)
    with catalog.transaction() as db:
        db.execute("DELETE FROM article WHERE id = ?", (ids[0],))
    for table in ("article_topic", "article_ref", "analyze_state"):
        assert catalog.one(f"SELECT COUNT(*) AS n FROM {table} WHERE article_id = ?", (ids[0],))["n"] == 0


def test_read_articles_gives_values(home: Path, catalog: Catalog) -> None:
    ids = add_issue(catalog, ARTICLES[:1], year=2016, number="05")
    [a] = list(read_articles(catalog))
    assert (a.id, a.series, a.year, a.number, a.date, a.section) == \
        (ids[0], "ttshcb", 2016, "05", "2016-03", "Văn kiện – Nghị quyết")


def test_no_articles_is_not_an_error(home: Path, catalog: Catalog) -> None:
    report = run_analyze(catalog, home, register=load_register())
    assert (report.analyzed, report.current, report.failed) == (0, 0, [])


def test_cli_analyze_and_topics_check(home: Path, catalog: Catalog, bantin) -> None:
    add_issue(catalog, ARTICLES)
    r = bantin("analyze")
    assert r.code == 0 and "analyze: 3 articles analysed, 0 current" in r.out
    r = bantin("analyze")
    assert r.code == 0 and "0 articles analysed, 3 current" in r.out
    r = bantin("topics", "check")
    assert r.code == 0 and "15 chủ đề" in r.out and "xay-dung-dang" in r.out
    (home / "topics.toml").write_text('version = "1"\n[[topic]]\nslug = "a"\nname = "A"\n'
                                      '[topic.terms]\n"lúa" = "nhiều"\n', encoding="utf-8")
    for args in (("topics", "check"), ("analyze",)):
        r = bantin(*args)
        assert r.code == 6
        assert f"{home / 'topics.toml'}, line 6: weight of 'lúa' must be a number" in r.err
    # nothing stored was lost by the refused run
    assert catalog.one("SELECT COUNT(*) AS n FROM article_topic")["n"] > 0


def test_evaluate_truth(tmp_path: Path) -> None:
    from indexer.analyze.stage import evaluate_truth

    records = [
        {"title": "Chủ động phòng, chống thiên tai", "section": "", "kind": "bai", "year": 2020,
         "text": ARTICLES[1][1], "topics": ["moi-truong-thien-tai"], "doc_refs": []},
        {"title": ARTICLES[0][0], "section": ARTICLES[0][2], "kind": "bai", "year": 2023,
         "text": ARTICLES[0][1], "topics": ["xay-dung-dang", "kinh-te"],
         "doc_refs": ["21-NQ/TW", "18-KL/TW"]},
    ]
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    m = evaluate_truth(path)
    assert m.articles == 2
    assert (m.refs.tp, m.refs.fp, m.refs.fn) == (1, 0, 1)
    assert m.topics.tp == 2 and m.topics.fn == 1  # kinh-te is not in the second text
