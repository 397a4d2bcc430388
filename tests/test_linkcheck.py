"""``bantin report --check`` (webapp/linkcheck.py): every link of a generated report opened
in the app, logged in; faults for a non-200 answer, a missing anchor, a number its target
does not show. Also: a report made before a title correction still opens every article."""
# ruff: noqa: F811  (pytest fixtures imported from tests.desk_fixtures are redefined as arguments)
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from archive import collections
from archive.editorial import correct_page
from bantin.main import main
from indexer.refresh import refresh
from review.filters import Filters
from review.report import Link, Para, render_report
from tests.desk_fixtures import (  # noqa: F401  (fixtures)
    ISSUE,
    VILLAGE_TITLE,
    DeskHome,
    desk_home,
    desk_template,
    make_app,
)
from webapp.linkcheck import check, claims, parse_number, session_for

BASE = "https://kho.bantin.test"


def report_of(home: DeskHome) -> Any:
    with home.catalog() as c:
        return render_report(c, home.config, Filters(by="term"), base_url=BASE)


def checked(home: DeskHome, report: Any) -> Any:
    client = make_app(home).test_client()
    with home.catalog() as c:
        assert session_for(client, c, "doc") == "doc"
    return check(report, client)


def test_numbers_are_read_as_printed() -> None:
    assert parse_number("1.234") == 1234 and parse_number("23,5 %") == 23.5
    assert parse_number("12 số") == 12 and parse_number("Khóa XI") is None


def test_the_generated_report_passes(desk_home: DeskHome) -> None:
    report = report_of(desk_home)
    result = checked(desk_home, report)
    assert result.ok, [str(f) for f in result.faults]
    assert result.links > 50 and result.anchors > 10
    numbers = [c for c in claims(report) if c.shows]
    assert result.numbers >= len(numbers) > 20  # every declared figure was looked for on its target
    units = {u for c in numbers for u, _v in c.shows}
    assert {"issues", "pages", "articles", "words"} <= units


def test_a_report_made_before_a_title_correction_still_opens_it(desk_home: DeskHome) -> None:
    old = desk_home.article_id(VILLAGE_TITLE)
    with desk_home.catalog() as c:
        box = collections.create_collection(c, "Minh chứng", owner="bientap")
        collections.add_item(c, box.id, "article", old, title=VILLAGE_TITLE, added_by="bientap")
        collections.add_item(c, box.id, "search", "/search?q=chi+b%E1%BB%99&series=ttshcb",
                             title="chi bộ", added_by="bientap")
    report = report_of(desk_home)
    urls = [c.url for c in claims(report)]
    assert f"{BASE}/a/{old}" in urls
    assert f"{BASE}/search?q=chi+b%E1%BB%99&series=ttshcb" in urls  # one well-formed link
    assert not any("/search?/search" in u for u in urls)
    with desk_home.catalog() as c:
        page_id = next(p.id for p in c.pages(ISSUE) if re.search(r"đổi\s+mới\s+cách", c.page_text(p.id)["text"]))
        text = c.page_text(page_id)["text"]
        correct_page(c, page_id, re.sub(r"đổi(\s+)mới(\s+)cách", r"đổi\1mới\2cách thức", text, count=1),
                     author="bientap", base_version=0)
        refresh(c, desk_home.config, pages=[page_id])
        assert c.one("SELECT 1 FROM article WHERE id = ?", (old,)) is None
    result = checked(desk_home, report)
    # every link still opens; the one number the correction changed is reported as such
    assert [f.problem for f in result.faults] == [
        "the number's target shows pages-corrected pages-corrected=1, not 0"]
    assert result.redirects >= 1  # the old article link, answered by a permanent redirect


def test_faults_are_found(desk_home: DeskHome) -> None:
    report = report_of(desk_home)
    bad = Para((Link("404", f"{BASE}/a/{ISSUE}-p9-0000"),
                Link("Lịch năm 1900", f"{BASE}/s/ttshcb#y1900"),
                Link("7 số", f"{BASE}/coverage/basis?series=ttshcb&from=2015&to=2015#issues", (("issues", 7.0),)),
                Link("999", f"{BASE}/search?q=chi+b%E1%BB%99")))
    result = checked(desk_home, replace(report, blocks=(*report.blocks, bad)))
    problems = sorted(f.problem for f in result.faults)
    assert len(problems) == 4, problems
    assert any("answers 404" in p for p in problems)
    assert any("no element id='y1900'" in p for p in problems)
    assert any("shows issues issues=1, not 7" in p for p in problems)
    assert any("shows no such number" in p for p in problems)


def test_report_check_command(desk_home: DeskHome, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.html"
    code = main(["--home", str(desk_home.path), "report", "--format", "html", "--out", str(out),
                 "--base-url", BASE, "--check"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    m = re.search(r"links checked: (\d+) URLs for (\d+) links", printed)
    assert m and int(m.group(1)) > 50 and "0 faults" in printed


@pytest.mark.parametrize("page", ["/coverage/structure?by=term", "/coverage/topics?by=term",
                                  "/coverage/documents", "/coverage/examples?by=term"])
def test_every_number_of_the_coverage_pages_opens_its_count(desk_home: DeskHome, page: str) -> None:
    from webapp.linkcheck import check_claims, page_claims

    client = make_app(desk_home).test_client()
    with desk_home.catalog() as c:
        session_for(client, c, "doc")
    html = client.get(page).get_data(as_text=True)
    found = [c for c in page_claims(html, BASE) if "/coverage/" not in c.url or "#" in c.url]
    assert any(c.shows for c in found) or page.startswith("/coverage/examples")
    result = check_claims(found, BASE, client)
    assert result.ok, [str(f) for f in result.faults]
    assert result.links > 5
