"""Settings: precedence, validation, and every setting documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.config import SETTINGS, Config, load_config, resolve_home, settings_table
from archive.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent


def test_the_readme_settings_table_is_the_generated_one() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme, (
        "the README's Settings table differs from archive.config.Settings: paste the output of "
        "`python -c 'from archive.config import settings_table; print(settings_table())'`")
    assert all(f"| `{s.name}` |" in readme for s in SETTINGS)


def test_settings_are_typed_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANTIN_JOBS", "3")
    monkeypatch.setenv("BANTIN_LOW_CONFIDENCE", "65")
    config = load_config(tmp_path)
    assert isinstance(config, Config)
    assert config.jobs == 3 and type(config.jobs) is int and config.job_count == 3
    assert config.low_confidence == 65.0 and type(config.low_confidence) is float
    assert config.secure_cookies is False
    monkeypatch.setenv("BANTIN_JOBS", "2.5")
    with pytest.raises(ConfigError, match="BANTIN_JOBS.*'jobs' must be int"):
        load_config(tmp_path)


def test_default_home_is_the_current_folder_never_the_package(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BANTIN_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_home() == tmp_path.resolve()
    monkeypatch.setenv("BANTIN_HOME", str(tmp_path / "elsewhere"))
    assert resolve_home() == (tmp_path / "elsewhere").resolve()


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
