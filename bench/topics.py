"""Topics learnt from a simulated audit, and share intervals, on a sample's true article text.

    .venv/bin/python bench/topics.py --seed 7 [--seed 23 ...] [--audit 150] [--audit-seed 0]

For each seed it plans the full sample (``samplegen.content.plan_archive``: the same articles
``bantin sample --seed N`` writes to ``sample-truth/articles.jsonl``, without rendering
pages, so seconds instead of the half hour OCR takes), then measures the analysis alone, on
the true title, section, kind and text (segmentation and OCR are measured by
``bench/articles.py`` on a built home):

1. the keyword tagger: topic micro-F1, macro-F1, recall per topic;
2. a simulated audit: ``--audit`` articles drawn as ``bantin topics audit draw`` draws them
   (strata series × term, seeded), labelled from the truth; the topic model
   (:mod:`indexer.analyze.topicmodel`) trained on them; the same figures on the other articles
   (audit articles never measure the model that learnt from them) and the cross-validated
   agreement on the audit articles (what the agreement page shows);
3. shares with intervals (:mod:`review.shares`): for every series × year and series × term
   cell with at least 20 articles and every topic, whether the true share lies inside the
   95 % interval, and the mean interval width.

Targets (issue 15), on unseen seeds 7 and 23: micro-F1 >= 0.85, macro-F1 >= 0.75, no topic
under 0.6 recall; true share inside the interval in >= 90 % of cells with >= 20 articles.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from archive.vntext import nfc
from bench.machine import machine
from indexer.analyze.citations import find_citations
from indexer.analyze.register import load_register
from indexer.analyze.topicmodel import Example, fit_vectorizer, model_version, train
from indexer.analyze.topics import Item, load_topics, tag_topics
from review.agreement import compare, micro_macro
from review.audit import draw_from
from review.periods import period_of
from review.shares import calibrations, share_interval
from samplegen.content import plan_archive

MIN_CELL = 20


def truth_records(seed: int) -> list[dict]:  # type: ignore[type-arg]
    plan = plan_archive("full", seed)
    out = []
    for issue in plan.issues:
        for seq, a in enumerate(issue.articles, 1):
            out.append({"id": f"{issue.issue_id}-{seq:02d}", "series": issue.series,
                        "year": issue.year, "date": issue.date, "section": a.section,
                        "title": nfc(a.title), "kind": a.kind, "topics": list(a.topics),
                        "text": nfc("\n\n".join(a.paragraphs))})
    return out


def figures(slugs: tuple[str, ...], got: dict[str, list[str]], want: dict[str, list[str]]) -> tuple:  # type: ignore[type-arg]
    rows, _d, _a = compare(got, want, None, slugs)
    _p, _r, micro, macro = micro_macro(rows)
    return micro, macro, {r.topic: (r.tp + r.fn, r.recall) for r in rows}


def run(seed: int, audit: int, audit_seed: int) -> str:
    topic_list, register = load_topics(), load_register()
    slugs = topic_list.slugs
    started = time.monotonic()
    recs = truth_records(seed)
    planned = time.monotonic() - started
    items = {r["id"]: Item(r["title"], r["text"], r["section"], r["kind"]) for r in recs}
    truth = {r["id"]: r["topics"] for r in recs}
    started = time.monotonic()
    keyword = {}
    for r in recs:
        item = items[r["id"]]
        cites = find_citations(f"{item.title}\n\n{item.text}", register=register, when=r["date"])
        keyword[r["id"]] = tag_topics(item, topic_list, doc_ids=[c.doc_id for c in cites])
    tagged = time.monotonic() - started
    drawn, _strata = draw_from([(r["id"], r["series"], r["year"]) for r in recs], n=audit,
                               seed=audit_seed)
    audit_ids = {a for a, _s in drawn}
    rest = [r["id"] for r in recs if r["id"] not in audit_ids]
    before = figures(slugs, {i: [s.topic for s in keyword[i] if s.label] for i in rest},
                     {i: truth[i] for i in rest})
    started = time.monotonic()
    labels = {i: truth[i] for i in sorted(audit_ids)}
    examples = [Example(i, items[i], keyword[i], frozenset(truth[i])) for i in sorted(audit_ids)]
    model = train(examples, topic_list, fit_vectorizer(items.values()),
                  version=model_version(labels, topic_list))
    balanced, probs = model.scores([items[i] for i in rest], [keyword[i] for i in rest])
    predicted = {i: sorted(lab) for i, lab in zip(rest, model.labels(balanced))}
    trained = time.monotonic() - started
    after = figures(slugs, predicted, {i: truth[i] for i in rest})
    cv_labels = dict(zip([e.article_id for e in examples], model.cv["labels"]))  # type: ignore[call-overload]
    cv = figures(slugs, cv_labels, labels)
    prob = {i: dict(zip(slugs, row)) for i, row in zip(rest, probs)}
    calib = calibrations(model.cv)
    lines = [f"Machine: {machine()}",
             f"Seed {seed}: {len(recs)} true articles; plan {planned:.1f} s, keyword tagging "
             f"{tagged:.1f} s, training (with {model.cv['folds']}-fold cross-validation) and "
             f"scoring {trained:.1f} s",
             f"Simulated audit: {len(audit_ids)} articles (strata series × term, seed "
             f"{audit_seed}), labelled from the truth; measured on the other {len(rest)}",
             "", f"{'':<36} {'keyword':>8} {'learnt':>8}",
             f"{'micro-F1':<36} {before[0]:>8.3f} {after[0]:>8.3f}",
             f"{'macro-F1':<36} {before[1]:>8.3f} {after[1]:>8.3f}", "recall per topic:"]
    for t in slugs:
        n, r0 = before[2][t]
        r1 = after[2][t][1]
        lines.append(f"  {t:<34} {'–' if r0 is None else f'{r0:.3f}':>8} "
                     f"{'–' if r1 is None else f'{r1:.3f}':>8}   n={n}")
    worst = min((v[1], t) for t, v in after[2].items() if v[1] is not None)
    lines.append(f"lowest recall learnt: {worst[0]:.3f} ({worst[1]})")
    lines.append(f"Agreement on the audit articles (cross-validated, what the agreement page "
                 f"shows): micro-F1 {cv[0]:.3f}, macro-F1 {cv[1]:.3f}")
    lines.append("")
    for by in ("year", "term"):
        cells: dict[tuple[str, str], list[str]] = defaultdict(list)
        for r in recs:
            cells[(r["series"], period_of(by, r["year"]).key)].append(r["id"])
        inside = total = 0
        width = 0.0
        wide = 0
        for ids in cells.values():
            if len(ids) < MIN_CELL:
                continue
            for t in slugs:
                values = [(float(t in truth[i]), True) if i in audit_ids else (prob[i][t], False)
                          for i in ids]
                iv = share_interval(values, calib[t])
                assert iv is not None
                true = 100 * sum(t in truth[i] for i in ids) / len(ids)
                total += 1
                inside += iv.low - 1e-9 <= true <= iv.high + 1e-9
                width += iv.width
                wide += iv.wide
        big = sum(1 for ids in cells.values() if len(ids) >= MIN_CELL)
        lines.append(f"Shares by {by}: {big} series × {by} cells with >= {MIN_CELL} articles, "
                     f"{total} cell × topic intervals: true share inside {inside}/{total} = "
                     f"{inside / max(1, total):.1%}; mean width {width / max(1, total):.1f} "
                     f"points; {wide} greyed (wider than 20 points)")
    lines.append("Targets: micro-F1 >= 0.85, macro-F1 >= 0.75, every recall >= 0.6; true share "
                 "inside the interval >= 90 %")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, action="append", required=True)
    parser.add_argument("--audit", type=int, default=150)
    parser.add_argument("--audit-seed", type=int, default=0)
    args = parser.parse_args(argv)
    for seed in args.seed:
        print(run(seed, args.audit, args.audit_seed))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
