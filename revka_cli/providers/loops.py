"""Detect a model stuck repeating itself in a stream, cheaply, without regexes."""

from __future__ import annotations

CHECK_EVERY = 64  # characters of new text between checks
BLOCK = 48  # the probe: the newest characters, looked for earlier in the tail
TAIL = 4096
MIN_SPAN = 600  # how much repeated text it takes to call it a loop
MIN_REPEATS = 4


class LoopDetector:
    def __init__(self) -> None:
        self.tail = ""
        self.pending: list[str] = []
        self.since_check = 0

    def feed(self, text: str) -> bool:
        """Add streamed text; True once the tail is the same chunk repeating past the window."""
        self.pending.append(text)
        self.since_check += len(text)
        if self.since_check < CHECK_EVERY:
            return False
        self.tail = (self.tail + "".join(self.pending))[-TAIL:]
        self.pending.clear()
        self.since_check = 0
        return len(self.tail) >= MIN_SPAN and self._looping()

    def _looping(self) -> bool:
        tail = self.tail
        probe = tail[-BLOCK:]
        at = tail.rfind(probe, 0, len(tail) - 1)
        if at < 0:
            return False
        period = len(tail) - BLOCK - at
        if period <= 0:
            return False
        span = max(MIN_SPAN, period * MIN_REPEATS)
        if span + period > len(tail):
            return False
        return tail[-span:] == tail[-span - period:-period]
