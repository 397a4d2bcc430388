"""`bantin index` and `bantin search`."""

from __future__ import annotations

import json
from typing import Any

import click

from archive.catalog import Catalog
from bantin.common import State, finish, pass_state
from bantin.stages import stage_index


@click.command("index")
@click.option("--rebuild", is_flag=True, help="Build the search index from scratch.")
@click.option("--check", is_flag=True,
              help="Only verify the current index (every file against its checksum); exit 4 if damaged.")
@pass_state
def index(state: State, rebuild: bool, check: bool) -> None:
    """Bring the search index in line with the catalog (only what changed, unless --rebuild).
    A damaged index is rebuilt."""
    config = state.config()
    if check:
        from indexer.search.engine import check_index  # deferred: Whoosh

        current, files = check_index(config)
        click.echo(f"index: sound ({current.name}, {files} files match their checksums)")
        return
    with state.catalog(config) as catalog:
        finish([stage_index(catalog, config, force=rebuild)])


@click.command("search")
@click.argument("query", nargs=-1)
@click.option("--series", default="", help="Only this series (e.g. ttshcb, tbnb).")
@click.option("--from", "year_from", type=int, default=None, help="From this year (inclusive).")
@click.option("--to", "year_to", type=int, default=None, help="To this year (inclusive).")
@click.option("--month", type=int, default=None, help="Only issues of this month (1-12).")
@click.option("--section", default="", help="Only this section (chuyên mục); diacritics optional.")
@click.option("--kind", default="", help="Only this kind: tin, bai, hoi-dap, van-ban, khac.")
@click.option("--topic", default="", help="Only articles labelled with this topic slug.")
@click.option("--ref", default="", help="Only articles citing this document, e.g. 21-NQ/TW.")
@click.option("--min-conf", type=float, default=None, help="Lowest mean OCR confidence (0-100).")
@click.option("--pages", "pages", is_flag=True, help="Search pages instead of articles.")
@click.option("--sort", type=click.Choice(["relevance", "date", "-date"]), default="relevance",
              show_default=True)
@click.option("--fuzzy", is_flag=True, help="Also near spellings of single words (OCR errors).")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="Hits to show.")
@click.option("--page", type=click.IntRange(min=1), default=1, help="Page of hits (of --limit).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (see README).")
@pass_state
def search_command(state: State, query: tuple[str, ...], series: str, year_from: int | None,
                   year_to: int | None, month: int | None, section: str, kind: str, topic: str,
                   ref: str, min_conf: float | None, pages: bool, sort: str, fuzzy: bool,
                   limit: int, page: int, as_json: bool) -> None:
    """Search the archive: words (diacritics optional), "phrases", AND/OR/NOT, identifiers
    (21-NQ/TW, NQ21) and documents by name (nghi quyet 21, nghị quyết trung ương 4 khóa XII)."""
    from indexer.search.engine import (  # deferred: heavy libraries stay out of `bantin --help`
        SearchRequest,
        search,
    )

    config = state.config()
    request = SearchRequest(q=" ".join(query), series=series, year_from=year_from, year_to=year_to,
                            month=month, section=section, kind=kind, topic=topic, ref=ref,
                            min_conf=min_conf, target="pages" if pages else "articles", sort=sort,
                            page=page, per_page=limit, fuzzy=fuzzy)
    catalog = Catalog(config.catalog_path, readonly=True) if config.catalog_path.exists() else None
    try:
        result = search(config, request, catalog)
    finally:
        if catalog is not None:
            catalog.close()
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(_text(result))


def _text(result: Any) -> str:
    from indexer.search.highlight import snippet_text  # deferred: heavy libraries stay out of `bantin --help`

    r = result.request
    more = f", thêm {result.possible} có thể" if result.possible else ""
    fuzzy = " (tìm gần đúng)" if r.fuzzy else ""
    lines = [f"{result.total} kết quả{more}{fuzzy}  (query_key {result.query_key}, "
             f"index {result.index_version})"]
    first = (r.page - 1) * r.per_page
    for n, hit in enumerate(result.hits, first + 1):
        pages = (f"tr. {hit.pages[0]}" if len(hit.pages) == 1
                 else f"tr. {hit.pages[0]}–{hit.pages[-1]}")
        where = f"{hit.series} số {hit.number}/{hit.year} ({hit.date}), {pages}"
        section = f" · {hit.section}" if hit.section else ""
        maybe = "(có thể) " if hit.possible else ""
        lines.append(f"{n:3}. [{hit.kind}] {maybe}{hit.title}{section}")
        lines.append(f"     {where} · {hit.url} · {hit.score:.2f}")
        if hit.snippet:
            lines.append(f"     {snippet_text(hit.snippet)}")
    for name, counts in result.facets.items():
        if counts:
            shown = ", ".join(f"{k} {v}" for k, v in list(counts.items())[:8])
            more = " …" if len(counts) > 8 else ""
            lines.append(f"  {name}: {shown}{more}")
    return "\n".join(lines)


