"""A per-request watchdog that enforces first-token, idle-between-chunks and overall deadlines.

The reading thread calls `chunk()` for every chunk and `token()` on the first real token; both are a
single attribute store. When a deadline passes, the watchdog records which one fired and calls
`on_fire` (which shuts the socket down so the blocked read returns at once).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

FIRST_TOKEN = "first-token timeout"
STEP = "idle timeout between chunks"
OVERALL = "overall timeout"


class Watchdog:
    def __init__(self, overall: float, first_token: float | None, step: float | None,
                 on_fire: Callable[[], None], start: float | None = None,
                 deadline: float | None = None) -> None:
        """`overall` counts from `start`; `deadline` (a time.monotonic() value: the end of the whole
        command) may end it sooner. Either way the overall limit reported is `overall`."""
        self.start = time.monotonic() if start is None else start
        self.overall, self.first_token, self.step = overall, first_token, step
        self.end = self.start + overall if deadline is None else min(self.start + overall, deadline)
        self.on_fire = on_fire
        self.last_chunk = self.start
        self.got_token = False
        self.fired: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="revka-watchdog", daemon=True)
        self._thread.start()

    def chunk(self) -> None:
        self.last_chunk = time.monotonic()

    def token(self) -> None:
        self.got_token = True

    def limit_for(self, name: str) -> float | None:
        return {OVERALL: self.overall, FIRST_TOKEN: self.first_token, STEP: self.step}[name]

    def _next_deadline(self) -> tuple[float, str]:
        deadlines = [(self.end, OVERALL)]
        if self.first_token is not None and not self.got_token:
            deadlines.append((self.start + self.first_token, FIRST_TOKEN))
        if self.step is not None:
            deadlines.append((self.last_chunk + self.step, STEP))
        return min(deadlines)

    def _run(self) -> None:
        while not self._stop.is_set():
            when, name = self._next_deadline()
            wait = when - time.monotonic()
            if wait <= 0:
                self.fired = name
                try:
                    self.on_fire()
                finally:
                    return
            self._stop.wait(min(wait, 0.5) if wait > 0.05 else wait)

    def stop(self) -> None:
        self._stop.set()
