"""Ingest: the scans convention, incremental reruns, changed and vanished files, bad input."""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image
from reportlab.pdfgen import canvas

from archive.catalog import Catalog
from archive.ingest import ingest_scans, scans_are_empty


def make_pdf(path: Path, pages: int, text: str = "Trang") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=(538.6, 765.4), invariant=1)  # 19 x 27 cm
    for i in range(pages):
        c.drawString(72, 700, f"{text} {i + 1}")
        c.showPage()
    c.save()
    return path


def make_images(folder: Path, count: int, size: tuple[int, int] = (400, 560)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        Image.new("L", size, 255 - i).save(folder / f"{i + 1:03d}.png", dpi=(200, 200))
    return folder


def test_registers_series_issues_and_pages(home: Path, catalog: Catalog) -> None:
    scans = home / "scans"
    make_pdf(scans / "tbnb/2005/tbnb-2005-01.pdf", 3)
    make_images(scans / "ttshcb/1990/ttshcb-1990-02", 2)
    make_pdf(scans / "ttshcb/1995/ttshcb-1995-01-xuan.pdf", 1)
    (scans / "ttshcb/1990/ttshcb-1990-02.toml").write_text(
        'date = "1990-04"\nprinted_number = "2"\nnote = "bản chụp"\n', encoding="utf-8")
    report = ingest_scans(catalog, scans)
    assert sorted(report.added) == ["tbnb-2005-01", "ttshcb-1990-02", "ttshcb-1995-01-xuan"]
    assert not report.problems

    issue = catalog.get_issue("ttshcb-1990-02")
    assert issue is not None
    assert (issue.series, issue.year, issue.number, issue.date, issue.printed_number) == \
        ("ttshcb", 1990, "02", "1990-04", "2")
    assert issue.source == "ttshcb/1990/ttshcb-1990-02" and issue.source_kind == "images"
    pages = catalog.pages("ttshcb-1990-02")
    assert [(p.id, p.file, p.width_px, p.height_px, p.dpi) for p in pages] == [
        ("ttshcb-1990-02/1", "ttshcb/1990/ttshcb-1990-02/001.png", 400, 560, 200.0),
        ("ttshcb-1990-02/2", "ttshcb/1990/ttshcb-1990-02/002.png", 400, 560, 200.0),
    ]
    special = catalog.get_issue("ttshcb-1995-01-xuan")
    assert special is not None and special.suffix == "xuan" and special.number == "01"
    pdf_pages = catalog.pages("tbnb-2005-01")
    assert len(pdf_pages) == 3 and [p.file_page for p in pdf_pages] == [0, 1, 2]
    assert round(pdf_pages[0].width_pt) == 539 and pdf_pages[0].width_px == round(538.6 * 300 / 72)
    # built-in series work without a series.toml, with their title history
    central = catalog.get_series("ttshcb")
    assert central is not None and central.title == "Thông tin sinh hoạt chi bộ"
    assert central.titles[0].title == "Thông báo nội bộ"


def test_rerun_is_a_no_op_and_a_changed_file_gets_new_page_identities(home: Path, catalog: Catalog) -> None:
    scans = home / "scans"
    pdf = make_pdf(scans / "tbnb/2006/tbnb-2006-01.pdf", 2)
    ingest_scans(catalog, scans)
    before = {p.id: p.sha256 for p in catalog.pages("tbnb-2006-01")}
    again = ingest_scans(catalog, scans)
    assert again.unchanged == ["tbnb-2006-01"] and not again.added and not again.changed

    make_pdf(pdf, 3, text="Khác")
    os.utime(pdf, ns=(1, 1))  # a different mtime forces a re-hash
    changed = ingest_scans(catalog, scans)
    assert changed.changed == ["tbnb-2006-01"]
    after = {p.id: p.sha256 for p in catalog.pages("tbnb-2006-01")}
    assert len(after) == 3
    assert all(after[k] != before[k] for k in before)


def test_vanished_file_is_reported_and_kept_until_forgotten(home: Path, catalog: Catalog) -> None:
    scans = home / "scans"
    pdf = make_pdf(scans / "tbnb/2007/tbnb-2007-01.pdf", 1)
    make_pdf(scans / "tbnb/2007/tbnb-2007-02.pdf", 1)
    ingest_scans(catalog, scans)
    pdf.unlink()
    report = ingest_scans(catalog, scans)
    assert report.missing == ["tbnb-2007-01"]
    assert catalog.get_issue("tbnb-2007-01") is not None
    assert len(catalog.pages("tbnb-2007-01")) == 1
    report = ingest_scans(catalog, scans, forget_missing=True)
    assert report.forgotten == ["tbnb-2007-01"]
    assert catalog.get_issue("tbnb-2007-01") is None
    assert catalog.get_issue("tbnb-2007-02") is not None


def test_series_toml_title_history(home: Path, catalog: Catalog) -> None:
    scans = home / "scans"
    (scans / "qnbt").mkdir()
    (scans / "qnbt/series.toml").write_text(
        'code = "qnbt"\ntitle = "Bản tin Quảng Nam"\npublisher = "Ban Tuyên giáo Tỉnh ủy"\n'
        'first_year = 2004\nissues_per_year = 6\n'
        '[[titles]]\ntitle = "Thông tin nội bộ"\nstart = "2004-01"\nend = "2010-12"\n'
        '[[titles]]\ntitle = "Bản tin Quảng Nam"\nstart = "2011-01"\n', encoding="utf-8")
    make_pdf(scans / "qnbt/2009/qnbt-2009-01.pdf", 1)
    ingest_scans(catalog, scans)
    series = catalog.get_series("qnbt")
    assert series is not None and series.issues_per_year == 6
    assert series.title_in(2009).title == "Thông tin nội bộ"
    assert series.title_in(2015).title == "Bản tin Quảng Nam"


def test_page_images_in_natural_order_and_system_files_ignored(home: Path, catalog: Catalog) -> None:
    """A scanner's *Trang 1.JPG ... Trang 10.JPG*: page 10 comes after page 9, not after
    page 1; Windows' Thumbs.db in the folder is no page and no error."""
    folder = home / "scans/tbnb/2010/tbnb-2010-04"
    folder.mkdir(parents=True)
    for n in range(1, 11):
        Image.new("L", (300, 420), 200 + n).save(folder / f"Trang {n}.JPG", "JPEG", dpi=(150, 150))
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    report = ingest_scans(catalog, home / "scans")
    assert not report.problems
    assert [p.file.rsplit("/", 1)[1] for p in catalog.pages("tbnb-2010-04")] == \
        [f"Trang {n}.JPG" for n in range(1, 11)]


def test_issue_numbers_in_numeric_order_and_one_issue_however_written(home: Path,
                                                                         catalog: Catalog) -> None:
    scans = home / "scans"
    for name in ("tbnb-2008-3", "tbnb-2008-10", "tbnb-2008-12", "tbnb-2008-2"):
        make_pdf(scans / f"tbnb/2008/{name}.pdf", 1)
    make_pdf(scans / "tbnb/2008/tbnb-2008-03.pdf", 1)  # no. 3 again, with its zero
    report = ingest_scans(catalog, scans)
    assert [i.id for i in catalog.issues()] == ["tbnb-2008-2", "tbnb-2008-03", "tbnb-2008-10",
                                                "tbnb-2008-12"]
    assert any("tbnb-2008-3.pdf: the same issue tbnb-2008-3 is also in tbnb/2008/tbnb-2008-03.pdf"
               in p for p in report.problems), report.problems
    report = ingest_scans(catalog, scans)  # a rerun keeps the one in the catalog
    assert "tbnb-2008-03" in {i.id for i in catalog.issues()}
    assert sum("the same issue" in p for p in report.problems) == 1


def test_bad_names_and_duplicates_are_named_and_the_rest_goes_on(home: Path, catalog: Catalog) -> None:
    scans = home / "scans"
    make_pdf(scans / "tbnb/2008/tbnb-2008-01.pdf", 1)
    make_pdf(scans / "tbnb/2008/so-1.pdf", 1)
    make_pdf(scans / "tbnb/2008/tbnb-2009-02.pdf", 1)
    make_pdf(scans / "xyz/2008/xyz-2008-01.pdf", 1)
    make_images(scans / "tbnb/2008/tbnb-2008-01", 1)
    (scans / "tbnb/2008/tbnb-2008-03.wpd").write_bytes(b"PK")  # WordPerfect: not read
    report = ingest_scans(catalog, scans)
    text = "\n".join(report.problems)
    assert "tbnb/2008/so-1.pdf: name does not follow" in text
    assert "tbnb/2008/tbnb-2009-02.pdf: year 2009 in the name but the folder is '2008'" in text
    assert "tbnb/2008/tbnb-2008-03.wpd: unknown file type '.wpd'" in text
    assert "the same issue tbnb-2008-01" in text
    # a series we do not know, without series.toml: read under its code, with a warning
    assert "xyz" not in text
    assert any("series 'xyz' has no series.toml" in w for w in report.warnings)
    assert [i.id for i in catalog.issues()] == ["tbnb-2008-01", "xyz-2008-01"]
    xyz = catalog.get_series("xyz")
    assert xyz is not None and (xyz.title, xyz.first_year) == ("xyz", 0)
    stored = {r["path"] for r in catalog.problems("ingest")}
    assert "tbnb/2008/so-1.pdf" in stored and "tbnb/2008/tbnb-2008-03.wpd" in stored


def test_scans_are_empty(home: Path) -> None:
    assert scans_are_empty(home / "scans")
    (home / "scans/README.md").write_text("x")
    assert scans_are_empty(home / "scans")
    make_pdf(home / "scans/tbnb/2005/tbnb-2005-01.pdf", 1)
    assert not scans_are_empty(home / "scans")


def test_links_leading_outside_scans_are_refused_and_named(home: Path, catalog: Catalog,
                                                           tmp_path_factory) -> None:
    scans = home / "scans"
    outside = tmp_path_factory.mktemp("elsewhere")
    secret_pdf = make_pdf(outside / "secret.pdf", 1, text="Bi mat")
    secret_pages = make_images(outside / "pages", 1)
    make_pdf(scans / "tbnb/2008/tbnb-2008-01.pdf", 1)
    (scans / "tbnb/2008/tbnb-2008-02.pdf").symlink_to(secret_pdf)  # an issue file
    (scans / "tbnb/2008/tbnb-2008-03").symlink_to(secret_pages)  # an issue folder
    folder = make_images(scans / "tbnb/2008/tbnb-2008-04", 1)
    (folder / "002.png").symlink_to(secret_pages / "001.png")  # one page of a folder
    (scans / "tbnb/2009").symlink_to(outside)  # a year folder
    (scans / "ttshcb").symlink_to(outside)  # a series folder
    (scans / "tbnb/2008/tbnb-2008-05.pdf").symlink_to(scans / "tbnb/2008/tbnb-2008-01.pdf")  # inside: fine
    report = ingest_scans(catalog, scans)
    text = "\n".join(report.problems)
    for rel in ("tbnb/2008/tbnb-2008-02.pdf", "tbnb/2008/tbnb-2008-03", "tbnb/2008/tbnb-2008-04/002.png",
                "tbnb/2009", "ttshcb"):
        assert f"{rel}: a link to " in text and "outside scans/" in text, rel
    assert sorted(i.id for i in catalog.issues()) == ["tbnb-2008-01", "tbnb-2008-05"]
    stored = {r["path"] for r in catalog.problems("ingest")}
    assert "tbnb/2008/tbnb-2008-02.pdf" in stored
