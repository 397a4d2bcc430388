"""Settings: precedence, validation, and every setting documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.config import REPO_ROOT, SETTINGS, load_config
from archive.errors import ConfigError


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"| `{s.name}` |" not in readme]
    assert not missing, f"document these settings in the README's Settings table: {missing}"


def test_precedence_defaults_file_env_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_config(tmp_path).port == 8080
    (tmp_path / "bantin.toml").write_text("port = 9000\nocr_lang = 'vie+eng'\n", encoding="utf-8")
    assert load_config(tmp_path).port == 9000
    monkeypatch.setenv("BANTIN_PORT", "9100")
    config = load_config(tmp_path)
    assert config.port == 9100 and config.ocr_lang == "vie+eng"
    assert load_config(tmp_path, port=9200).port == 9200
    assert load_config(tmp_path, port=None).port == 9100


def test_bad_settings_name_the_file_and_the_fault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bantin.toml").write_text("prot = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'prot'"):
        load_config(tmp_path)
    (tmp_path / "bantin.toml").write_text("port = 'abc'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bantin.toml.*'port' must be int"):
        load_config(tmp_path)
    (tmp_path / "bantin.toml").write_text("port = [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path)
    (tmp_path / "bantin.toml").unlink()
    monkeypatch.setenv("BANTIN_JOBS", "many")
    with pytest.raises(ConfigError, match="BANTIN_JOBS"):
        load_config(tmp_path)


def test_home_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANTIN_HOME", str(tmp_path))
    config = load_config()
    assert config.home == tmp_path.resolve()
    assert config.catalog_path == tmp_path.resolve() / "index" / "catalog.sqlite"
