"""``bantin worker``: reads pages for a coordinator on another machine, through a Redis queue.

The worker needs the scans (a shared folder, at the same path or mapped with
``queue_path_map``) and Tesseract with the coordinator's language packs; it never opens the
catalog. It refuses to take work when it would read pages differently (see
:mod:`indexer.extract.queue`).
"""

from __future__ import annotations

import os

import click

from archive.errors import ConfigError
from bantin.common import State, pass_state


@click.command()
@click.option("--queue", "queue", metavar="URL", default=None,
              help="The coordinator's Redis (redis://HOST:PORT/DB; setting `queue`).")
@click.option("-c", "--concurrency", type=click.IntRange(min=1), default=None,
              help="Pages read at once (default: one per CPU core).")
@click.option("--path-map", "path_map", metavar="THEIRS=OURS", default=None,
              help="Where this machine sees the coordinator's files, e.g. "
                   "'/srv/bantin=/mnt/bantin' (setting `queue_path_map`).")
@click.option("--wait", type=click.FloatRange(min=0), default=600.0, show_default=True,
              help="Seconds to wait for a coordinator to start a run.")
@click.option("--name", default=None, help="This worker's name in `bantin status` "
                                           "(default: bantin-PID@HOST).")
@pass_state
def worker(state: State, queue: str | None, concurrency: int | None, path_map: str | None,
           wait: float, name: str | None) -> None:
    """Read pages sent by `bantin extract --queue` on another machine, until stopped."""
    config = state.config(queue=queue, queue_path_map=path_map)
    if not config.queue:
        raise ConfigError("bantin worker needs the queue: --queue redis://HOST:PORT/DB "
                          "(or the setting `queue` / BANTIN_QUEUE)")
    from indexer.extract.queue import run_worker  # deferred: celery and redis, only for workers

    run_worker(config, concurrency=concurrency or os.cpu_count() or 1, wait=wait, hostname=name)
