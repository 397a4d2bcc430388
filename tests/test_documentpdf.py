"""Word issues through ingest and extract with the real `bantin` command and LibreOffice:
pages from the PDF printed from the decoded text, method ``document``, word boxes; the
original never changed; bad files named, recorded, and the rest goes on (exit 4)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from archive.catalog import Catalog
from archive.models import Word
from indexer.extract import office
from tests.word_docs import add_legacy, new_document, save

PARTIAL = 4
TITLE = "NGHỊ QUYẾT VỀ CÔNG TÁC TƯ TƯỞNG"
LINE = ("Người dân tham gia xây dựng Đảng, những ưu điểm của tổ chức cơ sở đảng được phát huy "
        "trong công tác tuyên truyền ở địa phương.")


def _word_issue(folder: Path, name: str, fmt: str, work: Path) -> Path:
    d = new_document()
    add_legacy(d.add_paragraph(), TITLE, "tcvn3", bold=True)
    for i in range(30):
        add_legacy(d.add_paragraph(), f"Đoạn {i}: {LINE}", "tcvn3" if i % 2 else "vni")
    table = d.add_table(rows=1, cols=2)
    add_legacy(table.cell(0, 0).paragraphs[0], "Chỉ tiêu thường xuyên", "tcvn3")
    add_legacy(table.cell(0, 1).paragraphs[0], "Ủy ban kiểm tra", "vni")
    add_legacy(d.sections[0].header.paragraphs[0], "Thông tin nội bộ – Số 3", "tcvn3")
    source = save(d, work / f"{name}.docx")
    if fmt == "docx":
        target = folder / f"{name}.docx"
        target.write_bytes(source.read_bytes())
        return target
    converted = office.convert(source, fmt, work / "out", profile_root=work / "lo")
    target = folder / f"{name}.{fmt}"
    target.write_bytes(converted.read_bytes())
    return target


def test_word_issue_pages_and_bad_files(home: Path, bantin, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = home / "scans" / "tbnb" / "2005"
    folder.mkdir(parents=True)
    good = _word_issue(folder, "tbnb-2005-03", "doc", tmp_path)
    (folder / "tbnb-2005-03.toml").write_text('date = "2005-03"\n', encoding="utf-8")
    (folder / "tbnb-2005-04.rtf").write_text("{\\rtf1 hỏng", encoding="utf-8")
    (folder / "tbnb-2005-05.docx").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 300 + "EncryptedPackage".encode("utf-16-le"))
    before = hashlib.sha256(good.read_bytes()).hexdigest()
    scans_before = sorted(p.name for p in folder.iterdir())

    r = bantin("ingest")
    assert r.code == PARTIAL
    assert "tbnb/2005/tbnb-2005-04.rtf: LibreOffice could not open it" in r.err
    assert "tbnb/2005/tbnb-2005-05.docx: document is protected with a password" in r.err
    assert "1 new" in r.out
    r = bantin("extract")
    assert r.code == 0, r.err
    assert "document" in r.out

    with Catalog(home / "index" / "catalog.sqlite") as catalog:
        issue = catalog.get_issue("tbnb-2005-03")
        assert issue is not None and issue.source_kind == "document" and issue.date == "2005-03"
        problems = {p["path"] for p in catalog.query("SELECT path FROM problem")}
        assert problems == {"tbnb/2005/tbnb-2005-04.rtf", "tbnb/2005/tbnb-2005-05.docx"}
        stored = catalog.query("SELECT sha256 FROM source_file WHERE path = ?",
                               ("tbnb/2005/tbnb-2005-03.doc",))
        assert stored[0]["sha256"] == before  # the original's own hash is recorded
        rows = catalog.query("SELECT t.*, p.seq FROM page_text t JOIN page p ON p.id = t.page_id"
                             " ORDER BY p.seq")
    assert len(rows) >= 2
    assert {r["method"] for r in rows} == {"document"}
    assert {r["encoding"] for r in rows} == {"tcvn3+vni"}
    text = "\n".join(r["text"] for r in rows)
    assert TITLE in text and "Chỉ tiêu thường xuyên" in text and "Ủy ban kiểm tra" in text
    for i in range(30):
        assert f"Đoạn {i}: Người dân tham gia" in text
    assert "ư" in text and "¸" not in text and "ñ" not in text  # no mojibake left
    words = [Word.from_row(w) for w in json.loads(rows[0]["words"])]
    assert any(w.text == "NGHỊ" for w in words)
    assert all(0 <= w.box[0] < w.box[2] <= 1 and 0 <= w.box[1] < w.box[3] <= 1 for w in words)

    assert hashlib.sha256(good.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in folder.iterdir()) == scans_before  # nothing written in scans/
    derived = list((home / "index" / "cache" / "documents").rglob("*.pdf"))
    assert len(derived) == 1

    # the cache is derived: deleted, extract prints it again; ingest again changes nothing
    for p in derived:
        p.unlink()
    assert bantin("extract", "--force").code == 0
    assert derived[0].is_file()
    r = bantin("ingest")
    assert "1 unchanged" in r.out
    r = bantin("status")
    assert "word" in r.out.splitlines()[0]  # document pages have their own column
    row = next(line for line in r.out.splitlines() if line.startswith("tbnb") and "2005" in line)
    assert row.split()[8] == str(len(rows))  # series year issues pages read text legacy ocr word


@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_other_formats_are_issues(home: Path, bantin, tmp_path: Path, fmt: str) -> None:  # type: ignore[no-untyped-def]
    folder = home / "scans" / "tbnb" / "2006"
    folder.mkdir(parents=True)
    _word_issue(folder, "tbnb-2006-02", fmt, tmp_path)
    assert bantin("ingest").code == 0
    assert bantin("extract").code == 0
    with Catalog(home / "index" / "catalog.sqlite") as catalog:
        text = "\n".join(r["text"] for r in catalog.query("SELECT text FROM page_text"))
    assert TITLE in text and "Đoạn 29: Người dân" in text


def test_libreoffice_timeout_fails_the_file_alone(home: Path, bantin, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = home / "scans" / "tbnb" / "2007"
    folder.mkdir(parents=True)
    _word_issue(folder, "tbnb-2007-01", "rtf", tmp_path)
    monkeypatch.setenv("BANTIN_OFFICE_TIMEOUT", "0.01")
    r = bantin("ingest")
    assert r.code == PARTIAL
    assert "tbnb/2007/tbnb-2007-01.rtf: LibreOffice did not finish converting it" in r.err
