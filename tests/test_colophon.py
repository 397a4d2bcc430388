"""Colophon facts (issue 21): the reader on printed and OCR'd forms, the catalog table, the
editors' corrections with history, ``bantin export issues`` against the sample's truth."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from archive.catalog import Catalog
from archive.editorial import EditConflict
from indexer.segment import colophons
from indexer.segment.colophon import colophon_text, parse_colophon
from indexer.segment.colophon_eval import evaluate
from tests.conftest import run_bantin
from tests.review_fixtures import SampleHome, sample_home  # noqa: F401


def read(text: str, conf: float = 95.0) -> dict[str, Any]:
    lines = [[(w, conf) for w in line.split()] for line in text.split("\n")]
    return {k: f.value for k, f in parse_colophon(colophon_text(lines), 4).items()}


@pytest.mark.parametrize("text, run", [
    ("In 1.500 bản", 1500),
    ("In 2.000 bản, khổ 19 x 27 cm tại Công ty In Vân Hà", 2000),
    ("Số lượng in: 35.500 bản. Khổ 19 x 27 cm.", 35500),
    ("1n 19.500 :bẩn, khổ 19 x 27 cm, 'tại Xưởng ín Ban", 19500),  # OCR'd
    ("Tn_42.690 bản, khổ 19 x 27 cm", 42690),
    ("In 4100 bản, khổ 19 x 27 cm", 4100),
    ("In 15,000 bản", 15000),
    ("ln 3.2OO bản", 3200),  # O read for 0: read, with a lower confidence
])
def test_print_run_forms(text: str, run: int) -> None:
    assert read(text)["print_run"] == run


@pytest.mark.parametrize("text", [
    "In tại Công ty Cổ phần In Vân Giang (hư cấu).",  # no run printed
    "In 15.00.0 bản",  # digits grouped as no number is printed: not guessed
    "Tin 3 bản tin tháng này",  # not a colophon's print run
])
def test_print_run_not_guessed(text: str) -> None:
    assert read(text).get("print_run") is None


def test_every_fact_with_its_words() -> None:
    text = ("Chịu trách nhiệm xuất bản: Nguyễn Đức Tường\n"
            "Số lượng in: 35.500 bản. Khổ 20,5 x 29 cm. In tại Xưởng in Ban Tư tưởng – Văn hóa Trung\n"
            "ương.\nGiấy phép xuất bản số 322/GP-BVHTT, cấp ngày 28/12/1993.\n"
            "In xong và nộp lưu chiểu tháng 1/1994.")
    lines = [[(w, 95.0) for w in line.split()] for line in text.split("\n")]
    facts = parse_colophon(colophon_text(lines), 4)
    assert {k: f.value for k, f in facts.items()} == {
        "editor": "Nguyễn Đức Tường", "print_run": 35500, "format": "20,5 x 29 cm",
        "printer": "Xưởng in Ban Tư tưởng – Văn hóa Trung ương", "licence": "322/GP-BVHTT",
        "licence_date": "1993-12-28", "deposit": "1994-01"}
    assert facts["print_run"].evidence.startswith("Số lượng in: 35.500 bản")
    assert facts["printer"].evidence.endswith("/ ương.")  # the two lines it was read from
    assert facts["print_run"].page == 4 and facts["print_run"].conf == 95.0


def test_confidence_follows_the_words_and_repairs() -> None:
    lines = [[("In", 97.0), ("3.2OO", 61.0), ("bản", 90.0)]]
    fact = parse_colophon(colophon_text(lines), 2)["print_run"]
    assert fact.value == 3200 and fact.conf == 61.0 - 25.0


def test_table_form_of_word_issues() -> None:
    text = ("Chịu trách nhiệm xuất bản\nSố lượng in\nNơi in\nGiấy phép\nNộp lưu chiểu\nVõ Đức Luân\n"
            "In 4100 bản, khổ 19 x 27 cm\nCông ty Cổ phần In Vân Giang (hư cấu)\n"
            "Giấy phép xuất bản số 30/GP-SVHTT,\ncấp ngày 3/12/2006\nTháng 6/2007")
    from indexer.segment.colophon import _untable
    lines = _untable([[(w, 100.0) for w in line.split()] for line in text.split("\n")])
    facts = {k: f.value for k, f in parse_colophon(colophon_text(lines), 3).items()}
    assert facts == {"editor": "Võ Đức Luân", "print_run": 4100, "format": "19 x 27 cm",
                     "printer": "Công ty Cổ phần In Vân Giang (hư cấu)", "licence": "30/GP-SVHTT",
                     "licence_date": "2006-12-03", "deposit": "2007-06"}


def test_sample_colophons_read_against_truth(sample_home: SampleHome) -> None:  # noqa: F811
    truth = {r["issue"]: r for r in sample_home.truth("issues.jsonl")}
    assert any(r["colophon"] is False for r in truth.values())  # the sample has a missing one
    with Catalog(sample_home.path / "index" / "catalog.sqlite") as catalog:
        tallies = evaluate(catalog, sample_home.path)
    text = tallies["text"]
    assert text.issues >= 3 and text.exact / text.issues >= 0.98, text.wrong
    assert tallies["all"].absent >= 1 and tallies["all"].absent_right == tallies["all"].absent
    assert tallies["ocr"].issues >= 1  # OCR'd colophons are measured (bench/coverage.py: >= 0.9 on full)
    for name in ("format", "licence", "deposit"):
        right, printed = text.fields[name]
        assert right == printed, name


def test_export_issues_same_fields_as_truth(sample_home: SampleHome) -> None:  # noqa: F811
    truth = sample_home.truth("issues.jsonl")
    r = run_bantin(sample_home.path, "export", "issues")
    assert r.returncode == 0, r.stderr
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(records) == len(truth)
    for field in ("series", "year", "number", "date", "pages", "print_run", "format", "printer",
                  "licence", "deposit"):
        assert field in records[0] and field in truth[0]
    by_issue = {t["issue"]: t for t in truth}
    for rec in records:
        assert rec["pages"] == by_issue[rec["issue"]]["pages"]
        if not by_issue[rec["issue"]]["colophon"]:
            assert rec["print_run"] is None and rec["colophon"] is False  # counted, not guessed
    r = run_bantin(sample_home.path, "export", "issues", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == len(truth) and rows[0]["url"].startswith("/i/")


def test_editor_correction_with_history(tmp_path: Any, sample_home: SampleHome) -> None:  # noqa: F811
    import shutil
    copy = tmp_path / "home"
    shutil.copytree(sample_home.path / "index", copy / "index", ignore=shutil.ignore_patterns("search", "cache"))
    with Catalog(copy / "index" / "catalog.sqlite") as catalog:
        issue = next(i for i in catalog.issues() if colophons.issue_facts(catalog, i.id).values["print_run"])
        before = colophons.issue_facts(catalog, issue.id)
        v1 = colophons.save(catalog, issue.id, {"print_run": colophons.clean_value("print_run", "1.234")},
                            author="bientap", base_version=0, reason="đọc lại bản giấy")
        after = colophons.issue_facts(catalog, issue.id)
        assert v1 == 1 and after.values["print_run"] == 1234 and after.sources["print_run"] == "editor"
        assert after.values["format"] == before.values["format"]  # other fields kept
        with pytest.raises(EditConflict):
            colophons.save(catalog, issue.id, {"print_run": 1}, author="khac", base_version=0)
        colophons.save(catalog, issue.id, {"print_run": before.values["print_run"]}, author="bientap",
                       base_version=1)
        assert colophons.issue_facts(catalog, issue.id).values["print_run"] == before.values["print_run"]
        assert [h["version"] for h in colophons.history(catalog, issue.id)] == [2, 1]
