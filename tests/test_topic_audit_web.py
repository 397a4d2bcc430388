"""The topic audit on the desk (issue 15): `bantin topics audit draw`, blind labelling by two
editors over HTTP, the agreement page and its CSV, the labels in force and in the backup."""

# ruff: noqa: F811  (pytest fixtures imported from tests.desk_fixtures are redefined as arguments)
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from archive.topiclabels import latest_labels, record_label, sample_items
from bantin.main import cli, main
from indexer.analyze import stage as analyze
from review.filters import Filters
from review.report import render_report
from review.report_html import html_report
from tests.desk_fixtures import (  # noqa: F401  (fixtures)
    DeskHome,
    client_for,
    csrf_from,
    desk_home,
    desk_template,
    make_app,
)


def _label(client, sample_id: int, topics: list[str]) -> str:  # type: ignore[no-untyped-def]
    """Follow the desk to the next unlabelled article, check it is blind, save ``topics``."""
    r = client.get(f"/desk/audit/{sample_id}")
    assert r.status_code == 302
    page = client.get(r.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="audit-form"' in html
    assert " checked" not in html  # blind: nothing ticked, no machine label shown
    assert "Căn cứ máy" not in html
    saved = client.post(r.headers["Location"], data={"topics": topics, "csrf_token": csrf_from(html)})
    assert saved.status_code == 302
    return r.headers["Location"]


def test_two_editors_label_blind_and_the_figures_follow(desk_home: DeskHome) -> None:
    assert main(["--home", str(desk_home.path), "--quiet", "topics", "audit", "draw", "--n", "2",
                 "--seed", "5", "--editor", "bientap"]) == 0
    with desk_home.catalog() as c:
        items = sample_items(c, 1)
        machine = {a: sorted(r["topic"] for r in c.query(
            "SELECT topic FROM article_topic WHERE article_id = ? AND label = 1", (a,)))
            for _p, a, _s in items}
    assert len(items) == 2
    app = make_app(desk_home)
    first, second = client_for(app, "bientap"), client_for(app, "bientap2")
    # editor 1 agrees with the machine on the first article, says "kinh-te" on the second
    a1, a2 = items[0][1], items[1][1]
    _label(first, 1, machine[a1])
    _label(first, 1, ["kinh-te"])
    # editor 2 says "kinh-te" on both
    _label(second, 1, ["kinh-te"])
    _label(second, 1, ["kinh-te"])
    done = first.get("/desk/audit/1")
    assert done.status_code == 302 and done.headers["Location"].endswith("/desk/audit/1/figures")
    with desk_home.catalog() as c:
        rows = latest_labels(c, sample_id=1)
        in_force = {a: sorted(r["topic"] for r in c.query(
            "SELECT topic FROM article_topic WHERE article_id = ? AND label = 1", (a,))) for a in (a1, a2)}
    assert sorted((r.editor, r.article_id) for r in rows) == sorted(
        [("bientap", a1), ("bientap", a2), ("bientap2", a1), ("bientap2", a2)])
    assert all(list(r.machine) == machine[r.article_id] for r in rows)  # what the machine said
    assert in_force[a2] == ["kinh-te"]  # the latest editor's labels are in force
    # by hand: machine vs editor 1 (the first to label): article 1 all agree, article 2 the
    # machine's labels against "kinh-te"
    got2 = set(machine[a2])
    tp = len(machine[a1]) + ("kinh-te" in got2)
    fp = len(got2 - {"kinh-te"})
    fn = 0 if "kinh-te" in got2 else 1
    micro = 2 * tp / (2 * tp + fp + fn)
    page = first.get("/desk/audit/1/figures").get_data(as_text=True)
    assert f"{micro:.3f}" in re.search(r'<tr id="micro">.*?</tr>', page, re.DOTALL).group(0)  # type: ignore[union-attr]
    assert "2 bài rút ngẫu nhiên" in page and "bientap – bientap2" in page
    table = list(csv.reader(io.StringIO(first.get("/desk/audit/1/figures.csv").get_data(as_text=True))))
    assert next(r for r in table if r[0] == "micro")[7] == f"{micro:.3f}"
    # kappa for kinh-te between the editors: editor 2 said yes on both
    ed1 = ["kinh-te" in machine[a1], True]
    if all(ed1):
        assert next(r for r in table if r[0] == "kinh-te")[8] == ""  # one value throughout: undefined
    # a reader cannot reach the audit
    reader = client_for(app, "doc")
    assert reader.get("/desk/audit/").status_code in (302, 403)
    # the status command reports progress
    out = desk_home.path / "status.json"
    result = CliRunner().invoke(cli, ["--home", str(desk_home.path), "topics", "audit", "status", "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)["samples"][0]
    assert status["labelled"] == {"bientap": 2, "bientap2": 2}
    assert not out.exists()
    # the report's method section gives the sample size, the date and the figures
    with desk_home.catalog() as c:
        report = render_report(c, desk_home.config, Filters(), base_url="https://kho.example")
    text = html_report(report)
    assert "Mẫu kiểm tra số 1: 2 bài" in text and f"F1 vi mô {micro:.3f}" in text
    assert "hai biên tập viên" in text.lower()


def test_the_model_learns_from_labels_and_the_heatmap_shows_intervals(desk_home: DeskHome,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyze, "MIN_LABELLED", 5)  # the fixture holds 7 articles
    with desk_home.catalog() as c:
        ids = [r["id"] for r in c.query("SELECT id FROM article ORDER BY id")]
        with c.transaction() as db:
            for k, aid in enumerate(ids[:6]):
                record_label(db, aid, ["xay-dung-dang"] + (["kinh-te"] if k % 2 else []),
                             editor="bientap", source="import")
        first = analyze.run_analyze(c, desk_home.path)
        again = analyze.run_analyze(c, desk_home.path)
        model = c.one("SELECT version, labelled FROM topic_model")
        probs = c.one("SELECT COUNT(*) n FROM topic_prob")["n"]
        states = {r["topics_version"] for r in c.query("SELECT topics_version FROM analyze_state")}
    assert first.trained == 6 and again.trained == 0 and again.analyzed == 0  # retrained once
    assert model["labelled"] == 6 and states == {f"{first.topics_version}"}
    assert first.topics_version.endswith("+" + model["version"]) and probs >= 7
    app = make_app(desk_home)
    page = client_for(app, "doc").get("/coverage/topics").get_data(as_text=True)
    assert "khoảng tin cậy 95 %" in page and "data-low=" in page
    # seven articles in all: some cells' intervals are too wide to say anything, and greyed
    assert re.search(r'<td class="[^"]*\bwide"[^>]*data-low="[\d.]+" data-high="[\d.]+"', page)
    assert "(quá rộng để kết luận)" in page
    assert "Tỷ lệ mỗi chủ đề trong một thời kỳ được ước lượng" in page  # the method, stated
