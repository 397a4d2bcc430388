"""Extract: every page of the catalog gets its text, words, boxes and confidence.

Reads ``page`` (and ``source_file``); writes ``page_text`` (and ``problem`` for pages that
failed), one page per transaction. A page is redone only when its source hash or its method's
settings key changed. Start reading at :mod:`indexer.extract.stage` (the process pool and the
catalog writes), then :mod:`indexer.extract.page` (one page: text layer, legacy-font repair or
Tesseract). Modules: ``textlayer`` (PDF text layer) over ``readingorder``/``columns``/
``contentstream``; ``legacy``/``lostu``/``syllable`` (TCVN3 and VNI repair); ``ocr`` (Tesseract)
with ``preprocess`` and ``ocrfix``; ``render`` (a page as an image, also for the web app).
"""

from indexer.extract.stage import run_extract as run

__all__ = ["run"]
