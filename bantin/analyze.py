"""``bantin analyze`` and ``bantin topics check|suggest``: the analysis verbs."""

from __future__ import annotations

import json
from typing import Any

import click

from archive.errors import UsageError
from archive.permalinks import article_path
from bantin.common import State, finish, pass_state
from bantin.stages import stage_analyze


@click.command("analyze")
@click.option("--force", is_flag=True, help="Analyse every article again, even those that are current.")
@pass_state
def analyze(state: State, force: bool) -> None:
    """Tag topics and find cited documents in every article that changed."""
    config = state.config()
    with state.catalog(config) as catalog:
        finish([stage_analyze(catalog, config, force=force)])


@click.group("topics")
def topics() -> None:
    """The topic list: check it after editing, or see topics it may lack."""


@topics.command("check")
@click.option("--file", "path", type=click.Path(dir_okay=False), default=None,
              help="Topic list to check (default: the one in force).")
@pass_state
def check(state: State, path: str | None) -> None:
    """Validate topics.toml (and documents.toml) and print the topics."""
    from indexer.analyze.register import (  # deferred: heavy libraries stay out of `bantin --help`
        load_register,
        register_path,
    )
    from indexer.analyze.topicfile import load_topics, topics_path  # deferred: as above

    home = state.config().home
    topic_list = load_topics(path or topics_path(home))
    register = load_register(register_path(home))
    click.echo(f"{topic_list.path}: phiên bản {topic_list.version} ({topic_list.key}), "
               f"{len(topic_list.topics)} chủ đề")
    for t in topic_list.topics:
        extras = []
        if t.sections:
            extras.append(f"{len(t.sections)} chuyên mục")
        if t.documents:
            extras.append(f"{len(t.documents)} văn bản")
        if t.kinds:
            extras.append(f"{len(t.kinds)} thể loại")
        more = f", {', '.join(extras)}" if extras else ""
        click.echo(f"  {t.slug:<34} {t.name}  ({len(t.terms)} từ khóa{more})")
    click.echo(f"{register.path}: {len(register)} văn bản")
    unknown = sorted({d for t in topic_list.topics for d, _w in t.documents
                      if register.lookup(d) is None})
    if unknown:
        click.echo("  chú ý: văn bản gợi ý chủ đề chưa có trong sổ đăng ký: " + ", ".join(unknown))


@topics.command("suggest")
@click.option("--k", "k", type=click.IntRange(min=2, max=60), default=12, show_default=True,
              help="Number of themes to propose.")
@click.option("--terms", "top_terms", type=click.IntRange(min=3, max=50), default=12,
              show_default=True, help="Top terms shown per theme.")
@click.option("--examples", type=click.IntRange(min=0, max=20), default=3, show_default=True,
              help="Example articles per theme.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def suggest(state: State, k: int, top_terms: int, examples: int, seed: int, as_json: bool) -> None:
    """Propose themes from the articles (NMF) and mark which curated topic each resembles."""
    from indexer.analyze.stage import read_articles  # deferred: heavy libraries stay out of `bantin --help`
    from indexer.analyze.suggest import (  # deferred: heavy libraries stay out of `bantin --help`
        format_suggestions,
        suggest_topics,
    )
    from indexer.analyze.topicfile import load_topics, topics_path  # deferred: as above

    config = state.config()
    topic_list = load_topics(topics_path(config.home))
    if not config.catalog_path.exists():
        raise UsageError(f"no catalog at {config.catalog_path}; run `bantin build` first")
    from review.periods import period_of  # deferred: keeps `bantin --help` quick

    with state.catalog(config) as catalog:
        read = list(read_articles(catalog))
    corpus = [(a.id, a.title, a.text) for a in read]
    periods = [f"{a.series} {period_of('term', a.year).label}" for a in read]
    if not corpus:
        raise UsageError("the catalog holds no articles yet; run `bantin build` (or "
                         "`bantin segment`) first")
    suggestions = suggest_topics(corpus, topic_list, k=k, top_terms=top_terms,
                                 examples=examples, seed=seed, periods=periods)
    if as_json:
        click.echo(json.dumps({
            "topics_version": topic_list.key, "articles": len(corpus),
            "suggestions": [{
                "number": s.number, "resembles": s.resembles, "overlap": s.overlap,
                "label": s.label, "label_share": s.label_share, "articles": s.articles,
                "terms": [{"term": t, "weight": w} for t, w in s.terms],
                "new_terms": list(s.new_terms),
                "examples": [{"id": i, "title": title, "weight": w, "url": article_path(i)}
                             for i, title, w in s.examples],
                "by_period": [{"period": p, "articles": n, "examples": [
                    {"id": i, "title": title, "weight": w, "url": article_path(i)}
                    for i, title, w in ex]} for p, n, ex in s.by_period],
            } for s in suggestions]}, ensure_ascii=False, indent=2))
    else:
        click.echo(f"{len(corpus)} bài, {len(suggestions)} chủ đề gợi ý "
                   f"(danh mục {topic_list.key})\n")
        click.echo(format_suggestions(suggestions, topic_list), nl=False)


@topics.group("audit")
def audit() -> None:
    """The audit sample: draw articles for editors to label blind, see progress, export agreement."""


@audit.command("draw")
@click.option("--n", "n", type=click.IntRange(min=1), required=True, help="Articles to draw.")
@click.option("--by", type=click.Choice(["period", "series"]), default="period", show_default=True,
              help="Strata: series × Party Congress term, or series alone.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--editor", default="", help="Who draws it (recorded; default: the system user).")
@pass_state
def audit_draw(state: State, n: int, by: str, seed: int, editor: str) -> None:
    """Draw a stratified random sample of articles (seeded) and record it in the catalog."""
    import getpass

    from archive.topiclabels import sample, sample_items  # deferred: keeps `bantin --help` quick
    from review.audit import draw_sample  # deferred: keeps `bantin --help` quick

    config = state.config()
    with state.catalog(config) as catalog:
        sample_id = draw_sample(catalog, n=n, by=by, seed=seed,
                                drawn_by=editor or getpass.getuser())
        drawn = sample(catalog, sample_id)
        items = sample_items(catalog, sample_id)
    assert drawn is not None
    click.echo(f"mẫu kiểm tra số {sample_id}: {len(items)} bài, theo "
               f"{'thời kỳ' if by == 'period' else 'ấn phẩm'}, hạt giống {seed}")
    for stratum, (population, count) in drawn.strata.items():
        click.echo(f"  {stratum:<16} {count:>4} / {population} bài")


@audit.command("status")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def audit_status(state: State, as_json: bool) -> None:
    """Each sample: size, who labelled how many, and the agreement figures."""
    from archive.topiclabels import progress, sample_items, samples  # deferred: keeps `bantin --help` quick
    from indexer.analyze.topicfile import load_topics, topics_path  # deferred: keeps `bantin --help` quick
    from review.agreement import agreement, method_sentences  # deferred: keeps `bantin --help` quick

    config = state.config()
    slugs = load_topics(topics_path(config.home)).slugs
    out: list[dict[str, Any]] = []
    with state.catalog(config) as catalog:
        for s in samples(catalog):
            a = agreement(catalog, slugs, s.id)
            out.append({"sample": s.id, "articles": len(sample_items(catalog, s.id)), "by": s.by,
                        "seed": s.seed, "drawn_at": s.drawn_at, "labelled": progress(catalog, s.id),
                        "micro_f1": a.micro_f1, "macro_f1": a.macro_f1, "alpha": a.alpha,
                        "machine": a.machine, "method": method_sentences(a)})
    if as_json:
        click.echo(json.dumps({"samples": out}, ensure_ascii=False, indent=2))
        return
    if not out:
        click.echo("chưa có mẫu kiểm tra nào: `bantin topics audit draw --n 150`")
    for o in out:
        done = ", ".join(f"{k} {v}" for k, v in o["labelled"].items()) or "chưa ai gắn nhãn"
        click.echo(f"mẫu {o['sample']}: {o['articles']} bài ({done})")
        for line in o["method"]:
            click.echo(f"  {line}")


@audit.command("export")
@click.option("--sample", "sample_id", type=int, default=None, help="Sample id (default: latest).")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="CSV file (default: standard output).")
@pass_state
def audit_export(state: State, sample_id: int | None, out: str | None) -> None:
    """Agreement per topic, micro and macro, kappa and alpha, as CSV."""
    from indexer.analyze.topicfile import load_topics, topics_path  # deferred: keeps `bantin --help` quick
    from review.agreement import agreement, agreement_csv  # deferred: keeps `bantin --help` quick

    config = state.config()
    topic_list = load_topics(topics_path(config.home))
    with state.catalog(config) as catalog:
        text = agreement_csv(agreement(catalog, topic_list.slugs, sample_id),
                             {t.slug: t.name for t in topic_list.topics})
    if out:
        with open(out, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    else:
        click.echo(text, nl=False)


commands = [analyze, topics]
