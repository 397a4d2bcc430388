"""Bản tin archive: the catalog of series, issues and pages, and the ingest of scans/ into it.

The catalog (SQLite under ``<home>/index/``) is the source of truth for everything made from
the scans; the search index and caches beside it are derived and can be deleted and rebuilt.
"""

__version__ = "0.1.0"
