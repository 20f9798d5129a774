"""`--wait SECONDS`: probe again, with backoff, every provider still loading or not answering,
until all are settled or the deadline passes. A settled provider (ready, degraded, a refused key,
a missing model, a broken config) is not probed again. Every round ends by the deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from revka_cli.doctor.readiness import is_pending, state_of
from revka_cli.doctor.results import ProviderReport

FIRST_DELAY = 0.25  # seconds before the first re-probe
BACKOFF = 1.6
MAX_DELAY = 4.0
MIN_ROUND = 0.05  # a round with less time than this left is not started


@dataclass
class WaitStatus:
    """Progress after a round, for stderr."""

    elapsed: float
    limit: float
    pending: list[tuple[str, str, str]]  # (provider, state, detail)

    def line(self) -> str:
        shown = "; ".join(f"{name} {state}" + (f" ({detail})" if detail else "")
                          for name, state, detail in self.pending)
        return f"doctor: waiting {self.elapsed:.1f} s of {self.limit:g} s for {shown}"


@dataclass
class WaitResult:
    reports: list[ProviderReport]
    polls: int  # probe rounds, the first included
    waited: float  # seconds spent in the wait


def _status(reports, pending: list[int], started: float, limit: float) -> WaitStatus:
    rows = []
    for i in pending:
        headline = reports[i].headline
        rows.append((reports[i].provider, state_of(reports[i]),
                     headline.detail if headline else ""))
    return WaitStatus(time.monotonic() - started, limit, rows)


def wait_until_ready(reports: list[ProviderReport],
                     reprobe: Callable[[list[int], float], list[ProviderReport]], *,
                     limit: float, timeout: float, progress=None,
                     sleep: Callable[[float], None] = time.sleep) -> WaitResult:
    """`reprobe(indexes, round_timeout)` probes those providers again and returns their reports.
    `reports` is the first round's; the wait lasts at most `limit` seconds from now."""
    started = time.monotonic()
    deadline, delay, polls = started + limit, FIRST_DELAY, 1
    reports = list(reports)
    while True:
        pending = [i for i, report in enumerate(reports) if is_pending(report)]
        if not pending or deadline - time.monotonic() <= MIN_ROUND:
            break
        if progress is not None:
            progress(_status(reports, pending, started, limit))
        sleep(max(0.0, min(delay, deadline - time.monotonic() - MIN_ROUND)))
        left = deadline - time.monotonic()
        if left <= MIN_ROUND:
            break
        for i, fresh in zip(pending, reprobe(pending, min(timeout, left))):
            reports[i] = fresh
        polls += 1
        delay = min(delay * BACKOFF, MAX_DELAY)
    return WaitResult(reports, polls, time.monotonic() - started)
