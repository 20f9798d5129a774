"""Incremental NDJSON line splitter (Ollama's native API): bytes in, complete non-blank lines out.

Lines are cut on LF with `bytes.split`; surrounding whitespace (including a CR before the LF) is
stripped and blank lines are dropped. Decoding is left to `json.loads`, which accepts UTF-8 bytes,
so a multi-byte character split across two reads is never seen half-way.
"""

from __future__ import annotations

_LF = b"\n"


class NDJSONDecoder:
    """Feed raw body bytes as they arrive; get back each complete, non-blank line (as bytes)."""

    __slots__ = ("_pending",)

    def __init__(self) -> None:
        self._pending: list[bytes] = []  # pieces of the current, unterminated line

    def feed(self, chunk: bytes) -> list[bytes]:
        if _LF not in chunk:
            if chunk:
                self._pending.append(chunk)
            return []
        if self._pending:
            self._pending.append(chunk)
            chunk = b"".join(self._pending)
            self._pending.clear()
        lines = chunk.split(_LF)
        rest = lines.pop()
        if rest:
            self._pending.append(rest)
        return [stripped for line in lines if (stripped := line.strip())]

    def flush(self) -> list[bytes]:
        """End of stream: the last line may lack its LF (a final object still counts)."""
        if not self._pending:
            return []
        line = b"".join(self._pending).strip()
        self._pending.clear()
        return [line] if line else []
