"""`bantin serve`: waitress in one or several processes listening on one port.

Why processes: waitress runs the app in threads, and Python runs one thread at a time; a
search page costs tens of milliseconds of Python, so one process serves one core's worth of
pages however many threads it has. The parent binds the port, forks ``workers`` children that
each run waitress on a listening socket of their own in one SO_REUSEPORT group (the kernel
spreads new connections over them; see :data:`REUSE_PORT`), and waits: Ctrl+C or SIGTERM
stops them all; if one dies the others are stopped and the command fails, so a supervisor
(systemd) can restart the whole. Nothing is shared between children but the port and the
files (the catalog is SQLite in WAL mode, safe for several processes).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

WAITRESS_OPTIONS = {"ident": "bantin", "clear_untrusted_proxy_headers": True, "channel_timeout": 60,
                    "connection_limit": 200}


def bind(host: str, port: int, backlog: int = 1024, *, reuse_port: bool = False) -> socket.socket:
    """A listening socket; ``reuse_port``: one of a group on the same port (SO_REUSEPORT),
    among which the kernel spreads new connections."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port and REUSE_PORT is not None:
        sock.setsockopt(socket.SOL_SOCKET, REUSE_PORT, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    return sock


# Each server process listens on a socket of its own in one SO_REUSEPORT group, so the kernel
# spreads connections over the processes. On one shared socket, whichever process woke first
# took them: under load one process could hold every keep-alive connection (measured: 20 of
# 20, one core busy, the other idle) and serve at half the machine's speed.
REUSE_PORT: int | None = getattr(socket, "SO_REUSEPORT", None)


def _run_waitress(app: Any, sock: socket.socket, threads: int) -> None:
    import waitress

    waitress.serve(app, sockets=[sock], threads=threads, **WAITRESS_OPTIONS)


def serve_forever(app: Any, host: str, port: int, *, threads: int, workers: int,
                  announce: Callable[[int], None] = lambda port: None,
                  refresher: Callable[[], None] | None = None) -> None:
    """Serve until stopped. ``refresher``: run in a child process of its own beside the
    server processes (editors' refreshes, :func:`indexer.refresh.run_refresher`); it is
    watched like them."""
    spread = REUSE_PORT is not None and workers > 1
    sock = bind(host, port, reuse_port=spread)
    port = sock.getsockname()[1]
    announce(port)
    sys.stdout.flush()
    if workers <= 1 and refresher is None:
        signal.signal(signal.SIGTERM, _exit_quietly)  # a service manager's stop: exit 0
        _run_waitress(app, sock, threads)
        return
    children: list[int] = []
    if refresher is not None:
        pid = os.fork()
        if pid == 0:  # child: refresh until told to stop
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            sock.close()
            code = 0
            try:
                refresher()
            except BaseException:
                log.exception("refresh process %d failed", os.getpid())
                code = 1
            finally:
                os._exit(code)
        children.append(pid)
    workers = max(1, workers)
    for k in range(workers):
        pid = os.fork()
        if pid == 0:  # child: serve until told to stop
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            code = 0
            try:
                # the first child serves the socket bound above (connections that came
                # before the others listen wait there); the others bind their own
                own = sock
                if spread and k > 0:
                    own = bind(host, port, reuse_port=True)
                    sock.close()
                _run_waitress(app, own, threads)
            except BaseException:  # a child must never return into the parent's code
                log.exception("server process %d failed", os.getpid())
                code = 1
            finally:
                os._exit(code)
        children.append(pid)
    sock.close()
    _wait(children)


def _exit_quietly(signum: int, _frame: Any) -> None:
    raise SystemExit(0)


def _wait(children: list[int]) -> None:
    stopping = False

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    failed = False
    alive = set(children)
    while alive:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        alive.discard(pid)
        if not stopping:
            log.error("server process %d stopped (status %d); stopping the others", pid, status)
            failed = True
            stop(signal.SIGTERM, None)
    if failed:
        raise SystemExit(1)
