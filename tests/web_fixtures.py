"""A small home for web tests: real page images under scans/, ingested by the real ingest,
page text with exact word boxes, articles with topics and cited documents, the search index
when the search engine is present, and users.

Why pages drawn here: the tests must know where every word sits on the image to check that
the viewer's marks lie over the words; drawing the page with Pillow gives exact boxes, where
running Tesseract would only add seconds and noise to tests that are about the web app.

Reusable by issue 7 and 8 tests: ``from tests.web_fixtures import build_web_home, login``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont

from archive.catalog import Catalog, now
from archive.config import Config, load_config
from archive.ingest import ingest_scans
from archive.models import PageResult, Word
from archive.vntext import fold, nfc

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
PAGE_W, PAGE_H = 900, 1270  # pixels (a 19 x 27 cm page at about 120 dpi)
MARGIN = 70
PASSWORD = "mat-khau-thu-nghiem"  # every fixture user's password
LOW_CONF = 35.0  # confidence given to the words listed as poorly read


@dataclass(frozen=True)
class ArticleSpec:
    key: str  # short name the tests use
    title: str
    section: str
    kind: str
    byline: str
    paragraphs: tuple[str, ...]
    topics: tuple[tuple[str, float, dict[str, int]], ...] = ()
    refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class IssueSpec:
    series: str
    year: int
    number: str
    month: int
    articles: tuple[ArticleSpec, ...]
    pages: int = 2


ISSUES = (
    IssueSpec("ttshcb", 2012, "07", 7, (
        ArticleSpec("hoc-tap", "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
                    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", "bai",
                    "Nguyễn Văn An", (
                        "Chi bộ thôn Đông tổ chức sinh hoạt chuyên đề về học tập và làm theo "
                        "tấm gương đạo đức của Bác, gắn với nhiệm vụ phát triển kinh tế.",
                        "Mỗi đảng viên đăng ký một việc làm cụ thể, được chi bộ theo dõi và "
                        "đánh giá hằng quý; kết quả được công khai trước nhân dân.",
                        "Thực hiện Chỉ thị số 05-CT/TW, chi bộ đưa nội dung học tập vào "
                        "sinh hoạt thường kỳ, coi đó là việc làm thường xuyên.",
                    ),
                    topics=(("hoc-tap-lam-theo-bac", 0.82, {"làm theo": 3, "tấm gương": 1}),
                            ("xay-dung-dang", 0.41, {"chi bộ": 4})),
                    refs=("05-CT/TW",)),
        ArticleSpec("kinh-te", "Hợp tác xã kiểu mới ở xã Thanh Hà", "Kinh nghiệm – cách làm hay",
                    "tin", "PV", (
                        "Hợp tác xã nông nghiệp Thanh Hà đổi mới phương thức quản lý, liên kết "
                        "với doanh nghiệp tiêu thụ nông sản cho bà con.",
                        "Thu nhập bình quân của xã viên tăng rõ rệt so với năm trước.",
                    ),
                    topics=(("kinh-te", 0.77, {"hợp tác xã": 2, "nông sản": 1}),)),
    ), pages=2),
    IssueSpec("ttshcb", 2012, "09", 9, (
        ArticleSpec("tham-nhung", "Phòng, chống tham nhũng từ cơ sở", "Những vấn đề chung", "bai",
                    "", (
                        "Luật Phòng, chống tham nhũng yêu cầu công khai, minh bạch trong hoạt "
                        "động của cơ quan, tổ chức, đơn vị.",
                        "Đảng bộ xã kiểm tra việc kê khai tài sản, thu nhập của cán bộ chủ chốt.",
                        "Ghi chú máy đọc: <script>alert('xss')</script> & <b>đậm</b>.",
                    ),
                    topics=(("phong-chong-tham-nhung", 0.9, {"tham nhũng": 3}),)),
    ), pages=1),
    IssueSpec("tbnb", 2022, "06", 6, (
        ArticleSpec("nq21", "Quán triệt Nghị quyết 21-NQ/TW về tổ chức cơ sở đảng",
                    "Văn kiện – Nghị quyết", "bai", "BTG", (
                        "Nghị quyết số 21-NQ/TW ngày 16/6/2022 của Ban Chấp hành Trung ương về "
                        "tăng cường củng cố, xây dựng tổ chức cơ sở đảng và nâng cao chất lượng "
                        "đội ngũ đảng viên.",
                        "Các chi bộ cần đổi mới nội dung sinh hoạt chi bộ, nâng cao tính lãnh đạo, "
                        "tính giáo dục và tính chiến đấu.",
                    ),
                    topics=(("xay-dung-dang", 0.88, {"tổ chức cơ sở đảng": 2, "đảng viên": 2}),),
                    refs=("21-NQ/TW",)),
    ), pages=2),
)

SERIES_TOML = {
    "ttshcb": """code = "ttshcb"
title = "Thông tin sinh hoạt chi bộ"
publisher = "Ban Tuyên giáo Trung ương"
first_year = 1989
issues_per_year = 12
level = "trung-uong"

[[titles]]
title = "Thông báo nội bộ"
publisher = "Ban Tư tưởng – Văn hóa Trung ương"
start = "1989-07"
end = "1999-12"

[[titles]]
title = "Thông tin sinh hoạt chi bộ"
publisher = "Ban Tuyên giáo Trung ương"
start = "2000-01"
""",
    "tbnb": """code = "tbnb"
title = "Thông báo nội bộ"
publisher = "Ban Tuyên giáo Tỉnh ủy"
first_year = 2004
issues_per_year = 12
level = "tinh"

[[titles]]
title = "Thông tin nội bộ"
publisher = "Ban Tuyên giáo Tỉnh ủy"
start = "2004-01"
end = "2009-12"

[[titles]]
title = "Thông báo nội bộ"
publisher = "Ban Tuyên giáo Tỉnh ủy"
start = "2010-01"
""",
}

# Words deliberately "poorly read" (low confidence): (issue id, page, word text).
LOW_WORDS = {("ttshcb-2012-07", 1, "chuyên"), ("ttshcb-2012-07", 1, "thường")}


class HomeAccess:
    """The config and catalog of a test home (the classes below hold its ``path``)."""

    path: Path

    @property
    def config(self) -> Config:
        return load_config(self.path)

    def catalog(self) -> Catalog:
        return Catalog(self.path / "index" / "catalog.sqlite")


@dataclass
class WebHome(HomeAccess):
    """What a test needs to know about the home it runs against."""

    path: Path
    articles: dict[str, str] = field(default_factory=dict)  # key → article id
    words: dict[str, list[Word]] = field(default_factory=dict)  # page id → words
    search_ready: bool = False


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT_BOLD if bold else FONT, size)


@dataclass
class _Line:
    words: list[str]
    size: int
    bold: bool
    block: int
    article: str  # key of the article it belongs to ('' for headers)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[list[str]]:
    lines: list[list[str]] = []
    current: list[str] = []
    for word in nfc(text).split():
        trial = " ".join(current + [word])
        if current and font.getlength(trial) > width:
            lines.append(current)
            current = [word]
        else:
            current.append(word)
    if current:
        lines.append(current)
    return lines


def _layout(spec: IssueSpec, title: str) -> list[list[_Line]]:
    """Lines of every page: a masthead on page 1, then the articles flowing across pages."""
    lines: list[_Line] = [_Line(title.upper().split(), 26, True, 0, ""),
                          _Line(f"Số {int(spec.number)} – tháng {spec.month}/{spec.year}".split(),
                                16, False, 0, "")]
    block = 1
    body_w = PAGE_W - 2 * MARGIN
    for art in spec.articles:
        block += 1
        for words in _wrap(art.title, _font(22, True), body_w):
            lines.append(_Line(words, 22, True, block, art.key))
        for para in art.paragraphs:
            block += 1
            for words in _wrap(para, _font(18), body_w):
                lines.append(_Line(words, 18, False, block, art.key))
        if art.byline:
            block += 1
            lines.append(_Line(art.byline.split(), 18, True, block, art.key))
    per_page = max(1, -(-len(lines) // spec.pages))
    return [lines[i * per_page:(i + 1) * per_page] for i in range(spec.pages)]


def _draw(lines: list[_Line], path: Path, issue_id: str, seq: int) -> list[tuple[Word, str]]:
    image = Image.new("L", (PAGE_W, PAGE_H), 255)
    draw = ImageDraw.Draw(image)
    out: list[tuple[Word, str]] = []
    y = MARGIN
    for n, line in enumerate(lines):
        font = _font(line.size, line.bold)
        x = MARGIN
        for text in line.words:
            x0, y0, x1, y1 = draw.textbbox((x, y), text, font=font)
            draw.text((x, y), text, font=font, fill=0)
            conf = LOW_CONF if (issue_id, seq, text.strip(",.;:")) in LOW_WORDS else 93.0
            box = (x0 / PAGE_W, y0 / PAGE_H, x1 / PAGE_W, y1 / PAGE_H)
            out.append((Word(text, box, conf, line.block, n, float(line.size), line.bold), line.article))
            x += font.getlength(text + " ")
        y += int(line.size * 1.6) + (8 if line.bold else 0)
    draw.text((MARGIN, PAGE_H - 50), f"- {seq} -", font=_font(14), fill=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return out


def article_id(issue_id: str, first_page: int, title: str) -> str:
    """The contract's id: ``<issue id>-p<first page>-<4 hex of sha1(fold(title))>``."""
    return f"{issue_id}-p{first_page}-{hashlib.sha1(fold(title).encode()).hexdigest()[:4]}"


def _ensure_article_tables(catalog: Catalog) -> None:
    """The article tables from the contract in docs/ARCHITECTURE.md, when the segmentation
    schema (020_articles.sql) is not in this tree; a no-op once it is."""
    with catalog.transaction() as db:
        db.execute("CREATE TABLE IF NOT EXISTS article (id TEXT PRIMARY KEY, issue_id TEXT NOT NULL"
                   " REFERENCES issue(id) ON DELETE CASCADE, seq INTEGER NOT NULL, section TEXT NOT"
                   " NULL DEFAULT '', title TEXT NOT NULL DEFAULT '', byline TEXT NOT NULL DEFAULT '',"
                   " first_page INTEGER NOT NULL, last_page INTEGER NOT NULL, kind TEXT NOT NULL"
                   " DEFAULT 'bai', text TEXT NOT NULL DEFAULT '', words INTEGER NOT NULL DEFAULT 0,"
                   " confidence REAL NOT NULL DEFAULT 0, boxes TEXT NOT NULL DEFAULT '{}',"
                   " source_key TEXT NOT NULL DEFAULT '', segmenter TEXT NOT NULL DEFAULT '',"
                   " updated_at TEXT NOT NULL DEFAULT '')")
        db.execute("CREATE TABLE IF NOT EXISTS article_topic (article_id TEXT NOT NULL, topic TEXT"
                   " NOT NULL, score REAL NOT NULL, label INTEGER NOT NULL, evidence TEXT NOT NULL"
                   " DEFAULT '{}', topics_version TEXT NOT NULL DEFAULT '',"
                   " PRIMARY KEY (article_id, topic))")
        db.execute("CREATE TABLE IF NOT EXISTS article_ref (article_id TEXT NOT NULL, doc_id TEXT"
                   " NOT NULL, kind TEXT NOT NULL DEFAULT '', number TEXT NOT NULL DEFAULT '',"
                   " doc_type TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '', year INTEGER,"
                   " date TEXT NOT NULL DEFAULT '', raw TEXT NOT NULL DEFAULT '', count INTEGER NOT"
                   " NULL DEFAULT 1, PRIMARY KEY (article_id, doc_id))")


def _insert(db: Any, table: str, row: dict[str, Any]) -> None:
    """Insert only the columns the table has (the real schema may have more or fewer)."""
    have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
    cols = [c for c in row if c in have]
    db.execute(f"INSERT OR REPLACE INTO {table} ({', '.join(cols)}) VALUES"
               f" ({', '.join('?' * len(cols))})", [row[c] for c in cols])


def build_web_home(root: Path, *, users: dict[str, str] | None = None,
                   index: bool = True) -> WebHome:
    """Write scans, ingest them, store page text and articles, build the search index.

    ``users`` maps name → role (password :data:`PASSWORD`); default: one of each role.
    """
    from webapp import users as accounts

    home = WebHome(root)
    (root / "scans").mkdir(parents=True, exist_ok=True)
    (root / "index").mkdir(parents=True, exist_ok=True)
    for code, toml in SERIES_TOML.items():
        (root / "scans" / code).mkdir(parents=True, exist_ok=True)
        (root / "scans" / code / "series.toml").write_text(toml, encoding="utf-8")
    drawn: dict[str, list[list[tuple[Word, str]]]] = {}
    for spec in ISSUES:
        issue_id = f"{spec.series}-{spec.year}-{spec.number}"
        title = "Thông tin sinh hoạt chi bộ" if spec.series == "ttshcb" else "Thông báo nội bộ"
        folder = root / "scans" / spec.series / str(spec.year) / issue_id
        pages = _layout(spec, title)
        drawn[issue_id] = [_draw(lines, folder / f"{k + 1:03d}.png", issue_id, k + 1)
                           for k, lines in enumerate(pages)]
        (folder.parent / f"{issue_id}.toml").write_text(
            f'date = "{spec.year}-{spec.month:02d}"\nprinted_number = "Số {int(spec.number)}'
            f' – tháng {spec.month}/{spec.year}"\n', encoding="utf-8")
    catalog = home.catalog()
    try:
        report = ingest_scans(catalog, root / "scans")
        assert not report.problems, report.problems
        _ensure_article_tables(catalog)
        for spec in ISSUES:
            issue_id = f"{spec.series}-{spec.year}-{spec.number}"
            for k, page_words in enumerate(drawn[issue_id]):
                page = catalog.get_page(f"{issue_id}/{k + 1}")
                assert page is not None
                words = tuple(w for w, _ in page_words)
                home.words[page.id] = list(words)
                text = _page_text(words)
                conf = sum(w.conf for w in words) / len(words)
                catalog.put_page_result(PageResult(
                    page_id=page.id, sha256=page.sha256, method="ocr", text=text, words=words,
                    confidence=conf, engine="fixture", engine_version="1", settings_key="fixture",
                    width_px=PAGE_W, height_px=PAGE_H))
            _store_articles(catalog, spec, issue_id, drawn[issue_id], home)
        for name, role in (users or {"doc": "reader", "bientap": "editor", "quantri": "admin"}).items():
            accounts.add_user(catalog, name, role, PASSWORD)
    finally:
        catalog.close()
    if index:
        home.search_ready = build_search_index(home)
    return home


def _page_text(words: tuple[Word, ...]) -> str:
    lines: list[str] = []
    key = None
    for w in words:
        if (w.block, w.line) != key:
            if key is not None and w.block != key[0]:
                lines.append("")
            lines.append(w.text)
            key = (w.block, w.line)
        else:
            lines[-1] += " " + w.text
    return "\n".join(lines)


def _store_articles(catalog: Catalog, spec: IssueSpec, issue_id: str,
                    pages: list[list[tuple[Word, str]]], home: WebHome) -> None:
    with catalog.transaction() as db:
        for seq, art in enumerate(spec.articles, start=1):
            on = [k + 1 for k, words in enumerate(pages) if any(a == art.key for _, a in words)]
            boxes: dict[str, list[list[float]]] = {}
            for k in on:
                lines: dict[int, list[float]] = {}
                for w, a in pages[k - 1]:
                    if a != art.key:
                        continue
                    b = lines.setdefault(w.line, [1.0, 1.0, 0.0, 0.0])
                    b[0], b[1] = min(b[0], w.box[0]), min(b[1], w.box[1])
                    b[2], b[3] = max(b[2], w.box[2]), max(b[3], w.box[3])
                boxes[str(k)] = [[round(v, 5) for v in b] for b in lines.values()]
            text = "\n\n".join(art.paragraphs)
            aid = article_id(issue_id, on[0], art.title)
            home.articles[art.key] = aid
            _insert(db, "article", {
                "id": aid, "issue_id": issue_id, "seq": seq, "section": art.section,
                "title": art.title, "byline": art.byline, "first_page": on[0], "last_page": on[-1],
                "kind": art.kind, "text": text, "words": len(re.findall(r"\w+", text)),
                "confidence": 92.5, "boxes": json.dumps(boxes), "source_key": "fixture",
                "segmenter": "fixture", "updated_at": now()})
            for slug, score, evidence in art.topics:
                _insert(db, "article_topic", {"article_id": aid, "topic": slug, "score": score,
                                              "label": 1, "evidence": json.dumps(evidence, ensure_ascii=False),
                                              "topics_version": "fixture"})
            for ref in art.refs:
                number, rest = ref.split("-", 1)
                doc_type, body = rest.split("/", 1)
                _insert(db, "article_ref", {"article_id": aid, "doc_id": ref, "kind": "party",
                                            "number": number, "doc_type": doc_type, "body": body,
                                            "year": None, "date": "", "raw": ref, "count": 1})


def build_search_index(home: WebHome) -> bool:
    """Build the search index with the search stage, when it is in this tree."""
    try:
        from indexer.search import build as index_build
        from indexer.search import engine as search  # noqa: F401
    except ImportError:
        return False
    config = home.config
    catalog = home.catalog()
    try:
        index_build.build_index(catalog, config)
    finally:
        catalog.close()
    return True


def login(client: Any, name: str = "doc", password: str = PASSWORD) -> Any:
    """Log in through the real form (fetching its CSRF token first)."""
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


def csrf_from(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the page"
    return m.group(1)


@contextmanager
def served(app: Any, threads: int = 4) -> Iterator[str]:
    """The app served by waitress on a free loopback port, as `bantin serve` does; yields
    the base address once the port answers."""
    import socket
    import threading

    import waitress

    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads)
    base = f"http://127.0.0.1:{server.effective_port}"
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    with socket.create_connection(("127.0.0.1", server.effective_port), timeout=5):
        pass
    try:
        yield base
    finally:
        server.close()
        thread.join(timeout=5)


# --- pytest fixtures (import them into a test module to use them) ---------------------------


@pytest.fixture(scope="session")
def web_home(tmp_path_factory: pytest.TempPathFactory) -> WebHome:
    """One shared home for tests that only read (do not lock users out or disable them)."""
    return build_web_home(tmp_path_factory.mktemp("web-home"))


@pytest.fixture
def web_home_factory(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A fresh home per call, for tests that change users or throttle logins."""
    def make(**kwargs: Any) -> WebHome:
        return build_web_home(tmp_path_factory.mktemp("web-home"), **kwargs)
    return make


def make_app(home: WebHome, **config: Any) -> Any:
    from webapp import create_app

    return create_app({"HOME": str(home.path), "TESTING": True, **config})


@pytest.fixture(scope="session")
def web_app(web_home: WebHome) -> Any:
    return make_app(web_home)


@pytest.fixture
def reader(web_app: Any) -> Any:
    """A test client logged in as the reader ``doc``."""
    client = web_app.test_client()
    assert login(client).status_code == 302
    return client
