"""The ``bantin`` command line: the top of the import graph.

Nothing imports this package; it imports the web app, the review, the indexer and the archive.
Read :mod:`bantin.main` (the group and every verb, registered explicitly) and
:mod:`bantin.stages` (``BUILD_STAGES``, the order of ``bantin build``).
"""
