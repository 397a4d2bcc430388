"""The matching rule per word (issue 13), on collision families of Vietnamese spellings.

A word typed with diacritics means that word; a word typed without them means every
spelling. Each query's ``total`` must equal the count made here, independently of the
index, over the articles' own text (title, text, byline: what is indexed), and every hit's
text must hold every typed word under the rule. ``possible`` counts the documents read
below the low-confidence setting that only a folded match finds.
"""

from __future__ import annotations

import json
import re
import unicodedata
from urllib.parse import urlencode

import pytest

from archive.catalog import Catalog
from archive.vntext import canonical_word, fold, nfc
from indexer.search.build import build_index
from indexer.search.engine import search
from indexer.search.query import QueryError, SearchRequest, parse
from tests.conftest import run_bantin
from tests.search_fixtures import Art, Iss, article_id, config_for, fill

LOW = 40.0  # an article read this poorly may have lost its marks (setting: 70)

ARTS = [
    Art("Cửa khẩu biên giới", ["Mở cửa khẩu phụ để giao thương, cửa ngõ của tỉnh."]),
    Art("Nghị quyết của Đảng về công tác cán bộ",
        ["Thực hiện Nghị quyết 21-NQ/TW, làm tốt công tác cán bộ của cơ sở."]),
    Art("Cống thoát nước và cổng làng",
        ["Xây cống thoát nước, sửa cổng làng văn hóa; cộng đồng cùng làm."]),
    Art("Cộng đồng dân cư", ["Phát huy sức mạnh cộng đồng, công khai thu chi."]),
    Art("Phòng, chống tham nhũng", ["Kiên quyết phòng, chống tham nhũng, lãng phí."]),
    Art("Thăm hỏi gia đình chính sách", ["Lãnh đạo tỉnh đến thăm những gia đình chính sách."]),
    Art("Những việc làm thiết thực", ["Những việc làm nhỏ, nhung lụa không phải mục tiêu."]),
    Art("Kiềm chế lạm phát", ["Kiềm chế lạm phát, làm chủ giá cả; phát triển lâm nghiệp."]),
    Art("Trồng rừng", ["Ngành lâm nghiệp trồng rừng; người dân làm giàu từ rừng."]),
    Art("Hoà giải ở cơ sở", ["Tổ hoà giải và công trình thuỷ lợi nội đồng."]),
    Art("Hòa bình và thủy lợi", ["Giữ vững hòa bình; làm thủy lợi."]),
    # OCR that lost its marks: found by folded queries, and possibly by accented ones
    Art("Tham nhung va lang phi", ["Phong chong tham nhung, nhung viec lam cu the."], conf=LOW),
    Art("Cong tac can bo", ["Cong tac can bo cua co so, cong dong dan cu."], conf=LOW),
    # read well as a whole, but OCR was unsure of its "nhung" (marked below on the page words)
    Art("Bai hoc ve nhung vu an", ["Xu ly nghiem cac vu an tham nhung o co so."], conf=90.0),
]
UNSURE = {len(ARTS) - 1: {"nhung"}}  # article index → words read below 70 on its page
ISSUES = [Iss("tbnb", 2020 + k // 4, f"{k + 1:02d}", 1 + k % 12, pages=1, articles=[a])
          for k, a in enumerate(ARTS)]
TEXT = {article_id(i.id, a): a for i in ISSUES for a in i.articles}
LOW_WORDS = {article_id(ISSUES[k].id, ARTS[k]): words for k, words in UNSURE.items()}
_SYL = re.compile(r"[^\W_]+")


# --- the rule, computed here without the index ----------------------------------------------

def _tokens(text: str) -> list[tuple[str, str]]:
    return [(canonical_word(w.lower()), fold(w)) for w in _SYL.findall(nfc(text))]


def _typed(word: str) -> tuple[str, str, bool]:
    word = nfc(word)
    return canonical_word(word.lower()), fold(word), fold(word) != word.lower()


def _fits(token: tuple[str, str], word: str, loose: bool | set[str]) -> bool:
    """``loose``: True, the document was read poorly (any marked word may have lost its
    marks); a set, the folded words read poorly in it; False, neither."""
    exact, folded, marked = _typed(word)
    if not marked or loose is True or (loose and folded in loose):
        return token[1] == folded or (marked and token[0] == exact)
    return token[0] == exact


def holds(art: Art, q: str, *, loose: bool | set[str] = False) -> bool:
    """Whether the article's text holds the query (unquoted words AND, quoted phrases)."""
    tokens = _tokens("\n".join(p for p in (art.title, art.text, art.byline) if p))
    phrases = re.findall(r'"([^"]+)"', q)
    words = _SYL.findall(re.sub(r'"[^"]+"', " ", q))
    for w in words:
        if not any(_fits(t, w, loose) for t in tokens):
            return False
    for p in phrases:
        ws = _SYL.findall(p)
        if not any(all(_fits(tokens[i + j], w, loose) for j, w in enumerate(ws))
                   for i in range(len(tokens) - len(ws) + 1)):
            return False
    return True


def expected(q: str) -> tuple[set[str], set[str]]:
    certain = {i for i, a in TEXT.items() if holds(a, q)}
    possible = {i for i, a in TEXT.items()
                if holds(a, q, loose=True if a.conf < 70 else LOW_WORDS.get(i, False))} - certain
    return certain, possible


def _read_poorly(catalog: Catalog) -> None:
    """Lower the confidence of the UNSURE words on their pages, as OCR would report them."""
    for k, words in UNSURE.items():
        page_id = f"{ISSUES[k].id}/1"
        row = catalog.one("SELECT words FROM page_text WHERE page_id = ?", (page_id,))
        rows = json.loads(row["words"])
        for w in rows:
            if fold(w[0]).strip(",.") in words:
                w[5] = 30.0
        with catalog.transaction() as db:
            db.execute("UPDATE page_text SET words = ? WHERE page_id = ?",
                       (json.dumps(rows, ensure_ascii=False), page_id))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("rule")
    (home / "index").mkdir()
    catalog = Catalog(home / "index" / "catalog.sqlite")
    fill(catalog, ISSUES)
    _read_poorly(catalog)
    config = config_for(home)
    build_index(catalog, config)
    yield home, config, catalog
    catalog.close()


def run(archive, q: str, **kw):  # type: ignore[no-untyped-def]
    _home, config, catalog = archive
    return search(config, SearchRequest(q=q, per_page=1000, **kw), catalog)


QUERIES = [
    # collision families, one word
    "của", "cửa", "cua", "công", "cống", "cổng", "cộng", "cong", "những", "nhũng", "nhung",
    "lạm", "làm", "lâm", "lam",
    # accented pairs (AND, any order), mixed words, the other order
    "tham nhũng", "nhũng tham", "công tác", "làm chủ", "lâm nghiệp", "cộng đồng",
    "tham nhung", "thăm những", "tham những", "nghị quyet", "nghi quyết",
    # phrases, the rule inside them
    '"tham nhũng"', '"tham nhung"', '"thăm những"', '"cộng đồng"', '"cong dong"',
    '"việc làm"', '"viec lam"', '"cửa khẩu" biên',
    # old and new tone placement, đ
    "hoà", "hòa", "thuỷ lợi", "thủy lợi", "Đảng", "dang",
]


@pytest.mark.parametrize("q", QUERIES)
def test_total_is_the_exact_count_and_every_hit_holds_the_words(archive, q: str) -> None:
    result = run(archive, q)
    certain, possible = expected(q)
    found = {h.id for h in result.hits if not h.possible}
    maybe = {h.id for h in result.hits if h.possible}
    assert found == certain, q
    assert result.total == len(certain)
    assert maybe == possible and result.possible == len(possible), q
    for hit in result.hits:
        assert holds(TEXT[hit.id], q, loose=hit.possible), (q, hit.title)
        assert hit.possible or holds(TEXT[hit.id], q)
    # possible hits come after every certain one
    flags = [h.possible for h in result.hits]
    assert flags == sorted(flags)


def test_the_families_are_told_apart(archive) -> None:
    """Hand-checked counts, so the independent counter above cannot agree with a wrong rule."""
    def total(q: str) -> int:
        return int(run(archive, q).total)

    assert (total("của"), total("cửa")) == (2, 1)
    assert total("cua") == 3  # của and cửa (one article holds both), the unmarked "cua"
    assert (total("công"), total("cống"), total("cổng"), total("cộng")) == (3, 1, 1, 2)
    assert (total("những"), total("nhũng")) == (2, 1)
    assert total("nhung") == 5  # one article holds both những and nhung
    assert (total("lạm"), total("làm"), total("lâm")) == (1, 6, 2)
    assert total('"tham nhũng"') == 1 and total('"thăm những"') == 1
    assert total("tham nhung") == 4  # tham nhũng, thăm những and two unmarked OCRs


def test_accented_query_on_a_poor_ocr_counts_it_as_possible(archive) -> None:
    result = run(archive, "tham nhũng")
    assert result.total == 1 and result.possible == 2
    assert [h.title for h in result.hits][0] == "Phòng, chống tham nhũng"
    # one read poorly as a whole, one whose "nhung" alone was read below the setting
    assert {h.title for h in result.hits[1:]} == {"Tham nhung va lang phi", "Bai hoc ve nhung vu an"}
    assert all(h.possible and "<mark>" in h.snippet for h in result.hits[1:])
    assert run(archive, "làm").possible == 1  # only the article read poorly as a whole
    fuzzy = run(archive, "tham nhũng", fuzzy=True)
    assert fuzzy.possible == 0  # a deliberate fuzzy search counts every spelling as found
    assert fuzzy.total >= 3


def test_marks_follow_the_rule(archive) -> None:
    hit = run(archive, "những").hits[0]
    assert hit.title == "Những việc làm thiết thực"
    assert "<mark>Những</mark>" in hit.snippet and "<mark>nhung</mark>" not in hit.snippet
    hit = run(archive, '"tham nhũng"').hits[0]
    assert "<mark>tham nhũng</mark>" in hit.snippet
    hit = run(archive, "thăm những").hits[0]
    assert "<mark>thăm những</mark>" in hit.snippet
    # the word boxes on the scan: only the words that matched
    _home, config, catalog = archive
    hit = search(config, SearchRequest(q="cổng"), catalog).hits[0]  # marks: pages of <= 100 hits
    assert sum(len(v) for v in hit.marks.values()) == 2  # the title's and the text's "cổng"
    hit = search(config, SearchRequest(q="cong"), catalog)
    assert max(sum(len(v) for v in h.marks.values()) for h in hit.hits) == 5  # Cống cổng, cống cổng cộng


def test_identifiers_and_document_names_still_work(archive) -> None:
    nq = article_id(ISSUES[1].id, ARTS[1])
    for q in ("21-NQ/TW", "NQ21", "nghị quyết 21", "nghi quyet 21", "Nghị quyết số 21"):
        assert [h.id for h in run(archive, q).hits] == [nq], q


def test_nfd_input_is_the_same_word(archive) -> None:
    nfd = unicodedata.normalize("NFD", "NHŨNG")
    assert run(archive, nfd).total == run(archive, "nhũng").total == 1


# --- bad queries never fail (issue 18 item 5) -------------------------------------------------

def test_deep_nesting_is_refused_with_a_message() -> None:
    with pytest.raises(QueryError, match="lồng quá sâu"):
        parse("(" * 330 + "a" + ")" * 330)
    with pytest.raises(QueryError, match="quá dài"):
        parse("a " * 800)
    assert parse("(" * 16 + "a" + ")" * 16).render() == "a"


def test_deep_nesting_from_the_command_line_exits_2(archive) -> None:
    home, _config, _catalog = archive
    done = run_bantin(home, "search", "(" * 330 + "a" + ")" * 330)
    assert done.returncode == 2
    assert "lồng quá sâu" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) < 5


def test_json_carries_possible_and_fuzzy(archive) -> None:
    home, _config, _catalog = archive
    done = run_bantin(home, "search", "tham nhũng", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["total"], data["possible"], data["fuzzy"]) == (1, 2, False)
    assert [h["possible"] for h in data["hits"]] == [False, True, True]


# --- the same numbers everywhere; bad queries are a 400 on the web ---------------------------

@pytest.fixture(scope="module")
def client(archive):  # type: ignore[no-untyped-def]
    from tests.web_fixtures import PASSWORD, login
    from webapp import create_app
    from webapp import users as accounts

    home, _config, catalog = archive
    accounts.add_user(catalog, "doc", "reader", PASSWORD)
    app = create_app({"HOME": str(home), "TESTING": True})
    web = app.test_client()
    assert login(web).status_code == 302
    return web


def test_web_page_cli_and_api_show_the_same_total_possible_and_key(archive, client) -> None:
    home, _config, _catalog = archive
    done = run_bantin(home, "search", "tham nhũng", "--json")
    cli = json.loads(done.stdout)
    api = client.get("/api/search?" + urlencode({"q": "tham nhũng"})).get_json()
    html = client.get("/search?" + urlencode({"q": "tham nhũng"})).get_data(as_text=True)
    head = re.search(r'class="results-count" data-total="(\d+)" data-possible="(\d+)" '
                     r'data-query-key="(\w+)"[^>]*>([^<]*)<', html)
    assert head is not None
    assert (cli["total"], cli["possible"], cli["query_key"]) == (1, 2, head.group(3))
    assert (api["total"], api["possible"], api["query_key"]) == (1, 2, cli["query_key"])
    assert (int(head.group(1)), int(head.group(2))) == (1, 2)
    assert "1 kết quả, thêm 2 có thể" in head.group(4)
    assert html.count("possible-badge") == 2


@pytest.mark.parametrize("path", ["/search", "/api/search"])
def test_deep_nesting_is_a_400_with_a_message(client, path: str) -> None:
    r = client.get(path + "?" + urlencode({"q": "(" * 330 + "a" + ")" * 330}), follow_redirects=True)
    assert r.status_code == 400
    assert "lồng quá sâu" in r.get_data(as_text=True)


def test_search_within_an_issue_counts_and_marks_only_real_matches(client) -> None:
    issue = ISSUES[6].id  # "Những việc làm thiết thực": Những, Những ... nhung lụa
    html = client.get(f"/i/{issue}?" + urlencode({"q": "những"})).get_data(as_text=True)
    row = re.search(r"Trang 1</a> \((\d+) lần\): <span class=\"snippet\">(.*?)</span>", html, re.DOTALL)
    assert row is not None and row.group(1) == "2"
    assert re.findall(r"<mark>(.*?)</mark>", row.group(2)) == ["Những", "Những"]
    html = client.get(f"/i/{issue}?" + urlencode({"q": "nhung"})).get_data(as_text=True)
    assert "Trang 1</a> (3 lần)" in html
    html = client.get(f"/i/{issue}?" + urlencode({"q": "nhũng"})).get_data(as_text=True)
    assert "Không thấy trong số này" in html
    # the viewer marks the same words on the scan
    page = client.get(f"/i/{issue}/1?" + urlencode({"q": "những"})).get_data(as_text=True)
    assert page.count('<rect class="hit"') == 2


def test_invalid_filters_get_a_message_not_silence(client) -> None:
    html = client.get("/search?q=cong&from=abc&min_conf=500").get_data(as_text=True)
    assert "Đã bỏ qua from=&#39;abc&#39;" in html and "Đã bỏ qua min_conf=&#39;500&#39;" in html
    assert 'data-total="' in html  # the search still runs, without the bad values
    r = client.get("/api/search?q=cong&min_conf=500")
    assert r.status_code == 400 and "min_conf" in r.get_json()["error"]


def test_one_request_type_from_url_to_engine() -> None:
    from webapp import searching

    query, problems = searching.query_from({"q": "tham nhũng", "series": "tbnb", "from": "2020"})
    assert problems == [] and type(query) is SearchRequest
    assert query.query_key == SearchRequest(q="tham nhũng", series="tbnb", year_from=2020).query_key
    assert searching.request_for(query) is query


def test_cli_text_says_possible(archive) -> None:
    home, _config, _catalog = archive
    done = run_bantin(home, "search", "tham nhũng")
    assert done.returncode == 0 and "1 kết quả, thêm 2 có thể" in done.stdout
    assert "(có thể) Tham nhung va lang phi" in done.stdout


def test_year_histogram_and_paging_past_the_end(client) -> None:
    html = client.get("/search?q=cong").get_data(as_text=True)
    bars = re.findall(r'<a href="([^"]+)" title="(\d{4}): (\d+) kết quả">', html)
    assert bars and sum(int(n) for _u, _y, n in bars) == int(re.search(r'data-total="(\d+)"', html).group(1))
    url, year, count = next(b for b in bars if int(b[2]))
    opened = client.get(url.replace("&amp;", "&")).get_data(as_text=True)
    assert f'data-total="{count}"' in opened  # the bar opens the search that counts it
    r = client.get("/search?q=cong&page=99")
    assert r.status_code == 302 and r.headers["Location"].endswith("q=cong")  # the last (only) page


def test_did_you_mean_and_no_such_document(archive, client) -> None:
    result = run(archive, "thamnhung")
    assert result.total == 0 and result.suggestion == "tham nhung"
    assert run(archive, result.suggestion).total == 4
    html = client.get("/search?q=thamnhung").get_data(as_text=True)
    assert "Có phải bạn muốn tìm" in html and 'href="/search?q=tham+nhung"' in html
    result = run(archive, "nghi quyet 99")
    assert any("nghi quyet 99" in n for n in result.notes)
    assert not run(archive, "nghi quyet 21").notes


def test_title_words_are_marked_by_the_rule(archive, client) -> None:
    hit = run(archive, "cổng").hits[0]
    assert hit.title_marked == "Cống thoát nước và <mark>cổng</mark> làng"
    html = client.get("/search?" + urlencode({"q": "cổng"})).get_data(as_text=True)
    assert 'class="hit-title">Cống thoát nước và <mark>cổng</mark> làng</a>' in html


def test_up_to_three_passages_each_with_its_own_matches() -> None:
    from indexer.search.highlight import MatchSpec, snippets
    from indexer.search.query import leaves

    filler = " ".join(["nội dung"] * 60)
    text = f"Mở đầu cổng làng. {filler} Giữa bài cổng chợ. {filler} Cuối bài cổng trường. {filler} công"
    found = snippets(text, MatchSpec.from_leaves(leaves(parse("cổng"))))
    assert len(found) == 3
    assert [re.findall(r"<mark>(.*?)</mark>", p) for p in found] == [["cổng"]] * 3
    assert "làng" in found[0] and "chợ" in found[1] and "trường" in found[2]
    assert snippets("chỉ một cổng", MatchSpec.from_leaves(leaves(parse("cổng")))) == ["chỉ một <mark>cổng</mark>"]


# Texts where words and identifiers meet: numbers and codes inside and beside identifiers,
# spellings with and without marks, the other tone placement, line breaks in a phrase.
_MATCH_TEXTS = [
    "Nghị quyết số 21-NQ/TW nêu 21 nhiệm vụ; NQ 21 và TW là chữ. Chỉ thị 05-CT/TW, 05 - CT/TW.",
    "Thực hiện Nghị quyết 10 NQ/TW và Quyết định 12/2003/QĐ-TTg; nq/tw viết thường, 2l-NQ/TW.",
    "Sinh hoạt,\nchi bộ; SINH HOẠT CHI BỘ; sinh hoat chi bo; chi bổ; Hoà bình, hòa bình, HOÀ BÌNH.",
    "Đảng viên, dang vien, Đáng viên; cần, kiệm, liêm, chính; số21-NQ/TW và 21 / nq-tw.",
]
_MATCH_QUERIES = ["21", "nq", "tw", "21-NQ/TW", "05-CT/TW", "10-NQ/TW", "sinh hoạt chi bộ",
                  '"sinh hoat chi bo"', "hoa binh", "hòa bình", "dang vien", "đảng viên",
                  '"nghị quyết" 21-NQ/TW', "chi bộ 05-CT/TW", "cần kiệm", "2003"]


@pytest.mark.parametrize("q", _MATCH_QUERIES)
def test_fast_marks_equal_the_tokenizer_marks(q: str) -> None:
    """Passages find matches with one regular expression and the identifiers near a "/"
    (not by tokenising each hit's text): they must mark exactly the spans the tokenizer's
    matcher (:func:`find` over :func:`scan`, what the index holds) marks."""
    from indexer.search.highlight import MatchSpec, _compile, _matches, find
    from indexer.search.query import leaves
    from indexer.search.tokens import scan

    spec = MatchSpec.from_leaves(leaves(parse(q)))
    compiled = _compile(spec)
    assert compiled is not None
    for text in _MATCH_TEXTS:
        text = nfc(text)
        tokens = scan(text)
        slow = sorted((tokens[f].start, tokens[e - 1].end) for f, e, _k in find(tokens, spec))
        fast = sorted((a, b) for a, b, _k in _matches(text, compiled, spec))
        assert fast == slow, (q, text)


def test_identifiers_read_near_slashes_equal_those_read_in_the_whole_text(monkeypatch) -> None:
    """Identifiers are looked for only within reach of a "/" (:func:`_slash_regions`); on
    texts where they sit at every distance from each other, from other slashes and from the
    ends, in every spelling the grammar takes, the spans must equal a reading of the whole text."""
    import random

    from indexer.search import tokens

    forms = ["21-NQ/TW", "21 - NQ/TW", "05/CT-TW", "43/2022/QH15", "12/2003/QĐ-TTg", "2l-NQ/TW",
             "10 NQ/TW", "số21-NQ/TW", "21-nq/tw", "NQ21", "ngày 3/2", "a/b/c", "1/2/3/4/5",
             "12345  \n  -  \n  NQ  \n  /  \n  BCHTW1234", "12  /  2003  /  QĐi  -  TTg",
             "(43 / 2022 / QH15)", "41-NQ4TW", "05-NQ|HNTW", "10 NQ7TW", "03- nq7tw", "30-CTZTW"]
    words = ["Nghị", "quyết", "chi", "bộ", "Đảng", "viên", "TW", "NQ", "21", "2003", "-", "/", "—"]
    rng = random.Random(5)
    texts = []
    for _ in range(300):
        parts = []
        for _k in range(rng.randint(1, 60)):
            parts.append(rng.choice(forms) if rng.random() < 0.25 else rng.choice(words))
            if rng.random() < 0.1:
                parts.append("x" * rng.randint(60, 200))  # long runs without a space
        texts.append(nfc(rng.choice(["", " ", "\n"]).join(parts)))
    fast = [tokens._spans(t) for t in texts]
    monkeypatch.setattr(tokens, "_slash_regions", lambda t, _glued=None: [(0, len(t))])
    whole = [tokens._spans(t) for t in texts]
    assert fast == whole
    assert sum(len(s) for s in whole) > 300  # identifiers were there to find
