"""Interleaved rounds, the statistics of their samples, and one benchmark's result."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Callable


def summary(values: list[float]) -> dict:
    values = sorted(values)
    median = statistics.median(values)
    if len(values) >= 4:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    else:
        q1, q3 = values[0], values[-1]
    return {"median": median, "min": values[0], "max": values[-1], "q1": q1, "q3": q3,
            "iqr_pct": 100 * (q3 - q1) / median if median else 0.0,
            "range_pct": 100 * (values[-1] - values[0]) / median if median else 0.0,
            "n": len(values), "samples": values}


def interleaved(n: int, warmup: int, *runs: Callable) -> list[list]:
    """`warmup` unmeasured rounds, then `n` rounds of every run once, the order rotating each
    round (with two runs: alternating which goes first), so that drift on a shared machine hits
    every side alike. Returns one list of samples per run, in round order."""
    for _ in range(warmup):
        for run in reversed(runs):
            run()
    samples: list[list] = [[] for _ in runs]
    for i in range(n):
        order = list(range(len(runs)))[::-1]
        shift = i % len(runs)
        for k in order[shift:] + order[:shift]:
            samples[k].append(runs[k]())
    return samples


@dataclass
class Result:
    id: str
    title: str
    budget: float  # the highest ratio allowed
    unit: str = "s"  # s | KB
    revka: dict | None = None
    baseline: dict | None = None
    baseline_label: str = ""
    status: str = "PASS"  # PASS | FAIL | ERROR | SKIP
    note: str = ""
    pair_ratios: dict | None = None  # revka / baseline within each round
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """revka's median over the baseline's median (the figure judged against the budget)."""
        if self.revka is None or self.baseline is None or not self.baseline["median"]:
            return None
        return self.revka["median"] / self.baseline["median"]

    def measured(self, revka_values: list[float], base_values: list[float]) -> "Result":
        """Record both sides' samples (same rounds, same order) and judge the ratio."""
        self.revka, self.baseline = summary(revka_values), summary(base_values)
        pairs = [r / b for r, b in zip(revka_values, base_values) if b]
        self.pair_ratios = summary(pairs) if pairs else None
        return self.judge()

    def failed(self, note: str) -> "Result":
        self.status, self.note = "ERROR", note
        return self

    def judge(self) -> "Result":
        if self.status in ("ERROR", "SKIP"):
            return self
        self.status = "PASS" if self.ratio is not None and self.ratio <= self.budget else "FAIL"
        return self

    def as_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "unit": self.unit, "budget": self.budget,
                "ratio": self.ratio, "status": self.status, "note": self.note,
                "baseline_label": self.baseline_label, "revka": self.revka,
                "baseline": self.baseline, "pair_ratios": self.pair_ratios, **self.extra}
