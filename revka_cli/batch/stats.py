"""Counters for progress and the summary, in bounded memory.

Latencies are kept in a uniform reservoir of RESERVOIR items (Algorithm R): p50/p95 are exact up to
that many answered items and a uniform sample's percentiles beyond.
"""

from __future__ import annotations

import random
import threading
import time

RESERVOIR = 10_000


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    rank = max(0, min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[rank]


class BatchStats:
    def __init__(self, total: int, skipped: int) -> None:
        self.total, self.skipped = total, skipped  # items in the input; answered on an earlier run
        self.ok = self.failed = self.in_flight = 0
        self.tokens_in = self.tokens_out = 0
        self.errors: dict[str, int] = {}  # error class -> items
        self.started = time.monotonic()
        self.finished: float | None = None
        self._latencies: list[float] = []
        self._seen = 0
        self._rng = random.Random(15)
        self._lock = threading.Lock()

    def begin(self) -> None:
        with self._lock:
            self.in_flight += 1

    def end(self, *, latency: float | None = None, usage=None, error=None) -> None:
        with self._lock:
            self.in_flight -= 1
            if error is not None:
                self.failed += 1
                name = type(error).__name__
                self.errors[name] = self.errors.get(name, 0) + 1
                return
            self.ok += 1
            if usage is not None:
                self.tokens_in += usage.prompt_tokens or 0
                self.tokens_out += usage.completion_tokens or 0
            if latency is not None:
                self._keep(latency)

    def end_unwritten(self) -> None:
        """An item that finished after the journal closed (Ctrl-C): it stays to be run."""
        with self._lock:
            self.in_flight -= 1

    def _keep(self, latency: float) -> None:
        self._seen += 1
        if len(self._latencies) < RESERVOIR:
            self._latencies.append(latency)
            return
        slot = self._rng.randrange(self._seen)
        if slot < RESERVOIR:
            self._latencies[slot] = latency

    def wall(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def pending(self) -> int:
        return self.total - self.skipped - self.ok - self.failed

    def snapshot(self) -> dict:
        with self._lock:
            wall = self.wall()
            return {"done": self.ok, "failed": self.failed, "in_flight": self.in_flight,
                    "todo": self.total - self.skipped, "wall_s": wall,
                    "rate": (self.ok + self.failed) / wall if wall > 0 else 0.0,
                    "tokens_per_s": self.tokens_out / wall if wall > 0 else 0.0}

    def summary(self, targets, *, interrupted: bool, stopped: str | None) -> dict:
        with self._lock:
            lat = sorted(self._latencies)
            wall = self.wall()
            return {
                "items": self.total, "ok": self.ok, "failed": self.failed,
                "skipped": self.skipped, "not_run": self.pending,
                "interrupted": interrupted, "stopped": stopped,
                "wall_s": round(wall, 3),
                "input_tokens": self.tokens_in, "output_tokens": self.tokens_out,
                "tokens_per_s": round(self.tokens_out / wall, 1) if wall > 0 else None,
                "items_per_s": round((self.ok + self.failed) / wall, 2) if wall > 0 else None,
                "latency_p50_s": _round(percentile(lat, 0.5)),
                "latency_p95_s": _round(percentile(lat, 0.95)),
                "errors": dict(self.errors),
                "endpoints": [t.as_dict() for t in targets],
            }


def _round(value):
    return None if value is None else round(value, 4)
