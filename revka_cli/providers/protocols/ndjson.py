"""Incremental NDJSON line splitter (Ollama's native API): bytes in, complete non-blank lines out.

Lines are cut on LF with `bytes.split`; surrounding whitespace (including a CR before the LF) is
stripped and blank lines are dropped. Decoding is left to `json.loads`, which accepts UTF-8 bytes,
so a multi-byte character split across two reads is never seen half-way.

Memory is bounded as in `sse`: a line longer than MAX_EVENT_BYTES raises `event_too_large()` once
the buffered part passes the cap (lines completed by the same chunk are returned first).
"""

from __future__ import annotations

from revka_cli.providers.errors_map import MAX_EVENT_BYTES, event_too_large
from revka_cli.providers.protocols.json_batch import JSONRun
from revka_cli.providers.protocols.sse import longest_run

_LF = b"\n"


class NDJSONDecoder:
    """Feed raw body bytes as they arrive; get back each complete, non-blank line (as bytes).
    With `json_runs`, a read whose lines are all `{...}` objects (a long answer's stream) comes
    back as one JSONRun, not as a line each."""

    __slots__ = ("_pending", "_size", "_runs")

    def __init__(self, json_runs: bool = False) -> None:
        self._runs = json_runs
        self._pending: list[bytes] = []  # pieces of the current, unterminated line
        self._size = 0  # bytes in _pending

    def feed(self, chunk: bytes) -> list[bytes]:
        if self._size > MAX_EVENT_BYTES:
            raise event_too_large()
        if _LF not in chunk:
            if chunk:
                self._size += len(chunk)
                if self._size > MAX_EVENT_BYTES:
                    raise event_too_large()
                self._pending.append(chunk)
            return []
        if self._pending:
            self._pending.append(chunk)
            chunk = b"".join(self._pending)
            self._pending.clear()
        if len(chunk) > MAX_EVENT_BYTES and longest_run(chunk[:chunk.rfind(_LF)], _LF) > MAX_EVENT_BYTES:
            raise event_too_large()
        end = chunk.rfind(_LF)
        rest, region = chunk[end + 1:], chunk[:end]
        self._size = len(rest)
        if rest:
            self._pending.append(rest)
        if self._runs and region[:1] == b"{":
            count = region.count(_LF) + 1
            if region.count(b"\n{") == count - 1:  # no blank line, every line starts an object
                return [JSONRun(b"[" + region.replace(_LF, b",") + b"]", count,
                                lambda: _lines(region))]
        return _lines(region)

    def flush(self) -> list[bytes]:
        """End of stream: the last line may lack its LF (a final object still counts)."""
        if self._size > MAX_EVENT_BYTES:
            raise event_too_large()
        if not self._pending:
            return []
        line = b"".join(self._pending).strip()
        self._pending.clear()
        self._size = 0
        return [line] if line else []


def _lines(region: bytes) -> list[bytes]:
    """The non-blank lines of `region`, stripped."""
    return [stripped for line in region.split(_LF) if (stripped := line.strip())]
