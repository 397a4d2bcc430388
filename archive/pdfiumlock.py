"""One lock for every use of pdfium in a process.

Why: pdfium (through pypdfium2) is not thread-safe, and the web app renders pages from
several threads at once (requests, pages rendered ahead, IIIF tiles). Two renders at the same
moment crashed the whole process with a segmentation fault (``bantin report --check``, which
opens issue pages, exited 139). Every opening, rendering and closing of a PDF with pypdfium2
holds this lock; separate processes (the extract pool, the server's forked workers) each have
their own pdfium and their own lock.
"""

from __future__ import annotations

import threading

PDFIUM = threading.RLock()
