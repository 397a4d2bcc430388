"""The topic audit sample: a stratified random draw of articles for editors to label blind.

Why stratified: a simple random draw of 150 articles from an archive where one term holds a
third of the articles would leave the thin periods with a handful; the review quotes shares
per period and per series, so each stratum gets its share of the sample (proportional
allocation, largest remainders, at least one article per stratum that has any), drawn at
random within it. Seeded: the same seed over the same articles draws the same sample. The
desk shows the sample in a shuffled order (so editors do not label a period at a time).

Strata: ``period`` = series × Party Congress term (:func:`review.periods.period_of`);
``series`` = series alone.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence

from archive.catalog import Catalog
from archive.errors import UsageError
from archive.topiclabels import save_sample
from review.periods import period_of

BY = ("period", "series")


def stratum_of(by: str, series: str, year: int) -> str:
    return series if by == "series" else f"{series}/{period_of('term', year).key}"


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Proportional allocation of ``n`` over strata of ``sizes`` (largest remainders; every
    non-empty stratum gets at least one while ``n`` allows)."""
    total = sum(sizes.values())
    if total == 0 or n <= 0:
        return {k: 0 for k in sizes}
    n = min(n, total)
    exact = {k: n * v / total for k, v in sizes.items()}
    out = {k: int(x) for k, x in exact.items()}
    for k in sorted(sizes, key=lambda k: (out[k] > 0, -(exact[k] - out[k]), k)):
        if sum(out.values()) >= n:
            break
        if out[k] < sizes[k]:
            out[k] += 1
    return out


def draw(catalog: Catalog, *, n: int, by: str = "period", seed: int = 0,
         exclude: set[str] | None = None) -> tuple[list[tuple[str, str]], dict[str, list[int]]]:
    """(article id, stratum) pairs in desk order, and per stratum [population, drawn]."""
    rows = catalog.query("SELECT a.id, i.series, i.year FROM article a JOIN issue i"
                         " ON i.id = a.issue_id ORDER BY a.id")
    return draw_from([(r["id"], r["series"], r["year"]) for r in rows
                      if not exclude or r["id"] not in exclude], n=n, by=by, seed=seed)


def draw_from(articles: Sequence[tuple[str, str, int]], *, n: int, by: str = "period",
              seed: int = 0) -> tuple[list[tuple[str, str]], dict[str, list[int]]]:
    """The draw over (article id, series, year) triples, sorted by id first."""
    if by not in BY:
        raise UsageError(f"unknown strata {by!r}: use one of {', '.join(BY)}")
    if n < 1:
        raise UsageError("an audit sample needs at least one article (--n)")
    groups: dict[str, list[str]] = defaultdict(list)
    for article_id, series, year in sorted(articles):
        groups[stratum_of(by, series, year)].append(article_id)
    if not groups:
        raise UsageError("no articles to draw from: run `bantin build` first")
    counts = allocate({k: len(v) for k, v in groups.items()}, n)
    rng = random.Random(seed)
    chosen: list[tuple[str, str]] = []
    for key in sorted(groups):
        chosen += [(a, key) for a in rng.sample(groups[key], counts[key])]
    rng.shuffle(chosen)
    return chosen, {k: [len(groups[k]), counts[k]] for k in sorted(groups)}


def draw_sample(catalog: Catalog, *, n: int, by: str = "period", seed: int = 0,
                drawn_by: str) -> int:
    """Draw and record an audit sample; its id. Articles of earlier samples are not drawn
    again (a new sample adds labels, it does not repeat them)."""
    done = {r["article_id"] for r in catalog.query("SELECT article_id FROM audit_item")}
    items, strata = draw(catalog, n=n, by=by, seed=seed, exclude=done)
    return save_sample(catalog, n=n, by=by, seed=seed, drawn_by=drawn_by, items=items,
                       strata=strata)
