"""`bantin serve`'s processes share the connections (webapp/serving.py).

Many clients keeping their connections open (a reverse proxy's pool, a bench's 20 clients)
must be spread over the server processes: on one shared listening socket, one process could
take every connection and serve at half the machine's speed while the other stayed idle.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SERVER = """
import os, sys, time
from webapp.serving import serve_forever

def app(environ, start_response):
    time.sleep(0.02)  # a request that takes a while, as a search does
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]

serve_forever(app, "127.0.0.1", 0, threads=4, workers=2,
              announce=lambda port: print(port, flush=True))
"""


def test_keep_alive_connections_are_spread_over_the_server_processes() -> None:
    proc = subprocess.Popen([sys.executable, "-c", SERVER], cwd=REPO, stdout=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, text=True,
                            start_new_session=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        time.sleep(1.0)  # both processes listening
        conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(40)]
        for conn in conns:
            conn.connect()  # all open at once, as a pool of clients does
        served: Counter[str] = Counter()
        for _round in range(2):  # the same connection stays with its process
            pids = []
            for conn in conns:
                conn.request("GET", "/")
                response = conn.getresponse()
                assert response.status == 200
                pids.append(response.read().decode())
            served.update(pids)
            if _round == 0:
                first = pids
            else:
                assert pids == first
        assert len(served) == 2, served
        assert min(served.values()) >= 2 * 8, served  # each process holds at least 8 of 40
        for conn in conns:
            conn.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
