"""Post-OCR correction (indexer.extract.ocrcorrect): the rules on words, then end to end through the
real `bantin build` with the real Tesseract: the raw OCR is kept and restorable, corrected
words are listed, and an editor's undo survives a rebuild and a re-read of the page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from archive.catalog import Catalog
from indexer.extract import ocrcorrect
from indexer.extract.ocrcorrect import build_model, correct
from tests.desk_fixtures import PASSWORD, csrf_from, login
from tests.legacy_pdfs import A4, Para, make_pdf
from tests.pages import PARAGRAPHS, render_text_page, save_png

REPO = Path(__file__).resolve().parent.parent

# Fictional clean text, written for the tests: the model learns these pairs.
CLEAN = [
    "Mỗi đảng viên phải thực hành cần, kiệm, liêm, chính, chí công vô tư.",
    "Cán bộ thực hành cần, kiệm, liêm, chính trong công tác hằng ngày.",
    "Chi bộ nhắc nhở đảng viên giữ gìn cần, kiệm, liêm, chính.",
    "Người dân cân nhắc kỹ trước khi tiêm phòng cho đàn gia súc.",
    "Trạm thú y tổ chức tiêm phòng, bà con cân nhắc lịch tiêm cho đàn gà.",
    "Chi bộ thực hiện tốt chính sách đối với người có công.",
    "Nhà nước có chính sách hỗ trợ hộ nghèo làm kinh tế.",
    "Xã triển khai chính sách tín dụng cho hộ nghèo vay vốn.",
] * 3 + list(PARAGRAPHS) * 2


def words(text: str) -> tuple[list[str], list[int], list[int]]:
    tokens = text.split()
    return tokens, [1] * len(tokens), [1] * len(tokens)


def fixed(text: str, conf: float = 80.0, **kw: object) -> str:
    model = build_model(CLEAN)
    tokens, lines, blocks = words(text)
    found = correct(tokens, [conf] * len(tokens), lines, blocks, model, **kw)  # type: ignore[arg-type]
    return " ".join(ocrcorrect.apply(tokens, found))


def test_a_valid_syllable_the_context_rejects_is_corrected_when_doubtful() -> None:
    assert fixed("Đảng viên phải thực hành cân, kiệm, tiêm, chính.") == \
        "Đảng viên phải thực hành cần, kiệm, liêm, chính."
    # read with high confidence, a valid syllable is left as read
    assert fixed("Đảng viên phải thực hành cân, kiệm, tiêm, chính.", conf=97.0) == \
        "Đảng viên phải thực hành cân, kiệm, tiêm, chính."
    # where the context supports the reading, it stays
    assert fixed("Bà con cân nhắc lịch tiêm phòng.") == "Bà con cân nhắc lịch tiêm phòng."


def test_an_invalid_syllable_is_corrected_and_its_case_kept() -> None:
    assert fixed("Nhà nước có chíng sách hỗ trợ.", conf=96.0) == "Nhà nước có chính sách hỗ trợ."
    assert fixed("CHÍNG SÁCH mới của Nhà nước và chíng sách cũ", conf=96.0).endswith(
        "và chính sách cũ")


def test_without_evidence_nothing_changes() -> None:
    # no neighbour of the word is known, or no context: kept as read
    assert fixed("Đoàn khảo sát xyzq tại xã.") == "Đoàn khảo sát xyzq tại xã."
    assert fixed("chíng") == "chíng"
    assert correct(["chíng", "sách"], [50.0, 50.0], [1, 1], [1, 1], build_model([])) == []


def test_an_undone_correction_is_not_made_again() -> None:
    text = "Nhà nước có chíng sách hỗ trợ."
    assert fixed(text, undone=frozenset({("chíng", "chính")})) == text


def test_retext_keeps_lines_and_blocks() -> None:
    assert ocrcorrect.retext("a b\nc\n\nd", ["A", "b", "C", "d"]) == "A b\nC\n\nd"


# Clean text for the rules of old copies: sentences that start often, a dash the archive
# writes between two words, pairs written with nothing between.
OLD_CLEAN = [
    "Chi bộ thực hiện tốt chính sách. Nhà nước có chính sách hỗ trợ hộ nghèo.",
    "Phát triển kinh tế – xã hội ở nông thôn. Nhà nước giúp đỡ các cháu học sinh nghèo.",
    "Mỗi đảng viên làm việc tốt. Những đảng viên trẻ làm kinh tế giỏi.",
] * 12 + CLEAN * 4


def old_page(lines_: list[str], *, noisy: bool = True, conf: float = 96.0,
             widths: list[float] | None = None) -> str:
    """Correct a page of one block whose lines are ``lines_`` (each ending at ``widths``,
    a share of the block's width; full by default), as on a noisy copy."""
    tokens, lines, boxes = [], [], []
    for n, line in enumerate(lines_):
        words_ = line.split()
        right = (widths or [1.0] * len(lines_))[n]
        for k, w in enumerate(words_):
            x1 = right * (k + 1) / len(words_)
            tokens.append(w)
            lines.append(n)
            boxes.append((x1 - 0.05, 0.1 * n, x1, 0.1 * n + 0.05))
    model = build_model(OLD_CLEAN)
    found = correct(tokens, [conf] * len(tokens), lines, [1] * len(tokens), model,
                    boxes=boxes, noisy=noisy)
    return " ".join(ocrcorrect.apply(tokens, found))


def test_a_full_stop_lost_at_a_line_end_is_put_back_on_a_noisy_copy() -> None:
    lines_ = ["Chi bộ thực hiện tốt chính sách", "Nhà nước có chính sách hỗ trợ hộ nghèo."]
    assert old_page(lines_) == \
        "Chi bộ thực hiện tốt chính sách. Nhà nước có chính sách hỗ trợ hộ nghèo."
    # not on a page read without heavy noise reduction: a faint dot is not lost there
    assert old_page(lines_, noisy=False) == " ".join(lines_)
    # a short line alone is a heading, not a sentence: left as read
    assert old_page(lines_, widths=[0.5, 1.0]) == " ".join(lines_)
    # mid-line, a capital is the typewriter's l, not a new sentence
    assert "chính sách. Nhà" not in old_page(["Chi bộ thực hiện tốt chính sách Nhà nước có"])


def test_a_short_line_gets_its_full_stop_back_only_when_it_goes_on_with_the_line_above() -> None:
    """A paragraph's short last line ends a sentence; a short line that starts one under a
    full line (a title under an article's last line, which lost its own full stop) does not
    end in a full stop: the corrector must not make a title a sentence (it would no longer
    be found as a title)."""
    going_on = ["Chi bộ thực hiện tốt chính sách hỗ trợ", "hộ nghèo",
                "Những đảng viên trẻ làm kinh tế giỏi."]
    assert "hộ nghèo. Những" in old_page(going_on, widths=[1.0, 0.4, 1.0])
    title = ["Chi bộ thực hiện tốt chính sách hỗ trợ hộ nghèo", "Nhà nước giúp đỡ các cháu",
             "Những đảng viên trẻ làm kinh tế giỏi."]
    got = old_page(title, widths=[1.0, 0.5, 1.0])
    assert "các cháu Những" in got, got  # the title stays a title
    assert "hộ nghèo. Nhà" in got, got  # (the full line above did end a sentence)


def test_a_dash_lost_between_two_words_is_put_back_on_a_noisy_copy() -> None:
    line = "Phát triển kinh tế xã hội ở nông thôn."
    assert old_page([line]) == "Phát triển kinh tế – xã hội ở nông thôn."
    assert old_page([line], noisy=False) == line


def test_two_syllables_joined_by_a_speck_are_split() -> None:
    assert fixed("Nhà nước có chính.sách hỗ trợ.") == "Nhà nước có chính sách hỗ trợ."
    assert fixed("Nhà nước có chính-sách hỗ trợ.") == "Nhà nước có chính sách hỗ trợ."
    # names joined by a hyphen, and pairs the clean pages never write, stay as read
    assert fixed("theo chủ nghĩa Mác-Lênin và tư tưởng") == "theo chủ nghĩa Mác-Lênin và tư tưởng"
    assert fixed("Nhà nước có sách.chính hỗ trợ.") == "Nhà nước có sách.chính hỗ trợ."


def test_a_comma_inside_a_word_the_archive_writes_together_is_a_speck() -> None:
    model = build_model(["Chi bộ họp, chi bộ bàn việc, đảng viên góp ý."] * 50 + CLEAN)

    def run(text: str) -> str:
        tokens, lines, blocks = words(text)
        return " ".join(ocrcorrect.apply(tokens, correct(
            tokens, [96.0] * len(tokens), lines, blocks, model)))

    assert run("Hôm nay chi, bộ họp.") == "Hôm nay chi bộ họp."
    # a comma the clean pages write between the two words stays
    assert run("Chi bộ họp, chi bộ bàn việc.") == "Chi bộ họp, chi bộ bàn việc."


def test_case_no_word_is_written_with() -> None:
    assert old_page(["Nhà nước giúp đỡ các cHáu học sinh nghèo."]) == \
        "Nhà nước giúp đỡ các cháu học sinh nghèo."
    # an abbreviation that is no syllable keeps its capitals
    assert old_page(["các ThS trẻ"]) == "các ThS trẻ"


def test_a_confident_misreading_is_judged_only_on_a_noisy_copy() -> None:
    text = "Đảng viên phải thực hành cần, kiệm, tiêm, chính."
    assert old_page([text], conf=97.0) == "Đảng viên phải thực hành cần, kiệm, liêm, chính."
    assert old_page([text], conf=97.0, noisy=False) == text
    # a capital at a line start after a word the pair continues: lower case on a copy
    assert old_page(["Những đảng", "Viên trẻ làm kinh tế giỏi."]) == \
        "Những đảng viên trẻ làm kinh tế giỏi."
    assert old_page(["Những đảng", "Viên trẻ làm kinh tế giỏi."], noisy=False) == \
        "Những đảng Viên trẻ làm kinh tế giỏi."


# --- end to end -----------------------------------------------------------------------

def bantin(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BANTIN_HOME": str(home), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "bantin.main", "--quiet", *args], cwd=REPO,
                          env=env, text=True, capture_output=True, timeout=600)


def corpus_sentences() -> list[str]:
    """Sentences of the sample generator's news corpus without placeholders: clean pages
    with enough syllables for a model (the corrector wants some hundreds)."""
    data = tomllib.loads((REPO / "samplegen" / "corpus" / "news.toml").read_text("utf-8"))
    out: list[str] = []
    for theme in data.get("theme", []):
        out += [s for s in theme.get("body", []) if "{" not in s]
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("corrected")
    scans = home / "scans"
    # born-digital issue: the clean pages the corrector learns from
    sentences = CLEAN + corpus_sentences()
    pages, page = [], []
    for k in range(0, len(sentences), 4):
        page.append(Para(" ".join(sentences[k:k + 4]), size=9.0))
        if len(page) == 7:
            pages.append(page)
            page = []
    if page:
        pages.append(page)
    pdf = scans / "ttshcb" / "2018" / "ttshcb-2018-01.pdf"
    pdf.parent.mkdir(parents=True)
    make_pdf(pdf, pages, cache=tmp_path_factory.mktemp("fonts"), size=A4)  # type: ignore[arg-type]
    # a scanned page that prints a misspelling OCR reads as printed
    image, _drawn = render_text_page(
        ["Nhà nước có chíng sách hỗ trợ hộ nghèo làm kinh tế.", PARAGRAPHS[0]], dpi=300)
    save_png(image, scans / "ttshcb" / "1990" / "ttshcb-1990-01" / "001.png")
    r = bantin(home, "build", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    return home


PAGE = "ttshcb-1990-01/1"


def test_build_corrects_and_keeps_the_raw_ocr(built: Path) -> None:
    with Catalog(built / "index" / "catalog.sqlite") as catalog:
        row = catalog.page_text(PAGE)
        assert row is not None
        assert "chính sách hỗ trợ" in row["text"] and "chíng" not in row["text"]
        raw = ocrcorrect.raw_page(catalog, PAGE)
        assert raw is not None and "chíng sách" in raw[0]
        assert "chíng" in [w.text for w in raw[1]]
        fixes = ocrcorrect.page_corrections(catalog, PAGE)
        assert [(f.raw, f.corrected) for f in fixes] == [("chíng", "chính")]
        # the corrected word is the same word (same box) in page_text
        got = catalog.page_words(PAGE)
        assert got[fixes[0].index].text == "chính"
        assert got[fixes[0].index].box == raw[1][fixes[0].index].box
        assert row["text"].split() == [w.text for w in got]


def test_corrected_pages_are_found_by_the_corrected_and_the_raw_word(built: Path) -> None:
    for query in ("chính sách hỗ trợ hộ nghèo", "chíng"):
        r = bantin(built, "search", query, "--pages", "--json")
        assert r.returncode == 0, r.stderr
        hits = json.loads(r.stdout)
        assert PAGE in json.dumps(hits), (query, r.stdout[:500])


def test_editors_see_and_undo_corrections_on_the_desk(built: Path) -> None:
    """Over HTTP (Flask test client, CSRF and login as in production): the desk's page
    lists the automatic correction; undo puts the raw word back; redo withdraws the undo."""
    from webapp import create_app, users

    with Catalog(built / "index" / "catalog.sqlite") as catalog:
        if catalog.one("SELECT 1 FROM account WHERE name = 'bientap'") is None:
            users.add_user(catalog, "bientap", "editor", PASSWORD)
    client = create_app({"HOME": str(built), "TESTING": True}).test_client()
    login(client, "bientap")
    url = "/desk/i/ttshcb-1990-01/1"
    html = client.get(url).get_data(as_text=True)
    assert 'id="ocr-fixes"' in html and "chíng" in html and "chính" in html
    post = {"raw": "chíng", "corrected": "chính", "csrf_token": csrf_from(html)}
    assert client.post(url + "/ocrfix", data={**post, "action": "undo"}).status_code == 302
    with Catalog(built / "index" / "catalog.sqlite") as catalog:
        assert "chíng sách" in catalog.page_text(PAGE)["text"]  # type: ignore[index]
    html = client.get(url).get_data(as_text=True)
    assert 'id="ocr-undone"' in html
    assert client.post(url + "/ocrfix", data={**post, "csrf_token": csrf_from(html),
                                              "action": "redo"}).status_code == 302
    with Catalog(built / "index" / "catalog.sqlite") as catalog:
        assert "chính sách" in catalog.page_text(PAGE)["text"]  # type: ignore[index]
    # no CSRF token, no change; an unknown correction is a 404
    assert client.post(url + "/ocrfix", data={"raw": "chíng", "corrected": "chính",
                                              "action": "undo"}).status_code == 400
    html = client.get(url).get_data(as_text=True)
    assert client.post(url + "/ocrfix", data={"raw": "x", "corrected": "y", "action": "undo",
                                              "csrf_token": csrf_from(html)}).status_code == 404


def test_an_editors_undo_survives_build_and_a_fresh_read(built: Path) -> None:
    with Catalog(built / "index" / "catalog.sqlite") as catalog:
        assert ocrcorrect.undo_correction(catalog, PAGE, "chíng", "chính", author="bt")
        assert "chíng sách" in catalog.page_text(PAGE)["text"]  # type: ignore[index]
        assert ocrcorrect.page_corrections(catalog, PAGE) == []
        assert not ocrcorrect.undo_correction(catalog, PAGE, "xx", "yy", author="bt")
    for args in (("build",), ("extract", "--force")):
        r = bantin(built, *args)
        assert r.returncode == 0, r.stderr
        with Catalog(built / "index" / "catalog.sqlite") as catalog:
            assert "chíng sách" in catalog.page_text(PAGE)["text"], args  # type: ignore[index]
    with Catalog(built / "index" / "catalog.sqlite") as catalog:
        # withdrawn, the correction comes back
        assert ocrcorrect.redo_correction(catalog, PAGE, "chíng", "chính")
        assert "chính sách" in catalog.page_text(PAGE)["text"]  # type: ignore[index]
