"""Timeouts and retry policy as plain values, plus the backoff arithmetic."""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504, 529}) | frozenset(range(500, 600))
MAX_BACKOFF_SECS = 10.0
MAX_RETRY_AFTER_SECS = 30.0  # without a deadline, the longest Retry-After wait
MIN_ATTEMPT_SECS = 0.1  # a retry is only worth its wait if at least this much time is left after it
RETRY_AFTER_HINT = "retry after that time, or raise --timeout so that revka can wait for it"


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    overall: float = 120.0
    first_token: float | None = None
    step: float | None = None
    deadline: float | None = None  # time.monotonic() by which the whole command must end

    def header_wait(self) -> float:
        """How long to wait for the response to start (nothing else can fire before it)."""
        return min(v for v in (self.first_token, self.overall) if v is not None)

    def left(self) -> float | None:
        """Seconds left before the deadline (None: no deadline)."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def capped(self, seconds: float) -> float:
        """`seconds`, shortened to what is left before the deadline."""
        left = self.left()
        return seconds if left is None else max(0.0, min(seconds, left))

    def fits(self, wait: float) -> bool:
        """Whether a retry after waiting `wait` seconds still ends before the deadline."""
        left = self.left()
        return left is None or wait + MIN_ATTEMPT_SECS <= left


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 2
    backoff_ms: int = 500

    def delay(self, attempt: int, retry_after: float | None = None,
              cap: float | None = MAX_RETRY_AFTER_SECS) -> float:
        """Seconds to wait before retry number `attempt` (1-based). A Retry-After is honoured up to
        `cap` (no cap under a deadline: there it either fits or the attempt is the last)."""
        if retry_after is not None:
            wait = max(retry_after, 0.0)
            return wait if cap is None else min(wait, cap)
        base = (self.backoff_ms / 1000.0) * (2 ** (attempt - 1))
        capped = min(base, MAX_BACKOFF_SECS)
        return capped * (0.5 + random.random() / 2)  # "equal jitter": [cap/2, cap]


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def retry_after_note(seconds: float, timeouts: Timeouts) -> tuple[str, str | None]:
    """What to add to the error for an answer that carried Retry-After: when the server asked to be
    retried and, if that is past the deadline, a hint (else None: the error's own hint stands)."""
    try:
        at = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(time.time() + seconds))
        note = f"the server asked to be retried in {seconds:g} s (at {at})"
    except (OverflowError, OSError, ValueError):  # a date past what the platform can show
        note = f"the server asked to be retried in {seconds:g} s"
    if timeouts.fits(seconds):
        return note, None
    return f"{note}, past the {timeouts.overall:g} s timeout", RETRY_AFTER_HINT
