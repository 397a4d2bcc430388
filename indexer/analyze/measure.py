"""Agreement of predicted and true label sets (topics, cited documents), micro-averaged."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    """Micro-averaged agreement of predicted and true label sets over many items."""

    tp: int
    fp: int
    fn: int
    items: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def micro(pairs: Iterable[tuple[Iterable[str], Iterable[str]]]) -> Measure:
    """Micro precision/recall/F1 over (predicted, truth) pairs of label sets, one per item."""
    tp = fp = fn = items = 0
    for predicted, truth in pairs:
        p, t = set(predicted), set(truth)
        tp += len(p & t)
        fp += len(p - t)
        fn += len(t - p)
        items += 1
    return Measure(tp, fp, fn, items)
