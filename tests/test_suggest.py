"""Topic suggestions: NMF finds the themes of a corpus, names the curated topic each resembles,
flags a theme the list lacks, and the CLI prints them (text and JSON)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from indexer.analyze.suggest import STOP_SYLLABLES, format_suggestions, suggest_topics
from indexer.analyze.topicfile import load_topics
from indexer.analyze.topics import TopicList

THEMES = {
    "thien-tai": [
        "Mưa lớn kéo dài gây lũ quét và sạt lở đất ở các xã vùng cao.",
        "Ban chỉ huy phòng, chống thiên tai huy động lực lượng sơ tán người dân.",
        "Bão số ba gây ngập lụt nhiều khu dân cư ven sông.",
        "Chính quyền thực hiện phương châm bốn tại chỗ, khắc phục hậu quả thiên tai.",
        "Biến đổi khí hậu làm hạn hán và xâm nhập mặn ngày càng gay gắt.",
        "Nước lũ dâng cao, nhiều tuyến đường bị chia cắt, sạt lở vùi lấp nhà cửa.",
        "Lực lượng cứu hộ, cứu nạn ứng trực ở những điểm có nguy cơ lũ quét, sạt lở.",
        "Các hộ dân vùng trũng được di dời trước khi bão đổ bộ.",
    ],
    "chuyen-doi-so": [
        "Xã triển khai dịch vụ công trực tuyến và thanh toán không dùng tiền mặt.",
        "Tổ công nghệ số cộng đồng hướng dẫn người dân cài đặt ứng dụng định danh điện tử.",
        "Cơ sở dữ liệu dân cư được số hóa, kết nối với chính quyền số của tỉnh.",
        "Đảng viên dùng sổ tay đảng viên điện tử trên điện thoại thông minh.",
        "Chuyển đổi số giúp hợp tác xã bán hàng qua sàn thương mại điện tử.",
        "Bộ phận một cửa tiếp nhận hồ sơ trực tuyến, trả kết quả qua ứng dụng.",
        "Chính quyền số giúp người dân làm thủ tục trực tuyến mà không phải đến trụ sở.",
        "Hạ tầng số và kỹ năng số là nền tảng của chuyển đổi số ở nông thôn.",
    ],
    # A theme no curated topic covers: the pottery craft village.
    "gom": [
        "Nghệ nhân làng gốm chọn đất sét, nhào kỹ rồi vuốt gốm trên bàn xoay.",
        "Lò nung gốm đốt củi suốt ba ngày đêm để men gốm chín đều.",
        "Men gốm lam, men rạn được các nghệ nhân pha theo bí quyết riêng.",
        "Sản phẩm gốm của làng có bình, chum, chóe, ấm chén hoa văn tinh xảo.",
        "Lớp thợ trẻ học nghề gốm từ các nghệ nhân cao tuổi trong làng.",
        "Đất sét được lọc, phơi, ủ kỹ trước khi nghệ nhân tạo dáng sản phẩm gốm.",
        "Mỗi mẻ gốm ra lò, nghệ nhân lại hồi hộp ngắm màu men.",
        "Gốm của làng theo chân thương lái đi khắp các tỉnh đồng bằng.",
    ],
}


def corpus(n_per_theme: int = 12, seed: int = 7) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    out = []
    for theme, sentences in THEMES.items():
        for i in range(n_per_theme):
            picked = rng.sample(sentences, 5)
            out.append((f"{theme}-{i:02d}", picked[0].split(",")[0], " ".join(picked)))
    return out


@pytest.fixture(scope="module")
def topic_list() -> TopicList:
    return load_topics()


def test_suggestions_find_the_themes(topic_list: TopicList) -> None:
    articles = corpus()
    found = suggest_topics(articles, topic_list, k=3, top_terms=10, examples=3)
    assert len(found) == 3
    by_theme = {}
    for s in found:
        themes = {ex[0].rsplit("-", 1)[0] for ex in s.examples}
        assert len(themes) == 1, s  # examples of one suggestion come from one theme
        by_theme[themes.pop()] = s
    assert set(by_theme) == set(THEMES)
    assert by_theme["thien-tai"].resembles == "moi-truong-thien-tai"
    assert by_theme["chuyen-doi-so"].resembles == "khoa-hoc-cong-nghe-chuyen-doi-so"
    pottery = by_theme["gom"]
    assert pottery.resembles is None and pottery.overlap < 0.25
    terms = [t for t, _w in pottery.terms]
    assert "gốm" in terms and "nghệ nhân" in terms  # shown with diacritics
    assert "gốm" in pottery.new_terms
    assert found[0] is pottery  # new themes first
    assert sum(s.articles for s in found) == len(articles)
    # deterministic for a seed
    again = suggest_topics(articles, topic_list, k=3, top_terms=10, examples=3)
    assert [s.terms for s in again] == [s.terms for s in found]
    text = format_suggestions(found, topic_list)
    assert "CHỦ ĐỀ MỚI?" in text and "moi-truong-thien-tai" in text


def test_stop_syllables_never_become_terms(topic_list: TopicList) -> None:
    found = suggest_topics(corpus(), topic_list, k=3, top_terms=15)
    for s in found:
        for term, _w in s.terms:
            assert not any(w in STOP_SYLLABLES for w in term.split()), term


def test_small_and_empty_corpora(topic_list: TopicList) -> None:
    few = corpus(n_per_theme=1)
    assert 1 <= len(suggest_topics(few, topic_list, k=12)) <= len(few) // 2
    with pytest.raises(ValueError):
        suggest_topics([], topic_list)


def test_cli_suggest(home: Path, catalog, bantin) -> None:
    from tests.test_analyze import add_issue

    add_issue(catalog, [(title, text, "") for _id, title, text in corpus(n_per_theme=8)])
    r = bantin("topics", "suggest", "--k", "3", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["articles"] == 24 and len(data["suggestions"]) == 3
    assert data["topics_version"] == load_topics().key
    first = data["suggestions"][0]
    assert first["resembles"] is None and first["examples"][0]["url"].startswith("/a/ttshcb-2023-01-p")
    r = bantin("topics", "suggest", "--k", "3")
    assert r.code == 0 and "24 bài, 3 chủ đề gợi ý" in r.out and "ví dụ:" in r.out


def test_cli_suggest_without_articles(home: Path, bantin) -> None:
    r = bantin("topics", "suggest")
    assert r.code == 2 and "bantin build" in r.err


def test_suggestions_show_examples_per_period(topic_list: TopicList) -> None:
    """Issue 15: the pottery theme is written about only in the second period here; the
    suggestion says so, with examples from that period."""
    articles = corpus()
    periods = ["Khóa X" if a[0].startswith("gom") and int(a[0][-2:]) >= 6 else "Khóa IX"
               for a in articles]
    found = suggest_topics(articles, topic_list, k=3, top_terms=10, examples=2, periods=periods)
    pottery = next(s for s in found if s.resembles is None)
    by = {p: (n, ex) for p, n, ex in pottery.by_period}
    assert by["Khóa IX"][0] == 6 and by["Khóa X"][0] == 6
    assert all(int(i[-2:]) >= 6 for i, _t, _w in by["Khóa X"][1]) and len(by["Khóa X"][1]) == 2
    assert all(int(i[-2:]) < 6 for i, _t, _w in by["Khóa IX"][1])
    disasters = next(s for s in found if s.resembles == "moi-truong-thien-tai")
    assert [p for p, _n, _e in disasters.by_period] == ["Khóa IX"]  # never in Khóa X
    text = format_suggestions(found, topic_list)
    assert "Khóa X: 6 bài" in text
