"""Agreement on topic labels: the machine against editors, and editors against each other.

Why: content analysts never publish machine or coder labels without an agreement figure
measured on a sample. On the audit sample (:mod:`review.audit`):

* machine vs editors: precision, recall and F1 per topic (the editor is the reference), and
  micro (pooled counts) and macro (mean of the topics' F1, over topics either side used).
  The machine's labels for an audited article are those of a model that did not learn from
  it: the topic model's cross-validated labels (``topic_model.cv``: each labelled article
  predicted by a model trained without its fold); when no model is trained yet, the keyword
  labels recorded when the editor labelled it (``topic_label.machine``);
* editors vs editors, on articles two editors both labelled: Cohen's kappa per topic (two
  coders, yes/no) and Krippendorff's alpha overall (nominal, every article × topic a unit).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from archive.catalog import Catalog
from archive.topiclabels import AuditSample, latest_labels, sample, samples


@dataclass(frozen=True)
class TopicAgreement:
    topic: str
    tp: int
    fp: int
    fn: int
    kappa: float | None = None  # between two editors, when both labelled

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else None


@dataclass(frozen=True)
class Agreement:
    sample: AuditSample | None
    articles: int  # audited articles with an editor's labels (machine vs editor)
    topics: tuple[TopicAgreement, ...]
    micro_p: float | None
    micro_r: float | None
    micro_f1: float | None
    macro_f1: float | None
    machine: str  # what the machine side is: "cv:<model version>" or "keyword"
    editors: tuple[str, ...]  # the two editors compared (empty: fewer than two)
    double: int  # articles both labelled
    alpha: float | None
    last_label: str  # date of the latest label counted


def prf(pairs: Iterable[tuple[Iterable[str], Iterable[str]]], slugs: Sequence[str]) -> list[TopicAgreement]:
    """Per topic counts over (predicted, reference) label sets."""
    counts = {t: [0, 0, 0] for t in slugs}
    for got, want in pairs:
        g, w = set(got), set(want)
        for t in slugs:
            c = counts[t]
            c[0] += t in g and t in w
            c[1] += t in g and t not in w
            c[2] += t not in g and t in w
    return [TopicAgreement(t, *c) for t, c in counts.items()]


def micro_macro(rows: Sequence[TopicAgreement]) -> tuple[float | None, float | None, float | None, float | None]:
    tp, fp, fn = (sum(getattr(r, k) for r in rows) for k in ("tp", "fp", "fn"))
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    f1s = [x.f1 for x in rows if x.f1 is not None]
    return p, r, f, (sum(f1s) / len(f1s) if f1s else None)


def cohen_kappa(a: Sequence[bool], b: Sequence[bool]) -> float | None:
    """Cohen's kappa of two coders' yes/no on the same units (None when chance agreement is
    total: both said the same single value throughout)."""
    n = len(a)
    if n == 0 or n != len(b):
        return None
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return None if pe >= 1 else (po - pe) / (1 - pe)


def krippendorff_alpha(a: Sequence[bool], b: Sequence[bool]) -> float | None:
    """Krippendorff's alpha, nominal, two coders, no missing values: 1 − (N − 1)·D / (n₀·n₁)
    with N = 2 × units, D the units they disagree on, n₀ and n₁ the pooled counts of each
    value (None when only one value occurs)."""
    units = len(a)
    if units == 0 or units != len(b):
        return None
    n1 = sum(a) + sum(b)
    n0 = 2 * units - n1
    if n0 == 0 or n1 == 0:
        return None
    d = sum(x != y for x, y in zip(a, b))
    return 1 - (2 * units - 1) * d / (n0 * n1)


def compare(machine: Mapping[str, Sequence[str]], editor: Mapping[str, Sequence[str]],
            second: Mapping[str, Sequence[str]] | None, slugs: Sequence[str]
            ) -> tuple[list[TopicAgreement], int, float | None]:
    """The pure computation: per topic P/R/F1 of ``machine`` against ``editor`` (articles both
    have), kappa per topic between ``editor`` and ``second`` on articles both labelled, and
    alpha over every article × topic; returns (rows, articles both editors labelled, alpha)."""
    ids = sorted(set(machine) & set(editor))
    rows = prf(((machine[i], editor[i]) for i in ids), slugs)
    if not second:
        return rows, 0, None
    both = sorted(set(editor) & set(second))
    out, a_all, b_all = [], [], []
    for r in rows:
        a = [r.topic in editor[i] for i in both]
        b = [r.topic in second[i] for i in both]
        a_all += a
        b_all += b
        out.append(TopicAgreement(r.topic, r.tp, r.fp, r.fn, cohen_kappa(a, b)))
    return out, len(both), krippendorff_alpha(a_all, b_all)


def agreement(catalog: Catalog, slugs: Sequence[str], sample_id: int | None = None) -> Agreement:
    """The figures for one audit sample (default: the latest), from the catalog."""
    every = samples(catalog)
    chosen = sample(catalog, sample_id) if sample_id is not None else (every[-1] if every else None)
    if chosen is None:
        return Agreement(None, 0, tuple(TopicAgreement(t, 0, 0, 0) for t in slugs), None, None,
                         None, None, "keyword", (), 0, None, "")
    given = latest_labels(catalog, sample_id=chosen.id)
    by_editor: dict[str, dict[str, tuple[str, ...]]] = {}
    recorded: dict[str, tuple[str, ...]] = {}
    first_at: dict[str, str] = {}
    for r in sorted(given, key=lambda x: x.at):
        by_editor.setdefault(r.editor, {})[r.article_id] = r.labels
        recorded.setdefault(r.article_id, r.machine)
        first_at.setdefault(r.editor, r.at)
    editors = sorted(by_editor, key=lambda e: (-len(by_editor[e]), first_at[e], e))
    reference = by_editor[editors[0]] if editors else {}
    second = by_editor[editors[1]] if len(editors) > 1 else None
    machine, kind = dict(recorded), "keyword"
    model = catalog.one("SELECT version, cv FROM topic_model WHERE id = 1")
    if model is not None:
        cv = json.loads(model["cv"])
        held = dict(zip(cv.get("ids", []), cv.get("labels", [])))
        if held and all(a in held for a in reference):
            machine, kind = {a: tuple(held[a]) for a in reference}, f"cv:{model['version']}"
    topics, double, alpha = compare(machine, reference, second, slugs)
    precision, recall, f1, macro = micro_macro(topics)
    return Agreement(chosen, len(set(machine) & set(reference)), tuple(topics), precision, recall,
                     f1, macro,
                     kind, tuple(editors[:2]) if second else (), double, alpha,
                     max((x.at for x in given), default="")[:10])


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.3f}"


def agreement_csv(a: Agreement, names: dict[str, str] | None = None) -> str:
    """One row per topic, then the micro and macro rows (UTF-8, comma separated)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["topic", "name", "tp", "fp", "fn", "precision", "recall", "f1", "kappa"])
    for t in a.topics:
        w.writerow([t.topic, (names or {}).get(t.topic, ""), t.tp, t.fp, t.fn, _num(t.precision),
                    _num(t.recall), _num(t.f1), _num(t.kappa)])
    w.writerow(["micro", "", "", "", "", _num(a.micro_p), _num(a.micro_r), _num(a.micro_f1), ""])
    w.writerow(["macro", "", "", "", "", "", "", _num(a.macro_f1), ""])
    w.writerow(["alpha", "", "", "", "", "", "", "", _num(a.alpha)])
    return out.getvalue()


def method_sentences(a: Agreement) -> list[str]:
    """The report's method paragraph on agreement (Vietnamese)."""
    if a.sample is None or not a.articles:
        return [("Chưa có mẫu kiểm tra chủ đề nào được biên tập viên gắn nhãn: các tỷ lệ chủ đề "
                 "dưới đây chưa được đối chiếu với người đọc.")]
    src = ("nhãn của mô hình kiểm định chéo (mỗi bài do một mô hình không học từ nó gắn)"
           if a.machine.startswith("cv:") else "nhãn do bộ từ khóa gắn")
    by = "thời kỳ" if a.sample.by == "period" else "ấn phẩm"
    drawn = (f"Mẫu kiểm tra số {a.sample.id}: {a.articles} bài rút ngẫu nhiên phân tầng "
             f"(theo {by}, hạt giống {a.sample.seed}, rút ngày {a.sample.drawn_at[:10]}), biên "
             f"tập viên gắn nhãn không xem nhãn của máy, nhãn cuối ngày {a.last_label}.")
    figures = (f"So với biên tập viên, {src} đạt F1 vi mô {_num(a.micro_f1)} (độ chính xác "
               f"{_num(a.micro_p)}, độ phủ {_num(a.micro_r)}) và F1 vĩ mô {_num(a.macro_f1)}.")
    out = [drawn, figures]
    if a.editors:
        out.append(f"Hai biên tập viên cùng gắn nhãn {a.double} bài: alpha Krippendorff "
                   f"{_num(a.alpha)}.")
    return out
