"""Analyze: every article gets its topic labels and the documents it cites.

Reads ``article``; writes ``article_topic``, ``article_ref`` and ``analyze_state`` (what each
analysis was made from), redoing only articles whose text, the topic list or the register
changed. Start reading at :mod:`indexer.analyze.stage`, then ``topics`` (tagging with the
editors' list, read by ``topicfile``) and ``citations`` (identifiers by ``docid``, checked
against the ``register``). ``suggest`` proposes themes the list lacks; ``measure`` scores
label sets against a truth.
"""

from __future__ import annotations

from archive.catalog import Catalog
from archive.config import Config
from indexer.analyze.stage import AnalyzeReport, run_analyze


def run(catalog: Catalog, config: Config, *, force: bool = False) -> AnalyzeReport:
    """The analyze stage for the home of ``config`` (its topic list and register win)."""
    return run_analyze(catalog, config.home, force=force)


__all__ = ["run"]
