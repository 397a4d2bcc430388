"""The topic list: the shipped file, tagging (folding, longest match, title, length, hints,
one to three labels, evidence, version), an edited list changing labels, malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.models import ARTICLE_KINDS
from indexer.analyze.datafile import DataFileError
from indexer.analyze.topicfile import load_topics, topics_path
from indexer.analyze.topics import Item, TopicList, evaluate, labels_of, tag_topics

SLUGS = ("xay-dung-dang", "hoc-tap-lam-theo-bac", "kinh-te", "van-hoa-xa-hoi", "quoc-phong-an-ninh",
         "doi-ngoai", "phong-chong-tham-nhung", "bao-ve-nen-tang-tu-tuong", "guong-dien-hinh",
         "phap-luat-chinh-sach", "thoi-su", "khoa-hoc-cong-nghe-chuyen-doi-so",
         "moi-truong-thien-tai", "dan-van-mat-tran", "lich-su-truyen-thong")


@pytest.fixture(scope="module")
def shipped() -> TopicList:
    return load_topics()


def labels(item: Item, topic_list: TopicList) -> list[str]:
    return labels_of(tag_topics(item, topic_list, doc_ids=[]))


def test_shipped_list(shipped: TopicList) -> None:
    assert shipped.slugs == SLUGS
    for t in shipped.topics:
        assert t.name and t.description and len(t.terms) >= 25, t.slug
        assert any(ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ" for ch in t.name.lower()
                   + t.description.lower()), t.slug  # Vietnamese with diacritics
    assert shipped.key.startswith(shipped.version + "#") and len(shipped.key) > len(shipped.version) + 8
    assert topics_path(None) == Path(shipped.path)


# Short texts in the register of the bulletins (written for this test).
CASES = [
    ("xay-dung-dang", "Nâng cao chất lượng sinh hoạt chi bộ",
     "Thời gian qua, nhiều chi bộ đã đổi mới nội dung sinh hoạt, tăng cường tự phê bình và phê "
     "bình. Cấp ủy chú trọng phát triển đảng viên, kết nạp quần chúng ưu tú vào Đảng."),
    ("phong-chong-tham-nhung", "Kiên quyết đấu tranh phòng, chống tham nhũng, tiêu cực",
     "Các cơ quan chức năng đã phát hiện, xử lý nhiều vụ án tham nhũng, thu hồi tài sản cho Nhà "
     "nước; thực hiện nghiêm việc kê khai tài sản, thu nhập của cán bộ."),
    ("moi-truong-thien-tai", "Chủ động ứng phó với mùa mưa bão",
     "Trước diễn biến phức tạp của thiên tai, lũ quét, sạt lở đất, các địa phương triển khai "
     "phương châm bốn tại chỗ, sẵn sàng sơ tán người dân khỏi vùng nguy hiểm."),
    ("khoa-hoc-cong-nghe-chuyen-doi-so", "Đẩy mạnh chuyển đổi số ở cơ sở",
     "Tỉnh đã đưa dịch vụ công trực tuyến đến từng xã, xây dựng cơ sở dữ liệu dân cư, phổ cập kỹ "
     "năng số cho người dân và phát triển chính quyền số."),
    ("hoc-tap-lam-theo-bac", "Làm theo lời Bác dạy",
     "Thực hiện Chỉ thị của Bộ Chính trị về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, "
     "phong cách Hồ Chí Minh, mỗi cán bộ, đảng viên đăng ký việc làm theo Bác."),
    ("dan-van-mat-tran", "Phát huy vai trò của Mặt trận Tổ quốc",
     "Ủy ban Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội đã làm tốt công tác dân vận, "
     "thực hiện quy chế dân chủ ở cơ sở, củng cố khối đại đoàn kết toàn dân tộc."),
    ("quoc-phong-an-ninh", "Xây dựng nền quốc phòng toàn dân vững mạnh",
     "Lực lượng vũ trang tỉnh làm tốt công tác tuyển quân, diễn tập khu vực phòng thủ, giữ vững "
     "an ninh chính trị, trật tự, an toàn xã hội trên địa bàn."),
    ("lich-su-truyen-thong", "Kỷ niệm 70 năm Chiến thắng Điện Biên Phủ",
     "Trang sử hào hùng của dân tộc mãi là niềm tự hào; thế hệ trẻ tri ân các anh hùng liệt sĩ, "
     "phát huy truyền thống cách mạng vẻ vang."),
]


@pytest.mark.parametrize("slug, title, text", CASES, ids=[c[0] for c in CASES])
def test_tagging_finds_the_topic(slug: str, title: str, text: str, shipped: TopicList) -> None:
    found = labels(Item(title, text, kind="bai"), shipped)
    assert found[0] == slug and 1 <= len(found) <= 3


def test_scores_evidence_and_order(shipped: TopicList) -> None:
    _slug, title, text = CASES[1]
    scores = tag_topics(Item(title, text), shipped, doc_ids=[])
    assert [s.topic for s in scores if s.label][0] == "phong-chong-tham-nhung"
    assert len(scores) == len(SLUGS) and scores == sorted(scores, key=lambda s: -s.score)
    best = scores[0]
    # the title's longest term wins over the shorter ones inside it; the body has "tham nhũng"
    assert best.evidence["phòng, chống tham nhũng, tiêu cực"] == 1 and best.evidence["tham nhũng"] == 1
    assert "phòng, chống tham nhũng" not in best.evidence
    assert best.evidence["kê khai tài sản, thu nhập"] == 1 and "kê khai tài sản" not in best.evidence
    assert all(s.evidence == {} for s in scores if s.score == 0)


def test_folding_and_tone_placement(shipped: TopicList) -> None:
    with_marks = tag_topics(Item("", "Phòng chống thiên tai, ứng phó biến đổi khí hậu."), shipped, doc_ids=[])
    bare = tag_topics(Item("", "PHONG CHONG THIEN TAI, ung pho bien doi khi hau."), shipped, doc_ids=[])
    old = tag_topics(Item("", "Phòng chống thiên tai, ứng phó biến đổi khí hậu hoà bình"), shipped, doc_ids=[])
    assert with_marks[0].topic == bare[0].topic == old[0].topic == "moi-truong-thien-tai"
    assert with_marks[0].score == bare[0].score
    # "hoà" (old) and "hòa" (new) meet: "diễn biến hoà bình" is a term of the ideology topic
    a = tag_topics(Item("", "âm mưu diễn biến hoà bình"), shipped, doc_ids=[])
    b = tag_topics(Item("", "âm mưu diễn biến hòa bình"), shipped, doc_ids=[])
    assert a[0].topic == b[0].topic == "bao-ve-nen-tang-tu-tuong" and a[0].evidence == b[0].evidence


def test_phrases_do_not_cross_sentences(shipped: TopicList) -> None:
    joined = tag_topics(Item("", "biến đổi khí hậu"), shipped, doc_ids=[])
    split = tag_topics(Item("", "Cần biến đổi. Khí hậu ôn hòa."), shipped, doc_ids=[])
    assert "biến đổi khí hậu" in joined[0].evidence
    assert all("biến đổi khí hậu" not in s.evidence for s in split)


def test_negative_term_cancels_shorter_one(shipped: TopicList) -> None:
    scores = {s.topic: s for s in tag_topics(
        Item("", "Cải thiện môi trường đầu tư, môi trường kinh doanh để thu hút doanh nghiệp."),
        shipped, doc_ids=[])}
    env = scores["moi-truong-thien-tai"]
    assert env.score == 0 and not env.label and "môi trường" not in env.evidence
    assert scores["kinh-te"].label


def test_title_counts_more_and_length_is_normalised(shipped: TopicList) -> None:
    filler = "Hội nghị đã thảo luận nhiều nội dung quan trọng của địa phương trong năm. " * 40
    in_title = tag_topics(Item("Chuyển đổi số", filler), shipped, doc_ids=[])
    in_body = tag_topics(Item("Hội nghị", filler + "Chuyển đổi số."), shipped, doc_ids=[])
    score = {s.topic: s.score for s in in_title}["khoa-hoc-cong-nghe-chuyen-doi-so"]
    assert score > 2 * {s.topic: s.score for s in in_body}["khoa-hoc-cong-nghe-chuyen-doi-so"]
    short = tag_topics(Item("", "Chuyển đổi số."), shipped, doc_ids=[])
    long = tag_topics(Item("", filler + "Chuyển đổi số."), shipped, doc_ids=[])
    assert short[0].score > {s.topic: s.score for s in long}["khoa-hoc-cong-nghe-chuyen-doi-so"]


def test_section_kind_and_document_hints(shipped: TopicList) -> None:
    text = "Anh là người tận tụy, được bà con trong thôn quý mến."
    plain = labels(Item("Người thương binh ở xóm núi", text), shipped)
    banner = tag_topics(Item("Người thương binh ở xóm núi", text, section="Gương người tốt, việc tốt"),
                        shipped, doc_ids=[])
    assert banner[0].topic == "guong-dien-hinh"
    assert banner[0].evidence["chuyên mục: Gương người tốt, việc tốt"] == 1
    assert plain != labels_of(banner) or plain[0] == "guong-dien-hinh"
    cited = tag_topics(Item("Quán triệt văn bản mới", "Các chi bộ tổ chức quán triệt."), shipped,
                       doc_ids=["05-CT/TW"])
    assert cited[0].topic == "hoc-tap-lam-theo-bac" and cited[0].evidence["05-CT/TW"] == 1
    # without doc_ids, the text's own citations are found
    found = tag_topics(Item("Quán triệt", "Quán triệt Chỉ thị số 05-CT/TW của Bộ Chính trị."), shipped)
    assert found[0].topic == "hoc-tap-lam-theo-bac"
    news = tag_topics(Item("Khai mạc kỳ họp", "Sáng nay, kỳ họp thứ năm đã khai mạc.", kind="tin"),
                      shipped, doc_ids=[])
    assert news[0].topic == "thoi-su" and news[0].evidence["thể loại: tin"] == 1


def test_one_to_three_labels_and_fallback(shipped: TopicList) -> None:
    text = " ".join(c[2] for c in CASES)  # eight topics in one text
    many = tag_topics(Item("Tổng hợp", text), shipped, doc_ids=[])
    assert 1 <= sum(s.label for s in many) <= 3
    nothing = tag_topics(Item("Lời chào", "Xin chào bạn đọc."), shipped, doc_ids=[])
    assert labels_of(nothing) == [shipped.settings.fallback]
    assert all(s.score == 0 for s in nothing) and all(not s.evidence for s in nothing)


# --- an editor's list ------------------------------------------------------------------

SMALL = """version = "{version}"

[settings]
fallback = "chung"

[[topic]]
slug = "chung"
name = "Chung"
description = "Mọi thứ khác."
[topic.terms]
"hội nghị" = 1

[[topic]]
slug = "nong-nghiep"
name = "Nông nghiệp"
description = "Trồng trọt, chăn nuôi."
[topic.terms]
"lúa" = 2
"chăn nuôi" = 3
{extra}
"""


def write(tmp_path: Path, text: str, name: str = "topics.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_edited_list_changes_labels(tmp_path: Path) -> None:
    item = Item("Mùa vàng trên cánh đồng", "Bà con thu hoạch lúa, phát triển chăn nuôi bò sữa. "
                "Sữa bò được bao tiêu.")
    before = load_topics(write(tmp_path, SMALL.format(version="1", extra="")))
    assert labels(item, before) == ["nong-nghiep"]
    after = load_topics(write(tmp_path, SMALL.format(version="2", extra="""
[[topic]]
slug = "bo-sua"
name = "Bò sữa"
description = "Nghề nuôi bò sữa."
[topic.terms]
"bò sữa" = 5
"sữa bò" = 5
""")))
    got = tag_topics(item, after, doc_ids=[])
    assert labels_of(got)[0] == "bo-sua" and got[0].evidence == {"bò sữa": 1, "sữa bò": 1}
    assert after.key != before.key and after.version == "2"
    # an edit without a version bump still changes the key results record
    same_version = load_topics(write(tmp_path, SMALL.format(version="2", extra="\n# chú thích\n")))
    assert same_version.version == after.version and same_version.key != after.key


def test_home_topic_list_wins(tmp_path: Path) -> None:
    assert topics_path(tmp_path).name == "topics.toml" and topics_path(tmp_path) != tmp_path / "topics.toml"
    write(tmp_path, SMALL.format(version="1", extra=""))
    assert topics_path(tmp_path) == tmp_path / "topics.toml"


BAD = [
    ('version = "1"\n[[topic]]\nslug = "a"\nname = "A"\n[topic.terms]\n"lúa" = \n', 6, "TOML syntax"),
    ('version = "1"\n[[topic]]\nslug = "a"\nname = "A"\ncolor = "đỏ"\n[topic.terms]\n"lúa" = 1\n', 5,
     "unknown key 'color'"),
    ('version = "1"\n[[topic]]\nname = "A"\n[topic.terms]\n"lúa" = 1\n', 2, "without a `slug`"),
    ('version = "1"\n\n[[topic]]\nslug = "a"\n[topic.terms]\n"lúa" = 1\n', 3, "without a `name`"),
    ('version = "1"\n[[topic]]\nslug = "a"\nname = "A"\n[topic.terms]\n"lúa" = 1\n'
     '[[topic]]\nslug = "a"\nname = "B"\n[topic.terms]\n"ngô" = 1\n', 8, "duplicate slug 'a' (first at line 3)"),
    ('version = "1"\n[[topic]]\nslug = "a"\nname = "A"\n[topic.terms]\n"lúa" = 1\n"chăn nuôi" = "hai"\n', 7,
     "weight of 'chăn nuôi' must be a number"),
    ('version = "1"\n[[topic]]\nslug = "a"\nname = "A"\n[topic.terms]\n"hòa bình" = 1\n"hoà bình" = 2\n', 7,
     "same as 'hòa bình' (line 6)"),
    ('version = "1"\n[[topic]]\nslug = "A b"\nname = "A"\n[topic.terms]\n"lúa" = 1\n', 3, "lower-case"),
    ('version = "1"\n[[topic]]\nslug = "a"\nname = "A"\n[topic.terms]\n"lúa" = 1\n[topic.documents]\n'
     '"nghị quyết hai mốt" = 2\n', 8, "not a document identifier"),
    ('version = "1"\n[[topic]]\nslug = "a"\nname = "A"\n[topic.terms]\n"lúa" = 1\n[topic.kinds]\n"phóng sự" = 2\n',
     8, "unknown kind"),
    ('version = "1"\n[settings]\nmax_labels = 0\n[[topic]]\nslug = "a"\nname = "A"\n[topic.terms]\n"lúa" = 1\n',
     3, "max_labels"),
    ('version = "1"\n[settings]\nfallback = "khac"\n[[topic]]\nslug = "a"\nname = "A"\n[topic.terms]\n"lúa" = 1\n',
     3, "fallback topic 'khac'"),
    ('[[topic]]\nslug = "a"\nname = "A"\n[topic.terms]\n"lúa" = 1\n', 1, "`version`"),
]


@pytest.mark.parametrize("text, line, words", BAD, ids=[b[2][:30] for b in BAD])
def test_malformed_list_names_the_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataFileError) as e:
        load_topics(path)
    assert e.value.line == line, str(e.value)
    assert str(e.value).startswith(f"{path}, line {line}: ") and words in str(e.value)
    assert e.value.exit_code == 6  # a configuration error


def test_kinds_in_the_shipped_list_are_known(shipped: TopicList) -> None:
    assert {k for t in shipped.topics for k, _w in t.kinds} <= set(ARTICLE_KINDS)


def test_evaluate() -> None:
    m = evaluate([(["a", "b"], ["a"]), (["c"], ["c", "d"])])
    assert (m.tp, m.fp, m.fn) == (2, 1, 1) and m.f1 == pytest.approx(2 / 3)
