"""Backup and restore: consistent copy, refusal to clobber, derived data dropped."""

from __future__ import annotations

import json
import stat
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


# --- issue 18: restore trusts nothing in the ZIP ---------------------------------------------

def _valid_backup(home: Path, bantin) -> Path:
    make_pdf(home / "scans/tbnb/2005/tbnb-2005-01.pdf", 1)
    with Catalog(home / "index/catalog.sqlite") as c:
        ingest_scans(c, home / "scans")
    out = home.parent / "good.zip"
    assert bantin("backup", "--out", str(out)).code == 0
    return out


def _rezip(good: Path, out: Path, changes: dict[str, object], *, drop_files: bool = False) -> Path:
    """A copy of the backup ``good`` with entries replaced (bytes, or (ZipInfo, bytes)) or
    added; ``drop_files`` removes the manifest's sizes (as backups before issue 18)."""
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        manifest = json.loads(src.read("manifest.json"))
        if drop_files:
            manifest.pop("files", None)
        entries = {n: src.read(n) for n in src.namelist()}
        entries["manifest.json"] = json.dumps(manifest).encode()
        entries.update(changes)  # type: ignore[arg-type]
        for name, value in entries.items():
            if isinstance(value, tuple):
                dst.writestr(value[0], value[1])
            else:
                dst.writestr(name, value)  # type: ignore[arg-type]
    return out


def _refused(target: Path, archive: Path, *, fault: str) -> None:
    """Restore into ``target`` is refused (exit 4) and nothing is written there."""
    from bantin.main import main

    assert main(["--home", str(target), "--quiet", "restore", str(archive)]) == 4, fault
    assert not (target / "index" / "catalog.sqlite").exists(), fault
    assert not (target / "bantin.toml").exists(), fault
    leftovers = [p.name for p in (target / "index").iterdir()] if (target / "index").exists() else []
    assert leftovers == [], (fault, leftovers)


def test_restore_refuses_bombs_links_and_bad_content(home: Path, tmp_path_factory, bantin, capsys) -> None:
    good = _valid_backup(home, bantin)
    manifest = json.loads(zipfile.ZipFile(good).read("manifest.json"))
    assert manifest["files"]["catalog.sqlite"]["size"] > 0  # the manifest states sizes
    tmp = tmp_path_factory.mktemp("bad")
    zeros = b"\0" * (64 * 1024 * 1024)  # 64 MiB that compress to ~64 KiB
    link = zipfile.ZipInfo("bantin.toml")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    cases = {
        "bomb, sizes stated": _rezip(good, tmp / "bomb.zip", {"catalog.sqlite": zeros}),
        "bomb, old manifest": _rezip(good, tmp / "bomb-old.zip", {"catalog.sqlite": zeros}, drop_files=True),
        "not sqlite": _rezip(good, tmp / "text.zip", {"catalog.sqlite": b"hello " * 100}, drop_files=True),
        "not json": _rezip(good, tmp / "json.zip", {"manifest.json": b"{not json"}),
        "huge manifest": _rezip(good, tmp / "huge.zip", {"manifest.json": b" " * (8 * 1024 * 1024)}),
        "symlink": _rezip(good, tmp / "link.zip", {"bantin.toml": (link, b"/etc/passwd")}, drop_files=True),
        "odd name": _rezip(good, tmp / "name.zip", {"../evil.sh": b"echo hi"}),
        "bad toml": _rezip(good, tmp / "toml.zip", {"bantin.toml": b"secret_key = [unclosed"}, drop_files=True),
    }
    for fault, archive in cases.items():
        target = tmp_path_factory.mktemp("target")
        capsys.readouterr()
        _refused(target, archive, fault=fault)
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and archive.name in err and "not restored" in err, (fault, err)
    # the good backup still restores
    from bantin.main import main

    assert main(["--home", str(tmp_path_factory.mktemp("ok")), "--quiet", "restore", str(good)]) == 0


def test_restore_refuses_what_the_disk_cannot_hold(home: Path, tmp_path_factory, bantin, monkeypatch) -> None:
    import shutil

    from archive import backup

    good = _valid_backup(home, bantin)
    target = tmp_path_factory.mktemp("full-disk")
    real = shutil.disk_usage

    def nearly_full(path: object) -> object:  # fault injection: a disk with 1 MiB free
        usage = real(path)
        return type(usage)(usage.total, usage.total - 1024 * 1024, 1024 * 1024)

    monkeypatch.setattr(backup.shutil, "disk_usage", nearly_full)
    _refused(target, good, fault="disk full")
