"""A set of custom_ids in 8 bytes each: 64-bit hashes kept in sorted arrays.

A batch input may have a million lines; a Python set of their ids would cost ~100 bytes each.
Hashes are collected in runs of RUN_SIZE, each run sorted once, and the runs merged into one
sorted `array('Q')`, which `bisect` searches. Two different ids with the same 64-bit hash are
vanishingly rare; a caller that must be exact (duplicate detection) confirms a hit by a second
pass over the few ids whose hashes collided.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
from hashlib import blake2b

RUN_SIZE = 65536


def id_hash(custom_id: str) -> int:
    return int.from_bytes(blake2b(custom_id.encode("utf-8", "surrogatepass"),
                                  digest_size=8).digest(), "little")


class IdIndex:
    def __init__(self) -> None:
        self._runs: list[array] = []
        self._pending: list[int] = []
        self._sorted: array | None = array("Q")

    def add(self, custom_id: str) -> None:
        self._pending.append(id_hash(custom_id))
        if len(self._pending) >= RUN_SIZE:
            self._close_run()
        self._sorted = None

    def _close_run(self) -> None:
        if self._pending:
            self._runs.append(array("Q", sorted(self._pending)))
            self._pending = []

    def _merged(self) -> array:
        if self._sorted is None:
            self._close_run()
            merged = array("Q", heapq.merge(*self._runs)) if len(self._runs) > 1 else (
                self._runs[0] if self._runs else array("Q"))
            self._runs = [merged] if len(merged) else []
            self._sorted = merged
        return self._sorted

    def __len__(self) -> int:
        return len(self._merged())

    def __contains__(self, custom_id: str) -> bool:
        hashes, h = self._merged(), id_hash(custom_id)
        i = bisect_left(hashes, h)
        return i < len(hashes) and hashes[i] == h

    def repeated_hashes(self) -> set[int]:
        """The hashes added more than once (duplicates, or in theory a collision)."""
        hashes, out = self._merged(), set()
        for i in range(1, len(hashes)):
            if hashes[i] == hashes[i - 1]:
                out.add(hashes[i])
        return out
