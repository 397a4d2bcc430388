"""Evidence collections: order, notes, shareable slugs, persistence across reopen."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.catalog import Catalog
from archive.collections import (
    add_item,
    create_collection,
    get_collection,
    move_item,
    remove_item,
    set_note,
)
from archive.errors import UsageError


def test_collection_keeps_order_notes_and_survives_reopen(home: Path) -> None:
    path = home / "index/catalog.sqlite"
    with Catalog(path) as c:
        col = create_collection(c, "Minh chứng: xây dựng Đảng", owner="bientap")
        assert col.slug.startswith("minh-chung-xay-dung-dang-")
        a = add_item(c, col.id, "article", "ttshcb-2012-07-p3-ab12", title="Bài A", added_by="bientap")
        b = add_item(c, col.id, "article", "ttshcb-2013-01-p2-cd34", title="Bài B", added_by="bientap")
        s = add_item(c, col.id, "search", "q=nghi+quyet+21&series=tbnb", title="Tìm", added_by="bientap")
        set_note(c, b.id, "Ví dụ tiêu biểu")
        move_item(c, s.id, 1)
        with pytest.raises(UsageError, match="đã có trong bộ sưu tập"):
            add_item(c, col.id, "article", a.ref, added_by="x")
        remove_item(c, a.id)
    with Catalog(path) as c:
        again = get_collection(c, col.slug)
        assert again is not None
        assert [(i.kind, i.ref, i.note) for i in again.items] == [
            ("search", "q=nghi+quyet+21&series=tbnb", ""),
            ("article", "ttshcb-2013-01-p2-cd34", "Ví dụ tiêu biểu")]
