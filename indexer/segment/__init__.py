"""Segment: an issue's pages become its sections and articles.

Reads ``page_text`` (through editors' corrections, ``page_version``) and the editors'
structural edits (``issue_op``, ``article_version``); writes ``article``,
``article_machine``, ``segment_state`` and segmentation ``problem`` rows, one issue per
transaction. Start reading at :mod:`indexer.segment.stage` (which issues, and the writes),
then :mod:`indexer.segment.segmenter` (one issue: lines → roles → articles). Modules: ``lines``
(words → lines in reading order), ``headings``, ``roles``, ``running``, ``masthead``, ``toc``,
``sections`` (the section list), ``articletext``; ``edits`` and ``ops`` apply editors'
corrections of articles (fields; split, merge, undo); ``export`` is `bantin export articles`.
"""

from indexer.segment.stage import run_segment as run

__all__ = ["run"]
