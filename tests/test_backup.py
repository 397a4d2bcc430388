"""Backup and restore: consistent copy, refusal to clobber, derived data dropped."""

from __future__ import annotations

import zipfile
from pathlib import Path

from archive.catalog import Catalog
from archive.ingest import ingest_scans
from tests.test_ingest import make_pdf


def test_backup_then_restore_into_empty_home(home: Path, tmp_path_factory, bantin) -> None:
    make_pdf(home / "scans/tbnb/2005/tbnb-2005-01.pdf", 2)
    with Catalog(home / "index/catalog.sqlite") as c:
        ingest_scans(c, home / "scans")
        c.set_meta("marker", "giữ lại")
    (home / "bantin.toml").write_text('secret_key = "abc"\n', encoding="utf-8")
    out = home.parent / "b.zip"
    r = bantin("backup", "--out", str(out))
    assert r.code == 0, r.err
    assert {"catalog.sqlite", "manifest.json", "bantin.toml"} <= set(zipfile.ZipFile(out).namelist())

    other = tmp_path_factory.mktemp("other")
    from bantin.main import main
    assert main(["--home", str(other), "--quiet", "restore", str(out)]) == 0
    with Catalog(other / "index/catalog.sqlite") as c:
        assert c.get_meta("marker") == "giữ lại"
        assert [p.id for p in c.pages("tbnb-2005-01")] == ["tbnb-2005-01/1", "tbnb-2005-01/2"]
    assert (other / "bantin.toml").read_text() == 'secret_key = "abc"\n'


def test_restore_refuses_a_home_with_data_unless_forced(home: Path, bantin) -> None:
    make_pdf(home / "scans/tbnb/2005/tbnb-2005-01.pdf", 1)
    with Catalog(home / "index/catalog.sqlite") as c:
        ingest_scans(c, home / "scans")
    out = home.parent / "b2.zip"
    assert bantin("backup", "--out", str(out)).code == 0
    with Catalog(home / "index/catalog.sqlite") as c:
        c.set_meta("after", "1")
    (home / "index/search").mkdir()
    refused = bantin("restore", str(out))
    assert refused.code == 2 and "already holds an archive" in refused.err
    with Catalog(home / "index/catalog.sqlite") as c:
        assert c.get_meta("after") == "1"  # nothing lost
    assert bantin("restore", str(out), "--force").code == 0
    with Catalog(home / "index/catalog.sqlite") as c:
        assert c.get_meta("after") == ""
    assert not (home / "index/search").exists()


def test_restore_rejects_a_file_that_is_not_a_backup(home: Path, bantin) -> None:
    bogus = home / "x.zip"
    bogus.write_text("not a zip")
    r = bantin("restore", str(bogus))
    assert r.code == 4 and "x.zip: not a Bản tin backup" in r.err
