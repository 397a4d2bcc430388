"""Bản tin indexer: every stage after ingest, one module per stage.

extract (dispatch) → textlayer / legacy / ocr → segment → topics, citations → index, search.
Only ``indexer.schema``, ``indexer.build`` and ``indexer.search`` import whoosh.
"""
