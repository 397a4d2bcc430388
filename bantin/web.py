"""Verbs of the web app: ``bantin serve``, ``bantin user …`` and ``bantin secret``.

``serve`` runs the app with waitress (a production WSGI server, pure Python), never Flask's
development server. Passwords are prompted twice on a terminal and read from standard input
otherwise (one line), so scripts can create users without putting a password in argv.
"""

from __future__ import annotations

import os
import re
import secrets
import sys
import tempfile
from pathlib import Path

import click

from archive.errors import UsageError
from bantin.common import State, pass_state


@click.command()
@click.option("--host", default=None, help="Address to listen on (setting `host`, default 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port to listen on (setting `port`, default 8080; 0 picks a free one).")
@click.option("--threads", type=click.IntRange(1, 256), default=None,
              help="Worker threads per process (setting `web_threads`).")
@click.option("--workers", type=click.IntRange(0, 64), default=None,
              help="Server processes sharing the port (setting `web_workers`; 0: one per core).")
@pass_state
def serve(state: State, host: str | None, port: int | None, threads: int | None,
          workers: int | None) -> None:
    """Serve the web library (login required) with the waitress WSGI server."""
    from webapp import create_app  # deferred: heavy libraries stay out of `bantin --help`
    from webapp.serving import serve_forever  # deferred: heavy libraries stay out of `bantin --help`

    config = state.config(host=host, port=port, web_threads=threads, web_workers=workers)
    app = create_app({"HOME": str(config.home), "SETTINGS": {"host": host, "port": port}})
    processes = config.web_workers or (os.cpu_count() or 1)

    def announce(bound_port: int) -> None:
        shown = "localhost" if config.host in ("127.0.0.1", "::1") else config.host
        click.echo(f"Bản tin: serving {config.home} at http://{shown}:{bound_port}/ (waitress, "
                   f"{processes} processes × {config.web_threads} threads"
                   f"{' + a refresh process' if config.background_refresh else ''}; Ctrl+C stops)")

    refresher = None
    if config.background_refresh:
        from indexer.refresh import run_refresher  # deferred: heavy libraries stay out of `bantin --help`

        app.config["BANTIN_REFRESHER"] = True

        def refresher() -> None:
            run_refresher(config)
    serve_forever(app, config.host, config.port, threads=config.web_threads, workers=processes,
                  announce=announce, refresher=refresher)


@click.group()
def user() -> None:
    """Accounts of the web app: add, list, disable, tokens."""


def _read_password(prompt_twice: bool) -> str:
    if prompt_twice:
        return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    line = sys.stdin.readline()
    if not line:
        raise UsageError("no password on standard input; pipe one line, e.g. "
                         "`printf '%s\\n' \"$PASSWORD\" | bantin user add NAME --role reader`")
    return line.rstrip("\r\n")


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["reader", "editor", "admin"]), default="reader",
              show_default=True)
@click.option("--update", is_flag=True, help="Set a new password and role for an existing user.")
@pass_state
def user_add(state: State, name: str, role: str, update: bool) -> None:
    """Create a user; the password is prompted twice (or read from standard input)."""
    from webapp import users  # deferred: heavy libraries stay out of `bantin --help`

    with state.catalog() as catalog:
        users.check_name(name)
        exists = users.get_user(catalog, name) is not None
        if exists and not update:
            raise UsageError(f"user {users.normalize_name(name)!r} already exists; "
                             "add --update to set a new password and role")
        password = _read_password(sys.stdin.isatty())
        if exists:
            users.set_password(catalog, name, password, by="cli")
            users.set_role(catalog, name, role, by="cli")
            users.set_disabled(catalog, name, False, by="cli")
            click.echo(f"updated {users.normalize_name(name)} ({role})")
        else:
            created = users.add_user(catalog, name, role, password, by="cli")
            click.echo(f"added {created.name} ({created.role})")


@user.command("list")
@pass_state
def user_list(state: State) -> None:
    """Users with their role, state and last login."""
    from webapp import users  # deferred: heavy libraries stay out of `bantin --help`

    with state.catalog() as catalog:
        rows = users.list_users(catalog)
    if not rows:
        click.echo("no users; add one with `bantin user add NAME --role admin`")
        return
    click.echo(f"{'name':<20} {'role':<8} {'state':<9} last login")
    for u in rows:
        click.echo(f"{u.name:<20} {u.role:<8} {'disabled' if u.disabled else 'active':<9} "
                   f"{u.last_login or '-'}")


@user.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable the user again instead.")
@pass_state
def user_disable(state: State, name: str, enable: bool) -> None:
    """Disable a user: their sessions and API tokens stop working at once."""
    from webapp import users  # deferred: heavy libraries stay out of `bantin --help`

    with state.catalog() as catalog:
        users.set_disabled(catalog, name, not enable, by="cli")
    click.echo(f"{'enabled' if enable else 'disabled'} {users.normalize_name(name)}")


@user.command("token")
@click.argument("name")
@click.option("--label", default="", help="A note to tell tokens apart.")
@click.option("--revoke", is_flag=True, help="Revoke every token of the user instead.")
@pass_state
def user_token(state: State, name: str, label: str, revoke: bool) -> None:
    """Print a new personal API token (send it as `Authorization: Bearer TOKEN`)."""
    from webapp import users  # deferred: heavy libraries stay out of `bantin --help`

    with state.catalog() as catalog:
        if revoke:
            n = users.revoke_tokens(catalog, name, by="cli")
            click.echo(f"revoked {n} tokens of {users.normalize_name(name)}")
            return
        click.echo(users.create_token(catalog, name, label, by="cli"))


_SECRET_LINE = re.compile(r"^\s*secret_key\s*=.*$", re.MULTILINE)


@click.command()
@click.option("--rotate", is_flag=True, help="Replace an existing key (logs everybody out).")
@pass_state
def secret(state: State, rotate: bool) -> None:
    """Write a new random secret key to <home>/bantin.toml (kept when one exists)."""
    config = state.config()
    path = config.home / "bantin.toml"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if _SECRET_LINE.search(text) and not rotate:
        click.echo(f"{path}: a secret key is already set (use --rotate to replace it)")
        return
    line = f'secret_key = "{secrets.token_urlsafe(48)}"'
    if _SECRET_LINE.search(text):
        text = _SECRET_LINE.sub(line, text, count=1)
    else:
        text = (text.rstrip("\n") + "\n" if text.strip() else "") + line + "\n"
    write_private(path, text)
    click.echo(f"{path}: secret key written")


def write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by the owner only, atomically (temporary name, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


