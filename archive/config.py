"""Settings: one table of (name, default, help), read with a fixed precedence.

Precedence, lowest first: the defaults below < ``<home>/bantin.toml`` < ``BANTIN_<NAME>``
environment variables < command-line flags. ``tests/test_config.py`` fails when a setting
is missing from the README, so every setting stays documented.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from archive.errors import ConfigError


def _setting(default: Any, help: str) -> Any:
    """A field of :class:`Settings`: its default and the help line the README table shows."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every setting: one typed field each, with its default and help (the README table is
    generated from these fields; ``tests/test_config.py`` compares them)."""

    jobs: int = _setting(0, "Worker processes for OCR and extraction; 0 means one per CPU core.")
    ocr_lang: str = _setting("vie", "Tesseract language pack(s), e.g. 'vie' or 'vie+eng'.")
    ocr_dpi: int = _setting(300, "Resolution (dots per inch) at which PDF pages are rendered for OCR.")
    ocr_timeout: int = _setting(300, "Seconds Tesseract may spend on one page before it is marked failed.")
    ocr_engine: str = _setting("library", "How workers run Tesseract: 'library' (its library in the "
                                          "worker, each model loaded once) or 'command' (the tesseract "
                                          "program once per page). Both read the same words.")
    office_timeout: float = _setting(120.0, "Seconds LibreOffice may spend converting or printing one Word "
                                            "file before it is marked failed.")
    low_confidence: float = _setting(70.0, "Mean OCR confidence (0-100) below which a page counts as "
                                           "low quality.")
    queue: str = _setting("", "Redis address of the page queue (redis://HOST:PORT/DB): extract sends "
                              "each page to `bantin worker`s on other machines; empty: the local "
                              "process pool reads them.")
    queue_path_map: str = _setting("", "On a worker: where it sees the coordinator's files, as "
                                       "'COORDINATOR_PREFIX=LOCAL_PREFIX' pairs separated by ';' (e.g. "
                                       "'/srv/bantin=/mnt/bantin'); empty: the same paths.")
    queue_redeliver: int = _setting(0, "Seconds after which a page taken by a worker that vanished "
                                       "(machine lost, kill -9) is given to another worker; 0: the page "
                                       "time limit plus a minute. Keep it above the longest page.")
    secret_key: str = _setting("", "Key that signs web sessions; required to serve (generate one with "
                                   "`bantin secret`).")
    host: str = _setting("127.0.0.1", "Address `bantin serve` listens on.")
    port: int = _setting(8080, "Port `bantin serve` listens on.")
    base_url: str = _setting("http://127.0.0.1:8080", "Absolute address of the web app, used in "
                                                       "reports and citations.")
    web_threads: int = _setting(8, "Worker threads of the WSGI server.")
    web_workers: int = _setting(0, "Server processes of `bantin serve` sharing one port; 0 means one "
                                   "per CPU core.")
    background_refresh: bool = _setting(True, "`bantin serve` runs editors' refreshes (re-segment, analyse, "
                                              "reindex after a correction) in a process of its own.")
    refresh_wait: float = _setting(1.0, "Seconds from an editor's save (the POST) to its answer while "
                                        "the refresh process works, counted from the request's start; "
                                        "then the answer says search and counts are still being updated.")
    secure_cookies: bool = _setting(False, "Mark session cookies Secure (set true when the app is "
                                           "served over https).")
    trusted_proxies: str = _setting("", "Addresses or networks of reverse proxies whose X-Forwarded-For "
                                        "header names the client (e.g. '127.0.0.1, 10.0.0.0/8'); empty: the "
                                        "header is ignored and the connection's address counts.")
    oai_repository: str = _setting("bantin.local", "Repository name in OAI-PMH identifiers "
                                                   "(oai:<name>:a/<article id>); a domain-like name, set once "
                                                   "before the first harvest.")
    oai_admin_email: str = _setting("", "Address OAI-PMH harvesters are given to reach the archive's "
                                        "administrator; empty: quantri@<oai_repository>.")


@dataclass(frozen=True)
class Setting:
    """One row of the settings table, read off :class:`Settings`."""

    name: str
    type: type
    default: Any
    help: str


_TYPES: dict[str, type] = {"int": int, "str": str, "float": float, "bool": bool}
SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, _TYPES[str(f.type)], f.default, f.metadata["help"]) for f in fields(Settings))
_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Config(Settings):
    """Resolved settings for one home folder: every :class:`Settings` field, and the paths."""

    home: Path = Path(".")

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
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)


def settings_table() -> str:
    """The README's settings table (Markdown), generated from :class:`Settings`."""
    rows = ["| name | type | default | meaning |", "|---|---|---|---|"]
    for s in SETTINGS:
        default = "(none)" if s.default == "" else str(s.default).lower() if s.type is bool else s.default
        rows.append(f"| `{s.name}` | {s.type.__name__} | {default} | {s.help} |")
    return "\n".join(rows)


# Settings that take one of a few words (checked where they are read, naming the origin).
CHOICES: dict[str, tuple[str, ...]] = {"ocr_engine": ("library", "command")}


def _coerce(setting: Setting, raw: Any, origin: str) -> Any:
    value = _coerce_type(setting, raw, origin)
    allowed = CHOICES.get(setting.name)
    if allowed and value not in allowed:
        raise ConfigError(f"{origin}: setting '{setting.name}' must be one of "
                          f"{', '.join(repr(a) for a in allowed)}, got {value!r}; {setting.help}")
    return value


def _coerce_type(setting: Setting, raw: Any, origin: str) -> Any:
    kind = setting.type
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
        if kind is int and isinstance(raw, float) and not raw.is_integer():
            raise ValueError(raw)
        return kind(raw)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{origin}: setting '{setting.name}' must be {kind.__name__}, got {raw!r}; "
            f"{setting.help}"
        ) from None


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: the argument, else BANTIN_HOME, else the current folder (never the
    installed package's folder)."""
    if home is None:
        home = os.environ.get("BANTIN_HOME") or Path.cwd()
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
    return Config(home=root, **values)
