"""Timeouts and retry policy as plain values, plus the backoff arithmetic."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504, 529}) | frozenset(range(500, 600))
MAX_BACKOFF_SECS = 10.0
MAX_RETRY_AFTER_SECS = 30.0


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    overall: float = 120.0
    first_token: float | None = None
    step: float | None = None

    def header_wait(self) -> float:
        """How long to wait for the response to start (nothing else can fire before it)."""
        return min(v for v in (self.first_token, self.overall) if v is not None)


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 2
    backoff_ms: int = 500

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), MAX_RETRY_AFTER_SECS)
        base = (self.backoff_ms / 1000.0) * (2 ** (attempt - 1))
        capped = min(base, MAX_BACKOFF_SECS)
        return capped * (0.5 + random.random() / 2)  # "equal jitter": [cap/2, cap]


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)
