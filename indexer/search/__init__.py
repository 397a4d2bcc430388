"""Search: the Whoosh index built from the catalog, and searching it.

Reads ``article``, ``article_topic``, ``article_ref``, ``page_text`` (through corrections)
and ``reindex_queue``; writes ``index/search/`` (generations published atomically) and
removes what it indexed from ``reindex_queue``. Start reading at :mod:`indexer.search.build`
(the index stage) and :mod:`indexer.search.engine` (a request in, a result out). Modules:
``schema`` (fields), ``tokens`` (syllables, two spellings, identifiers), ``query`` (the request
and its syntax), ``evaluate`` (matching and ranking on arrays), ``postings``, ``results``,
``highlight``, ``indexdocs`` (what is indexed), ``generations`` (atomic publication).
Only ``schema``, ``build`` and ``engine`` import Whoosh.
"""

from indexer.search.build import build_index as run

__all__ = ["run"]
