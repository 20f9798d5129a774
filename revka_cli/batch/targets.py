"""The endpoints a batch runs on, and how items are spread over them.

A target is one (provider, model) with its own ChatSession. Each item goes to the live target with
the fewest requests outstanding. A target whose last OUT_AFTER items all failed with an endpoint
error (config, auth, not found, connect or timeout, rate limit or server error: exit codes 3-7)
leaves the rotation for the rest of the run, and the item is tried on another target.
"""

from __future__ import annotations

import threading

from revka_cli.errors import UsageError

OUT_AFTER = 5
ENDPOINT_EXIT_CODES = frozenset({3, 4, 5, 6, 7})


def is_endpoint_failure(exc) -> bool:
    return getattr(exc, "exit_code", None) in ENDPOINT_EXIT_CODES


class Target:
    def __init__(self, session) -> None:
        from revka_cli.redact import display_provider

        self.session = session
        sel = session.selection
        self.name = f"{display_provider(sel.provider)}/{sel.model}"
        self.outstanding = self.streak = 0
        self.ok = self.failed = 0
        self.out = False

    def as_dict(self) -> dict:
        return {"endpoint": self.name, "ok": self.ok, "failed": self.failed,
                "out_of_rotation": self.out}


class TargetPool:
    def __init__(self, targets: list[Target], out_after: int = OUT_AFTER) -> None:
        self.targets, self.out_after = targets, out_after
        self._lock = threading.Lock()

    def acquire(self, exclude=()) -> Target | None:
        """The live target (not in `exclude`) with the fewest outstanding requests, or None."""
        with self._lock:
            live = [t for t in self.targets if not t.out and t not in exclude]
            if not live:
                return None
            best = min(live, key=lambda t: t.outstanding)
            best.outstanding += 1
            return best

    def release(self, target: Target, error=None) -> None:
        with self._lock:
            target.outstanding -= 1
            if error is None:
                target.streak, target.ok = 0, target.ok + 1
                return
            target.failed += 1
            if is_endpoint_failure(error):
                target.streak += 1
                if target.streak >= self.out_after:
                    target.out = True

    def has_untried(self, tried) -> bool:
        with self._lock:
            return any(not t.out and t not in tried for t in self.targets)

    def all_out(self) -> bool:
        with self._lock:
            return all(t.out for t in self.targets)

    def live(self) -> int:
        with self._lock:
            return sum(not t.out for t in self.targets)


def target_pairs(providers: list[str], models: list[str]) -> list[tuple[str | None, str | None]]:
    """(provider flag, model flag) per target from repeatable -p and -m."""
    if not providers and not models:
        return [(None, None)]
    if not providers:
        return [(None, m) for m in models]
    if not models:
        return [(p, None) for p in providers]
    if len(models) == 1:
        return [(p, models[0]) for p in providers]
    if len(providers) == 1:
        return [(providers[0], m) for m in models]
    if len(providers) == len(models):
        return list(zip(providers, models))
    raise UsageError(f"{len(providers)} --provider and {len(models)} --model flags do not pair up",
                     "give one model for every provider, one of either, or -m provider/model "
                     "for each")


class SessionCache:
    """Sessions for items that name their own provider or model (no -p/-m on the command line)."""

    LIMIT = 64

    def __init__(self, make) -> None:
        self.make, self._lock = make, threading.Lock()
        self.pools: dict[tuple, TargetPool] = {}

    def pool_for(self, provider: str | None, model: str | None) -> TargetPool:
        key = (provider, model)
        with self._lock:
            pool = self.pools.get(key)
            if pool is None:
                if len(self.pools) >= self.LIMIT:
                    raise UsageError(f"the input names more than {self.LIMIT} provider/model "
                                     "pairs", "split the input by model")
                pool = self.pools[key] = TargetPool([Target(self.make(provider, model))])
            return pool
