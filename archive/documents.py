"""Word-file issues (``.doc .docx .rtf .odt``): where their derived PDF lives, and the seam
through which ingest learns their pages without importing the reader (a higher layer).

A Word issue's pages are the pages of a PDF printed from its decoded text (see
``indexer/extract/documentpdf.py``), kept under ``index/cache/documents/`` (derived, deletable: it
is printed again when missing), never in ``scans/``. The issue's ``sha256`` is the hash of
the original file combined with the reader's key, so a new reader version redoes its pages;
``source_file`` keeps the hash of the original itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

DOCUMENT_KIND = "document"
DOCUMENT_EXTENSIONS = (".doc", ".docx", ".rtf", ".odt")


class DocumentPages(Protocol):
    """What ingest needs from the Word reader (``indexer.extract.documentpdf.DocumentPrinter``)."""

    @property
    def key(self) -> str:
        """Changes whenever the derived pages of the same file may change."""
        ...

    def pages(self, source: Path, rel: str, issue_sha: str
              ) -> tuple[list[tuple[int, int, float, float, float]], list[str]]:
        """(width_px, height_px, dpi, width_pt, height_pt) per page, and warnings
        ("holds macros, not run"); BadInput naming ``rel`` when the file cannot be read."""
        ...


def document_sha(file_sha: str, key: str) -> str:
    """The issue identity of a Word file: its own hash and the reader's key."""
    return hashlib.sha256(f"{file_sha}:{key}".encode()).hexdigest()


def derived_pdf_path(cache_dir: Path, issue_sha: str) -> Path:
    """``index/cache/documents/<sha[:2]>/<sha>.pdf`` (hex only: no request reaches it)."""
    if not issue_sha or not all(c in "0123456789abcdef" for c in issue_sha):
        raise ValueError(f"bad document identity {issue_sha!r}")
    return cache_dir / "documents" / issue_sha[:2] / f"{issue_sha}.pdf"
