"""Repeated searches are answered from memory only while nothing they were made from changed
(issue 18): a commit to the catalog by any connection, or a new index generation, makes the
next search compute its result again, so a total or a snippet is never stale."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from archive.catalog import Catalog
from archive.editorial import correct_page, effective_page
from indexer.search.build import build_index
from indexer.search.engine import search
from indexer.search.query import SearchRequest
from indexer.search.recent import Recent, catalog_version
from tests.search_fixtures import Art, Iss, config_for, fill

ISSUE = Iss("ttshcb", 2001, "05", 5, articles=[
    Art("Kinh tế hợp tác", ["Kinh tế hợp tác xã phát triển. Hợp tác xã kiểu mới ở nông thôn."]),
    Art("Xây dựng Đảng", ["Chi bộ họp định kỳ, sinh hoạt chi bộ có nền nếp."], page=2)])


def _home(tmp_path: Path) -> tuple[Path, Catalog]:
    (tmp_path / "index").mkdir()
    catalog = Catalog(tmp_path / "index" / "catalog.sqlite")
    fill(catalog, [ISSUE])
    build_index(catalog, config_for(tmp_path))
    return tmp_path, catalog


def test_a_repeated_search_is_the_kept_result_with_its_own_time(tmp_path: Path) -> None:
    home, catalog = _home(tmp_path)
    config = config_for(home)
    request = SearchRequest(q="hop tac xa", target="pages")
    first = search(config, request, catalog)
    again = search(config, SearchRequest(q="hop tac xa", target="pages"), catalog)
    assert first.total == 1 and again.total == 1
    assert again.hits is first.hits  # kept, not made again
    other = search(config, SearchRequest(q="hop tac xa", target="pages", page=2), catalog)
    assert other.hits is not first.hits and other.hits == ()
    catalog.close()


def test_a_correction_committed_by_another_connection_shows_at_once(tmp_path: Path) -> None:
    """The web app's refresh process and an editor's request commit on connections of their
    own: the reader's next search must see the corrected page, not the kept result."""
    home, catalog = _home(tmp_path)
    config = config_for(home)
    request = SearchRequest(q="hop tac xa", target="pages")
    first = search(config, request, catalog)
    marks_before = len(first.hits[0].marks[1])
    assert search(config, request, catalog).hits is first.hits
    with Catalog(home / "index" / "catalog.sqlite") as editor:
        page_id = f"{ISSUE.id}/1"
        text = effective_page(editor, page_id).text.replace("Hợp tác xã kiểu mới", "Mô hình kiểu mới")
        correct_page(editor, page_id, text, author="bientap", base_version=0)
    after = search(config, request, catalog)
    assert after.hits is not first.hits
    assert len(after.hits[0].marks[1]) == marks_before - 3
    assert "Mô hình kiểu mới" in after.hits[0].snippet or "Mô hình" in " ".join(after.hits[0].snippets)
    catalog.close()


def test_a_new_index_generation_is_searched_not_the_kept_result(tmp_path: Path) -> None:
    home, catalog = _home(tmp_path)
    config = config_for(home)
    request = SearchRequest(q="chi bo")
    assert search(config, request, catalog).total == 1
    more = Iss("tbnb", 2006, "02", 2, articles=[Art("Sinh hoạt chi bộ", ["Chi bộ thôn họp."])])
    fill(catalog, [more])
    build_index(catalog, config)
    assert search(config, request, catalog).total == 2
    catalog.close()


def test_a_reindexed_correction_changes_the_totals_through_kept_segment_postings(tmp_path: Path) -> None:
    """Postings are kept per index segment; a reindex adds a segment and masks the old
    document: the totals must follow (the word gone from one page, found on the other)."""
    from indexer.refresh import refresh

    home, catalog = _home(tmp_path)
    config = config_for(home)
    gone = SearchRequest(q="hop tac xa", target="pages")
    came = SearchRequest(q="mo hinh", target="pages")
    assert search(config, gone, catalog).total == 1 and search(config, came, catalog).total == 0
    page_id = f"{ISSUE.id}/1"
    text = effective_page(catalog, page_id).text.replace("Hợp tác xã", "Mô hình").replace("hợp tác xã", "mô hình")
    correct_page(catalog, page_id, text, author="bientap", base_version=0)
    refresh(catalog, config, pages=[page_id])
    assert search(config, gone, catalog).total == 0
    assert search(config, came, catalog).total == 1
    catalog.close()


def test_catalog_version_moves_on_every_commit_of_any_connection(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with Catalog(path) as one:
        start = catalog_version(path)
        assert start is not None and catalog_version(path) == start
        with one.transaction() as db:
            db.execute("CREATE TABLE t (x)")
        second = catalog_version(path)
        assert second != start
        with Catalog(path) as two, two.transaction() as db:
            db.execute("INSERT INTO t VALUES (1)")
        assert catalog_version(path) not in (start, second)
    assert catalog_version(tmp_path / "missing" / "c.sqlite") is None
    before = catalog_version(path)
    copy = tmp_path / "restored.sqlite"
    shutil.copyfile(path, copy)
    os.replace(copy, path)  # a restore puts another file in its place, with the same history
    after = catalog_version(path)
    assert after is not None and after != before


def test_a_few_catalogs_are_watched_at_once(tmp_path: Path) -> None:
    from indexer.search import recent

    for k in range(recent.WATCHES_KEPT + 4):
        with Catalog(tmp_path / f"c{k}.sqlite"):
            assert catalog_version(tmp_path / f"c{k}.sqlite") is not None
    assert len(recent._watches) <= recent.WATCHES_KEPT


def test_recent_keeps_the_most_recently_used() -> None:
    kept: Recent[int] = Recent(2)
    assert kept.get("a", lambda: 1) == 1 and kept.get("b", lambda: 2) == 2
    assert kept.get("a", lambda: 99) == 1  # a is now the most recent
    kept.put("c", 3)  # b goes
    assert kept.peek("b") is None and kept.peek("a") == 1 and kept.peek("c") == 3
    assert len(kept) == 2


def test_recent_weighs_its_values() -> None:
    kept: Recent[list[int]] = Recent(10, len)
    kept.put("small", [1, 2])
    kept.put("large", list(range(7)))
    assert kept.peek("large") and kept.peek("small")  # 9 of 10; small is now the most recent
    kept.put("more", [1, 2, 3])  # 12: the least recently used (large) goes
    assert kept.peek("large") is None and kept.peek("small") == [1, 2] and kept.peek("more")
    kept.put("small", list(range(10)))  # replaced: its old weight is given back, "more" goes
    assert kept.peek("small") == list(range(10)) and kept.peek("more") is None and len(kept) == 1
