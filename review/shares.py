"""Topic shares with a 95 % interval: sample size and measured classifier error.

A cell's share is estimated from its articles' calibrated probabilities (the topic model,
:mod:`indexer.analyze.topicmodel`): an article an editor labelled counts 0 or 1, any other counts its
probability. The estimate is their mean, less the model's calibration bias measured by
cross-validation on the editors' labels (scaled by the part of the cell the model decided,
and by the cell's predicted level against the level it was measured at);
its variance adds the labels' own uncertainty, Σ p(1 − p) / n² (it shrinks with the number
of articles), to the square of the bias and of the bias's standard error (what the audit
could not pin down). The interval is the estimate ± 1.96 standard deviations, within 0–100 %.

Without a trained model (fewer labelled articles than the model needs) there is no measured
error: the cell has no interval, and the heatmap says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Z95 = 1.959964
WIDE = 20.0  # percentage points: an interval wider than this says nothing about the cell

METHOD = ("Tỷ lệ mỗi chủ đề trong một thời kỳ được ước lượng bằng trung bình xác suất (đã hiệu "
          "chỉnh) mà mô hình gán cho từng tin, bài, bài đã được biên tập viên gắn nhãn tính theo "
          "nhãn của họ, rồi trừ đi độ lệch của mô hình đo được trên mẫu kiểm tra. "
          "Khoảng tin cậy 95 % cộng độ bất định của từng nhãn (thu hẹp khi thời kỳ có nhiều tin, "
          "bài) với sai số của mô hình đo bằng kiểm định chéo trên mẫu kiểm tra; ô có khoảng rộng "
          f"hơn {WIDE:g} điểm phần trăm được tô xám vì không đủ căn cứ để kết luận.")


@dataclass(frozen=True)
class Interval:
    """A share and its 95 % interval, in percent of the period's articles."""

    estimate: float
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low

    @property
    def wide(self) -> bool:
        return self.width > WIDE

    def text(self) -> str:
        return f"{self.estimate:.1f} % (95 %: {self.low:.1f}–{self.high:.1f} %)"


@dataclass(frozen=True)
class Calibration:
    """The model's measured error for one topic: mean (probability − editor's label) on
    held-out folds, and its standard error."""

    bias: float = 0.0
    bias_se: float = 0.0
    mean: float = 0.0  # mean held-out probability: the level the bias was measured at

    def scale(self, level: float) -> float:
        """The error is taken as proportional to the predicted share: a cell where the model
        sees the topic at half its usual level carries half its bias (at most 3 times it)."""
        return min(level / self.mean, 3.0) if self.mean > 0 else 1.0


def share_interval(values: Iterable[tuple[float, bool]], calibration: Calibration) -> Interval | None:
    """``values``: per article (probability, fixed) with fixed=True for an editor's 0/1."""
    items = list(values)
    n = len(items)
    if n == 0:
        return None
    total = sum(p for p, _f in items)
    var_labels = sum(p * (1 - p) for p, fixed in items if not fixed)
    predicted = [p for p, fixed in items if not fixed]
    machine = len(predicted) / n
    scale = calibration.scale(sum(predicted) / len(predicted)) if predicted else 0.0
    bias, bias_se = calibration.bias * scale, calibration.bias_se * scale
    estimate = total / n - machine * bias
    var = var_labels / n ** 2 + machine ** 2 * (bias ** 2 + bias_se ** 2)
    half = Z95 * math.sqrt(var)
    estimate = min(max(estimate, 0.0), 1.0)
    return Interval(100 * estimate, 100 * max(0.0, estimate - half), 100 * min(1.0, estimate + half))


def calibrations(cv: Mapping[str, object]) -> dict[str, Calibration]:
    topics = cv.get("topics", {})
    if not isinstance(topics, Mapping):
        return {}
    return {t: Calibration(float(v.get("bias", 0.0)), float(v.get("bias_se", 0.0)),
                           float(v.get("mean", 0.0)))
            for t, v in topics.items() if isinstance(v, Mapping)}
