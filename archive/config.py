"""Settings: one table of (name, default, help), read with a fixed precedence.

Precedence, lowest first: the defaults below < ``<home>/bantin.toml`` < ``BANTIN_<NAME>``
environment variables < command-line flags. ``tests/test_config.py`` fails when a setting
is missing from the README, so every setting stays documented.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("jobs", 0, "Worker processes for OCR and extraction; 0 means one per CPU core."),
    Setting("ocr_lang", "vie", "Tesseract language pack(s), e.g. 'vie' or 'vie+eng'."),
    Setting("ocr_dpi", 300, "Resolution (dots per inch) at which PDF pages are rendered for OCR."),
    Setting("ocr_timeout", 300, "Seconds Tesseract may spend on one page before it is marked failed."),
    Setting("low_confidence", 70.0, "Mean OCR confidence (0-100) below which a page counts as low quality."),
    Setting("secret_key", "", "Key that signs web sessions; required to serve (generate one with `bantin secret`)."),
    Setting("host", "127.0.0.1", "Address `bantin serve` listens on."),
    Setting("port", 8080, "Port `bantin serve` listens on."),
    Setting("base_url", "http://127.0.0.1:8080", "Absolute address of the web app, used in reports and citations."),
    Setting("web_threads", 8, "Worker threads of the WSGI server."),
    Setting("web_workers", 0, "Server processes of `bantin serve` sharing one port; 0 means one per CPU core."),
    Setting("secure_cookies", False, "Mark session cookies Secure (set true when the app is served over https)."),
)
_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Config:
    """Resolved settings for one home folder."""

    home: Path
    values: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def scans(self) -> Path:
        """Originals; the program never writes here (except `bantin sample`)."""
        return self.home / "scans"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def catalog_path(self) -> Path:
        return self.index_dir / "catalog.sqlite"

    @property
    def search_dir(self) -> Path:
        """The search index: derived, can be deleted and rebuilt with `bantin build`."""
        return self.index_dir / "search"

    @property
    def cache_dir(self) -> Path:
        """Rendered page images and thumbnails: derived, can be deleted."""
        return self.index_dir / "cache"

    @property
    def truth_dir(self) -> Path:
        return self.home / "sample-truth"

    @property
    def job_count(self) -> int:
        jobs = int(self.values.get("jobs") or 0)
        return jobs if jobs > 0 else (os.cpu_count() or 1)


def _coerce(setting: Setting, raw: Any, origin: str) -> Any:
    kind = type(setting.default)
    if isinstance(raw, kind) and not (kind is int and isinstance(raw, bool)):
        return raw
    try:
        if kind is bool:
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(text)
        return kind(raw)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{origin}: setting '{setting.name}' must be {kind.__name__}, got {raw!r}; "
            f"{setting.help}"
        ) from None


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: the argument, else BANTIN_HOME, else the repository root."""
    if home is None:
        home = os.environ.get("BANTIN_HOME") or REPO_ROOT
    return Path(home).expanduser().resolve()


def load_config(home: str | os.PathLike[str] | None = None, **flags: Any) -> Config:
    """Settings for ``home`` with the documented precedence; ``flags`` that are None are unset."""
    root = resolve_home(home)
    values = {s.name: s.default for s in SETTINGS}
    file = root / "bantin.toml"
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"{file}: not valid TOML ({e}); fix or remove the file") from e
        for name, raw in data.items():
            if name not in _BY_NAME:
                known = ", ".join(sorted(_BY_NAME))
                raise ConfigError(f"{file}: unknown setting '{name}'; known settings: {known}")
            values[name] = _coerce(_BY_NAME[name], raw, str(file))
    for setting in SETTINGS:
        env = os.environ.get("BANTIN_" + setting.name.upper())
        if env is not None and env != "":
            values[setting.name] = _coerce(setting, env, "BANTIN_" + setting.name.upper())
    for name, raw in flags.items():
        if raw is None:
            continue
        if name not in _BY_NAME:
            raise ConfigError(f"unknown setting '{name}'")
        values[name] = _coerce(_BY_NAME[name], raw, f"--{name.replace('_', '-')}")
    return Config(home=root, values=values)
