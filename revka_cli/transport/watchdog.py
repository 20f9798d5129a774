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
    """The deadlines of one request. Every armed watchdog is watched by one shared thread (the
    `_Hub`), so that arming one costs no thread start: a batch arms thousands."""

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
        self.stopped = False
        _HUB.arm(self)

    def chunk(self) -> None:
        self.last_chunk = time.monotonic()

    def token(self) -> None:
        self.got_token = True

    def limit_for(self, name: str) -> float | None:
        return {OVERALL: self.overall, FIRST_TOKEN: self.first_token, STEP: self.step}[name]

    def next_deadline(self) -> tuple[float, str]:
        """The earliest deadline still ahead. It only ever moves later (chunks and the first
        token push it back), so waking at the earliest one computed is never late."""
        deadlines = [(self.end, OVERALL)]
        if self.first_token is not None and not self.got_token:
            deadlines.append((self.start + self.first_token, FIRST_TOKEN))
        if self.step is not None:
            deadlines.append((self.last_chunk + self.step, STEP))
        return min(deadlines)

    def fire(self, name: str) -> None:
        self.fired = name
        self.on_fire()

    def stop(self) -> None:
        self.stopped = True
        _HUB.disarm(self)


class _Hub:
    """One daemon thread that fires the watchdogs whose deadline has passed."""

    def __init__(self) -> None:
        self._armed: set[Watchdog] = set()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._wakes_at: float | None = None  # when the thread will look next (None: not planned)

    def arm(self, dog: Watchdog) -> None:
        with self._wake:
            self._armed.add(dog)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="revka-watchdog",
                                                daemon=True)
                self._thread.start()
            if self._wakes_at is None or dog.next_deadline()[0] < self._wakes_at:
                self._wake.notify()  # else the thread looks soon enough: no wake-up per request

    def disarm(self, dog: Watchdog) -> None:
        with self._wake:
            self._armed.discard(dog)

    def _due(self) -> tuple[list[tuple[Watchdog, str]], float | None]:
        now, due, soonest = time.monotonic(), [], None
        for dog in list(self._armed):
            when, name = dog.next_deadline()
            if when <= now:
                self._armed.discard(dog)
                due.append((dog, name))
            elif soonest is None or when < soonest:
                soonest = when
        return due, soonest

    def _run(self) -> None:
        while True:
            with self._wake:
                due, soonest = self._due()
                if not due:
                    self._wakes_at = soonest
                    wait = None if soonest is None else soonest - time.monotonic()
                    self._wake.wait(wait if wait is None or wait > 0 else 0)
                    self._wakes_at = None
                    continue
            for dog, name in due:  # outside the lock: on_fire may take a moment
                if not dog.stopped:
                    try:
                        dog.fire(name)
                    except Exception:  # noqa: BLE001 - one failing callback must not stop the rest
                        pass


_HUB = _Hub()
