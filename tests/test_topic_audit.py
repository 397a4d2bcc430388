"""The topic audit (issue 15): drawing a stratified sample, recording labels, agreement figures
checked against values computed by hand on a small fixture."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from archive.catalog import Catalog, now
from archive.errors import UsageError
from archive.topiclabels import latest_labels, progress, record_label, sample_items, save_sample
from review.agreement import (
    agreement,
    agreement_csv,
    cohen_kappa,
    compare,
    krippendorff_alpha,
    method_sentences,
    micro_macro,
)
from review.audit import allocate, draw, draw_sample
from review.coverage import flag_of
from review.shares import Calibration, Interval, share_interval

SLUGS = ("a", "b")
# The fixture, four articles, two topics:
MACHINE = {"1": ["a"], "2": ["a", "b"], "3": ["b"], "4": []}
EDITOR = {"1": ["a"], "2": ["a"], "3": ["a", "b"], "4": ["b"]}
SECOND = {"1": ["a"], "2": ["a", "b"], "3": ["a"], "4": ["b"]}


def test_machine_against_editor_by_hand() -> None:
    rows, double, alpha = compare(MACHINE, EDITOR, None, SLUGS)
    a, b = rows
    # topic a: articles 1, 2 both say yes (tp 2), article 3 only the editor (fn 1)
    assert (a.tp, a.fp, a.fn) == (2, 0, 1)
    assert a.precision == 1.0 and a.recall == pytest.approx(2 / 3) and a.f1 == pytest.approx(0.8)
    # topic b: article 2 only the machine (fp), 3 both (tp), 4 only the editor (fn)
    assert (b.tp, b.fp, b.fn) == (1, 1, 1)
    assert b.f1 == pytest.approx(0.5)
    p, r, f, macro = micro_macro(rows)
    assert (p, r) == (pytest.approx(0.75), pytest.approx(0.6))  # 3/4, 3/5
    assert f == pytest.approx(6 / 9) and macro == pytest.approx(0.65)
    assert double == 0 and alpha is None


def test_two_editors_by_hand() -> None:
    rows, double, alpha = compare(MACHINE, EDITOR, SECOND, SLUGS)
    assert double == 4
    # a: both say 1,1,1,0: observed 1, chance 0.75² + 0.25² = 0.625: kappa 1
    assert rows[0].kappa == pytest.approx(1.0)
    # b: 0,0,1,1 against 0,1,0,1: observed 0.5, chance 0.5: kappa 0
    assert rows[1].kappa == pytest.approx(0.0)
    # alpha over 8 units: 2 disagreements, 10 ones and 6 zeros: 1 - 15·2/(6·10) = 0.5
    assert alpha == pytest.approx(0.5)


def test_kappa_and_alpha_edge_cases() -> None:
    assert cohen_kappa([True, True], [True, True]) is None  # one value throughout
    assert cohen_kappa([], []) is None
    assert krippendorff_alpha([False, False], [False, False]) is None
    # perfect disagreement on balanced values
    assert cohen_kappa([True, False], [False, True]) == pytest.approx(-1.0)


def test_allocation_is_proportional_and_covers_every_stratum() -> None:
    assert allocate({"x": 80, "y": 15, "z": 5}, 20) == {"x": 16, "y": 3, "z": 1}
    small = allocate({"x": 1000, "y": 2}, 10)
    assert small["y"] == 1 and sum(small.values()) == 10
    assert allocate({"x": 3}, 10) == {"x": 3}


@pytest.fixture()
def catalog(tmp_path: Path) -> Catalog:
    c = Catalog(tmp_path / "catalog.sqlite")
    stamp = now()
    with c.transaction() as db:
        db.execute("INSERT INTO series(code, title) VALUES ('ttshcb', 'T'), ('tbnb', 'N')")
        for series, year in (("ttshcb", 1992), ("ttshcb", 2012), ("tbnb", 2012)):
            issue = f"{series}-{year}-01"
            db.execute("INSERT INTO issue(id, series, year, number, source, source_kind, sha256,"
                       " ingested_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
                       (issue, series, year, "1", "x.pdf", "pdf", "0", stamp, stamp))
            for k in range(1, 11):
                db.execute("INSERT INTO article(id, issue_id, seq, title, first_page, last_page,"
                           " kind, text, words, confidence, source_key, segmenter, updated_at)"
                           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           (f"{issue}-{k}", issue, k, f"Bài {k}", 1, 1, "bai", "chữ", 1, 100.0,
                            "k", "s", stamp))
    return c


def test_draw_is_stratified_seeded_and_recorded(catalog: Catalog) -> None:
    items, strata = draw(catalog, n=6, by="period", seed=3)
    assert strata == {"tbnb/XI": [10, 2], "ttshcb/VII": [10, 2], "ttshcb/XI": [10, 2]}
    assert sorted(s for _a, s in items) == ["tbnb/XI"] * 2 + ["ttshcb/VII"] * 2 + ["ttshcb/XI"] * 2
    assert draw(catalog, n=6, by="period", seed=3)[0] == items  # same seed, same sample
    assert draw(catalog, n=6, by="period", seed=4)[0] != items
    _by_series, counts = draw(catalog, n=3, by="series", seed=3)
    assert counts == {"tbnb": [10, 1], "ttshcb": [20, 2]}
    sid = draw_sample(catalog, n=6, seed=3, drawn_by="lan")
    assert [a for _p, a, _s in sample_items(catalog, sid)] == [a for a, _s in items]
    again = draw_sample(catalog, n=6, seed=3, drawn_by="lan")  # never the same articles twice
    assert not {a for _p, a, _s in sample_items(catalog, again)} & {a for a, _s in items}
    with pytest.raises(UsageError):
        draw(catalog, n=0)


def test_agreement_from_the_catalog_matches_the_hand_values(catalog: Catalog) -> None:
    sid = save_sample(catalog, n=4, by="period", seed=1, drawn_by="lan",
                      items=[(k, "s") for k in MACHINE], strata={"s": [4, 4]})
    with catalog.transaction() as db:
        for k, said in MACHINE.items():
            record_label(db, k, ["b"], editor="lan", source="audit", sample_id=sid,
                         machine=said)  # a first try, corrected below
            record_label(db, k, EDITOR[k], editor="lan", source="audit", sample_id=sid,
                         machine=said)
        for k in list(MACHINE)[:3]:
            record_label(db, k, SECOND[k], editor="minh", source="audit", sample_id=sid,
                         machine=MACHINE[k])
    assert progress(catalog, sid) == {"lan": 4, "minh": 3}
    assert len(latest_labels(catalog, sample_id=sid)) == 7
    a = agreement(catalog, SLUGS)
    assert a.articles == 4 and a.machine == "keyword"
    assert a.micro_f1 == pytest.approx(6 / 9) and a.macro_f1 == pytest.approx(0.65)
    assert a.editors == ("lan", "minh") and a.double == 3
    # articles 1-3: a is 1,1,1 for both (kappa undefined), b 0,0,1 against 0,1,0
    assert a.topics[0].kappa is None
    assert a.topics[1].kappa == pytest.approx((1 / 3 - 5 / 9) / (1 - 5 / 9))  # -0.5
    rows = list(csv.reader(io.StringIO(agreement_csv(a, {"a": "Chủ đề A"}))))
    assert rows[0][:3] == ["topic", "name", "tp"]
    assert rows[1] == ["a", "Chủ đề A", "2", "0", "1", "1.000", "0.667", "0.800", ""]
    assert rows[3][0] == "micro" and rows[3][7] == "0.667"
    text = " ".join(method_sentences(a))
    assert "4 bài" in text and "0.667" in text and "alpha Krippendorff" in text


def test_share_interval_by_hand() -> None:
    # four articles: an editor's 1, and probabilities 0.5, 0.5, 0 from the model
    iv = share_interval([(1.0, True), (0.5, False), (0.5, False), (0.0, False)], Calibration())
    assert iv is not None
    # estimate 2/4; variance (0.25 + 0.25) / 16: sd 0.1768, half-width 1.96 × that
    assert iv.estimate == pytest.approx(50.0)
    assert iv.low == pytest.approx(50 - 100 * 1.959964 * (0.5 / 16) ** 0.5)
    assert iv.high == pytest.approx(50 + 100 * 1.959964 * (0.5 / 16) ** 0.5)
    # a bias of +0.1 measured at a mean level of 1/3, the machine's cell level is 1/3 too:
    # three quarters of the cell are the machine's, so 7.5 points come off
    biased = share_interval([(1.0, True), (0.5, False), (0.5, False), (0.0, False)],
                            Calibration(bias=0.1, bias_se=0.0, mean=1 / 3))
    assert biased is not None and biased.estimate == pytest.approx(42.5)
    assert biased.width > iv.width  # the measured error widens it
    assert share_interval([], Calibration()) is None


def test_a_cell_is_flagged_only_when_the_interval_says_so() -> None:
    assert flag_of(0, 30, 0.0, 2.0) == "empty"  # no model: the count decides
    assert flag_of(0, 30, 0.0, 2.0, Interval(1.0, 0.0, 4.5)) == ""  # could be 4.5 %: not a gap
    assert flag_of(0, 30, 0.0, 2.0, Interval(0.2, 0.0, 1.1)) == "empty"
    assert flag_of(1, 60, 1.7, 2.0, Interval(1.6, 0.2, 1.9)) == "thin"
    assert flag_of(0, 0, None, 2.0, Interval(0, 0, 0)) == "nodata"
