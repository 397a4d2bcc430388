"""Bản tin indexer: every stage after ingest, one module per stage.

extract (dispatch) → textlayer / legacy / ocr → segment → topics, citations → index, search.
Only ``indexer.search.schema``, ``indexer.search.build`` and ``indexer.search.engine`` import whoosh.
"""
