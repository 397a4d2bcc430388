"""The sample archive's content plan: determinism, sizes, labels, citations, gaps, eras.

These tests read the plan (no rendering): it is the truth every accuracy benchmark of the
project measures against, so each property below is one the benchmarks rely on.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tomllib
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from archive.vntext import canonical_tones, fold
from indexer.analyze.register import SHIPPED as REGISTER_SHIPPED
from samplegen.content import SERIES, plan_archive
from samplegen.plan import SOURCE_KINDS, ArchivePlan

REPO = Path(__file__).resolve().parent.parent
TOPICS = {
    "xay-dung-dang", "hoc-tap-lam-theo-bac", "kinh-te", "van-hoa-xa-hoi", "quoc-phong-an-ninh",
    "doi-ngoai", "phong-chong-tham-nhung", "bao-ve-nen-tang-tu-tuong", "guong-dien-hinh",
    "phap-luat-chinh-sach", "thoi-su", "khoa-hoc-cong-nghe-chuyen-doi-so", "moi-truong-thien-tai",
    "dan-van-mat-tran", "lich-su-truyen-thong",
}
SCANS = {"scan-old", "scan-300", "scan-photo"}


@pytest.fixture(scope="module")
def full() -> ArchivePlan:
    return plan_archive("full", seed=1)


@pytest.fixture(scope="module")
def small() -> ArchivePlan:
    return plan_archive("small", seed=1)


@pytest.fixture(scope="module")
def register() -> dict[str, dict]:
    rows = tomllib.loads(REGISTER_SHIPPED.read_text(encoding="utf-8"))["document"]
    return {row["id"]: row for row in rows}


def _articles(plan: ArchivePlan):
    for issue in plan.issues:
        for article in issue.articles:
            yield issue, article


def _text(article) -> str:
    return "\n".join([article.title, *article.paragraphs])


def _digest(size: str, seed: int, hashseed: str) -> str:
    code = ("import hashlib,sys; from samplegen.content import plan_archive; "
            f"print(hashlib.sha256(repr(plan_archive({size!r}, {seed})).encode()).hexdigest())")
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


# -- determinism --------------------------------------------------------------------------
def test_same_seed_gives_the_same_plan_in_any_process(full: ArchivePlan) -> None:
    here = hashlib.sha256(repr(full).encode()).hexdigest()
    # other processes with other string-hash seeds: no dependence on set or dict order
    assert _digest("full", 1, "1") == here
    assert _digest("full", 1, "977") == here


def test_small_plan_is_deterministic_and_seed_changes_it(small: ArchivePlan) -> None:
    assert plan_archive("small", seed=1) == small
    other = plan_archive("small", seed=2)
    assert other != small
    assert [a.paragraphs for _, a in _articles(other)] != [a.paragraphs for _, a in _articles(small)]


def test_unknown_size_is_a_usage_error() -> None:
    from archive.errors import UsageError

    with pytest.raises(UsageError, match="full"):
        plan_archive("medium")


# -- sizes ----------------------------------------------------------------------------------
def test_full_has_two_or_more_issues_a_year_per_series(full: ArchivePlan) -> None:
    per_year = Counter((i.series, i.year) for i in full.issues)
    for series, first in (("ttshcb", 1989), ("tbnb", 2004)):
        for year in range(first, 2025):
            assert per_year[(series, year)] >= 2, (series, year)
    assert set(s for s, _ in per_year) == {"ttshcb", "tbnb"}
    assert 120 <= len(full.issues) <= 140
    assert {i.source for i in full.issues} == set(SOURCE_KINDS)
    pages = sum(i.pages_hint for i in full.issues)
    assert 600 <= pages <= 900, pages
    for issue in full.issues:
        assert 5 <= len(issue.articles) <= 20, issue.issue_id
        assert 3 <= issue.pages_hint <= 9, (issue.issue_id, issue.pages_hint)


def test_small_covers_every_source_kind_in_a_few_short_issues(small: ArchivePlan) -> None:
    assert 6 <= len(small.issues) <= 8
    # one Word issue, the mixed one (TCVN3, VNI and Unicode in one file); full has every kind
    assert {i.source for i in small.issues} == set(SOURCE_KINDS) - {"word-tcvn3", "word-vni",
                                                                    "word-unicode"}
    assert {i.series for i in small.issues} == {"ttshcb", "tbnb"}
    assert all(2 <= i.pages_hint <= 4 for i in small.issues), [i.pages_hint for i in small.issues]
    kinds = {a.kind for _, a in _articles(small)}
    assert kinds >= {"tin", "bai", "hoi-dap", "van-ban"}


def test_issue_ids_are_unique_and_well_formed(full: ArchivePlan) -> None:
    ids = [i.issue_id for i in full.issues]
    assert len(ids) == len(set(ids))
    for issue in full.issues:
        assert re.fullmatch(r"(ttshcb|tbnb)-\d{4}-\d{2}(-[a-z]+)?", issue.issue_id)
        keys = [a.key for a in issue.articles]
        assert keys == [f"{issue.issue_id}#{n:02d}" for n in range(1, len(keys) + 1)]


# -- mastheads and eras -------------------------------------------------------------------------
def test_masthead_title_and_publisher_follow_the_series_history(full: ArchivePlan) -> None:
    history = {s.code: s.titles for s in SERIES}
    for issue in full.issues:
        key = f"{issue.year:04d}-{issue.month:02d}"
        rows = [r for r in history[issue.series] if r[2] <= key and (r[3] is None or key <= r[3])]
        assert len(rows) == 1, issue.issue_id
        assert (issue.title, issue.publisher) == rows[0][:2]
        assert f"/{issue.year}" in issue.printed_number or str(issue.year) in issue.printed_number
        assert issue.printed_number.startswith("Số ")
    first = min(full.issues, key=lambda i: (i.series != "ttshcb", i.year, i.month))
    assert (first.year, first.month, first.title) == (1989, 7, "Thông báo nội bộ")
    titles = {(i.series, i.title) for i in full.issues}
    assert ("ttshcb", "Thông tin sinh hoạt chi bộ") in titles and ("tbnb", "Thông tin nội bộ") in titles


def test_sources_follow_the_era(full: ArchivePlan) -> None:
    paper_by_decade: Counter[int] = Counter()
    for issue in full.issues:
        year, source = issue.year, issue.source
        if source.startswith("word-"):  # the provincial office's Word files, 2004 to about 2010
            assert issue.series == "tbnb" and 2004 <= year <= 2010, issue.issue_id
            continue
        if source in ("scan-300", "scan-photo") and year >= 1990:
            paper_by_decade[year // 10 * 10] += 1
        if year <= 1996:
            assert source in ("scan-old", "scan-photo"), issue.issue_id
            assert issue.columns == 1
        elif year == 1997:
            assert source == "scan-300"
        elif year <= 2009:
            assert source in ("pdf-tcvn3", "pdf-vni", "scan-300", "scan-photo"), issue.issue_id
        else:
            assert source in ("pdf-unicode", "scan-300", "scan-photo"), issue.issue_id
    assert all(paper_by_decade[d] >= 1 for d in (1990, 2000, 2010, 2020)), paper_by_decade
    counts = Counter(i.source for i in full.issues if 1998 <= i.year <= 2009)
    assert counts["pdf-tcvn3"] > counts["pdf-vni"] > 0
    scanned = sum(i.pages_hint for i in full.issues if i.source in SCANS)
    assert scanned <= 150, scanned
    assert any(i.columns == 2 for i in full.issues if i.source.startswith("pdf-"))
    assert 0.3 < sum(i.toc for i in full.issues) / len(full.issues) < 0.9


# -- articles ----------------------------------------------------------------------------------
def test_every_string_is_nfc(full: ArchivePlan) -> None:
    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                yield from strings(item)
        elif isinstance(value, dict):
            for k in sorted(value):
                yield from strings(k)
                yield from strings(value[k])
        elif hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                yield from strings(getattr(value, name))

    bad = [s[:60] for s in strings(full) if not unicodedata.is_normalized("NFC", s)]
    assert not bad


def test_topics_are_one_to_three_of_the_fifteen_slugs(full: ArchivePlan, small: ArchivePlan) -> None:
    for plan in (full, small):
        for _, article in _articles(plan):
            assert 1 <= len(article.topics) <= 3, article.key
            assert set(article.topics) <= TOPICS, article.topics
            assert len(set(article.topics)) == len(article.topics)
    main = Counter(a.topics[0] for _, a in _articles(full))
    assert set(main) == TOPICS, TOPICS - set(main)  # every topic leads some article


def test_kinds_sections_and_lengths(full: ArchivePlan) -> None:
    kinds = Counter(a.kind for _, a in _articles(full))
    assert set(kinds) == {"tin", "bai", "hoi-dap", "van-ban", "khac"}
    for issue, article in _articles(full):
        words = len(" ".join(article.paragraphs).split())
        if article.kind == "tin":
            assert 35 <= words <= 180, (article.key, words)
        elif article.kind == "bai":
            assert 250 <= words <= 1000, (article.key, words)
        if article.section == "Tin trong tỉnh":
            assert issue.series == "tbnb"
        if article.kind == "hoi-dap":
            assert article.paragraphs[0].startswith("Hỏi:")
            assert any(p.startswith("Đáp:") for p in article.paragraphs)
    long_words = [len(" ".join(a.paragraphs).split()) for _, a in _articles(full) if a.kind == "bai"]
    assert 400 <= sorted(long_words)[len(long_words) // 2] <= 900


def test_titles_distinct_in_an_issue_and_mostly_across_the_archive(full: ArchivePlan) -> None:
    for issue in full.issues:
        titles = [fold(a.title) for a in issue.articles]
        assert len(titles) == len(set(titles)), issue.issue_id
    titles = [fold(a.title) for _, a in _articles(full)]
    assert len(set(titles)) / len(titles) > 0.9


def test_both_tone_placements_occur(full: ArchivePlan) -> None:
    text = " ".join(" ".join(a.paragraphs) for _, a in _articles(full))
    assert "hoà" in text.lower() and "hòa" in text.lower()
    assert "uỷ" in text.lower() and "ủy" in text.lower()


# -- cited documents ------------------------------------------------------------------------------
def _forms(doc: dict) -> re.Pattern[str]:
    """Independent of the generator: the identifier's written forms, or a registered alias."""
    ident = doc["id"]
    if "-" in ident.split("/")[0]:
        number, rest = ident.split("-", 1)
        dtype, body = rest.split("/", 1)
        forms = [rf"\b0*{int(number)}\s*-\s*{dtype}/{body}\b", rf"\b0*{int(number)}/{dtype}-{body}\b"]
    else:
        forms = [rf"(?<![\d/]){re.escape(ident)}"]
    forms += [re.escape(a) + r"(?![\wÀ-ỹ])" for a in doc.get("aliases", []) if a.startswith(("Nghị quyết", "Luật"))]
    if doc["kind"] == "Luật":
        forms.append(re.escape(doc["title"]) + r" năm " + doc["date"][:4])
    return re.compile("|".join(forms))


def test_doc_refs_are_registered_named_in_the_text_and_never_early(full: ArchivePlan, small: ArchivePlan,
                                                                   register: dict[str, dict]) -> None:
    for plan in (full, small):
        for issue, article in _articles(plan):
            text = canonical_tones(_text(article))  # "khoá" and "khóa" alike, as a reader folds them
            for ref in article.doc_refs:
                assert ref in register, ref
                doc = register[ref]
                assert _forms(doc).search(text), (article.key, ref)
                issued = (int(doc["date"][:4]), int(doc["date"][5:7]))
                assert (issue.year, issue.month) >= issued, (article.key, ref)
            assert len(set(article.doc_refs)) == len(article.doc_refs)


_ANY_ID = re.compile(r"\b(\d{1,4})\s*-\s*(NQ|CT|KL|QĐi|QĐ|HD|KH)/([A-Z]+)\b"
                     r"|\b(\d{1,4})/(NQ|CT|KL|QĐi|QĐ)-(TW|TU|HNTW)\b"
                     r"|\b(\d{1,4}/(?:\d{4}/)?[A-ZĐ][\w-]*[A-Za-z0-9])")


def test_every_identifier_in_the_text_is_listed(full: ArchivePlan) -> None:
    found = 0
    for _, article in _articles(full):
        for m in _ANY_ID.finditer(_text(article)):
            if m.group(1):
                ident = f"{int(m.group(1)):02d}-{m.group(2)}/{m.group(3)}"
            elif m.group(4):
                ident = f"{int(m.group(4)):02d}-{m.group(5)}/{m.group(6)}"
            else:
                ident = m.group(7)
            if "/GP-" in ident:
                continue
            found += 1
            listed = {r if not r[0].isdigit() or "-" not in r.split("/")[0] else
                      f"{int(r.split('-')[0]):02d}-{r.split('-', 1)[1]}" for r in article.doc_refs}
            assert ident in listed, (article.key, ident, article.doc_refs)
    assert found > 100


def test_citation_forms_vary_like_real_text(full: ArchivePlan) -> None:
    text = "\n".join(_text(a) for _, a in _articles(full))
    assert re.search(r"Nghị quyết số \d+-NQ/TW, ngày \d+/\d+/\d{4} của Ban Chấp hành Trung ương", text)
    assert re.search(r"Chỉ thị \d+-CT/TW", text)  # without "số"
    assert re.search(r"\d+ - (NQ|CT|KL)/TW", text)  # spaced
    assert re.search(r"\d+/(NQ|CT|KL)-TW", text)  # wrong slash
    assert "Luật Phòng, chống tham nhũng" in text


def test_first_mentions_lag_the_issue_date(full: ArchivePlan, register: dict[str, dict]) -> None:
    first: dict[tuple[str, str], tuple[int, int]] = {}
    for issue, article in sorted(_articles(full), key=lambda p: (p[0].year, p[0].month)):
        for ref in article.doc_refs:
            first.setdefault((issue.series, ref), (issue.year, issue.month))
    lags = {}
    for (series, ref), (year, month) in first.items():
        doc = register[ref]
        lag = (year - int(doc["date"][:4])) * 12 + month - int(doc["date"][5:7])
        floor = 0 if doc["body"] == "TU" else (1 if series == "ttshcb" else 2)
        assert lag >= floor, (series, ref, lag)
        lags[(series, ref)] = lag
    for ref in ("21-NQ/TW", "05-CT/TW", "10-CT/TW", "18-KL/TW", "35-NQ/TW"):
        assert ("ttshcb", ref) in lags and ("tbnb", ref) in lags, ref
        assert lags[("ttshcb", ref)] <= 6, (ref, lags[("ttshcb", ref)])


def test_some_registered_documents_are_never_cited(full: ArchivePlan, register: dict[str, dict]) -> None:
    cited = {r for _, a in _articles(full) for r in a.doc_refs}
    assert {"57-NQ/TW", "03-NQ/HNTW"} <= set(full.uncited)
    assert set(full.uncited) == set(register) - cited
    assert len(cited) >= 25


# -- topic mix and gaps -----------------------------------------------------------------------------
def test_gaps_hold(full: ArchivePlan, small: ArchivePlan) -> None:
    assert len(full.gaps) >= 5
    for plan in (full, small):
        for gap in plan.gaps:
            count = sum(1 for issue, a in _articles(plan)
                        if issue.series == gap["series"] and gap["from_year"] <= issue.year <= gap["to_year"]
                        and gap["topic"] in a.topics)
            assert count <= gap["max_articles"], gap
    one_series = [g for g in full.gaps if g["max_articles"] == 0
                  and not any(o["topic"] == g["topic"] and o["series"] != g["series"] for o in full.gaps)]
    assert len(one_series) >= 2  # gaps only one series shows


def test_topic_mix_shifts_with_the_era(full: ArchivePlan) -> None:
    def share(topic: str, lo: int, hi: int) -> float:
        arts = [a for i, a in _articles(full) if lo <= i.year <= hi]
        return sum(topic in a.topics for a in arts) / len(arts)

    assert share("kinh-te", 1989, 1995) > share("kinh-te", 2016, 2019)
    assert share("khoa-hoc-cong-nghe-chuyen-doi-so", 2020, 2024) > 0.05
    assert share("bao-ve-nen-tang-tu-tuong", 2019, 2024) > 3 * share("bao-ve-nen-tang-tu-tuong", 1989, 2017)
    assert share("hoc-tap-lam-theo-bac", 2016, 2024) > share("hoc-tap-lam-theo-bac", 1989, 2005)
    assert share("phong-chong-tham-nhung", 2006, 2010) > share("phong-chong-tham-nhung", 1989, 1999)


# -- building blocks ---------------------------------------------------------------------------
def test_old_tone_placement_moves_only_open_oa_oe_uy() -> None:
    from samplegen.content_text import old_tones

    assert old_tones("Văn hóa, thủy lợi, sức khỏe, Ủy ban") == "Văn hoá, thuỷ lợi, sức khoẻ, Uỷ ban"
    # closed syllables, qu-, and three-vowel clusters keep their tone
    assert old_tones("kế hoạch, quý, khuya, người, hoàng") == "kế hoạch, quý, khuya, người, hoàng"
    sample = "Đảng ủy xã Hòa Bình tổ chức hội nghị về văn hóa và thủy lợi."
    assert canonical_tones(old_tones(sample)) == canonical_tones(sample)
    assert unicodedata.is_normalized("NFC", old_tones(sample))


def test_every_citation_form_names_the_document() -> None:
    import random

    from samplegen.content_corpus import load_register
    from samplegen.content_docs import cite, cite_brief, find_refs

    register = load_register()
    for doc_id, doc in register.items():
        rng = random.Random(doc_id)
        forms = {cite(doc, rng, True) for _ in range(80)} | {cite_brief(doc, rng) for _ in range(10)}
        assert len(forms) >= 3 or doc.kind == "Luật", (doc_id, forms)
        for form in forms:
            assert find_refs(f"Thực hiện {form}, chi bộ đã họp.", register) == (doc_id,), (doc_id, form)


def test_a_bad_corpus_file_is_named_in_the_error(tmp_path: Path) -> None:
    import shutil

    from archive.errors import BadInput
    from samplegen.content_corpus import CORPUS, load_corpus

    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    bad = root / "topics" / "kinh-te.toml"
    bad.write_text(bad.read_text(encoding="utf-8").replace('topics = ["kinh-te", "doi-ngoai"]',
                                                           'topics = ["kinh-te", "ngoai-giao"]'),
                   encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        load_corpus(root)
    assert "kinh-te.toml" in str(caught.value) and "ngoai-giao" in str(caught.value)
