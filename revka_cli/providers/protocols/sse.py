"""Incremental Server-Sent Events decoder (WHATWG "event stream interpretation"), bytes in, events out.

Works on bytes until an event is complete: bytes are kept until a blank line, and only the text
up to the last blank line is decoded (in one go), so a multi-byte UTF-8 character split across two
reads decodes correctly (0x0A/0x0D never occur inside a UTF-8 sequence). Invalid UTF-8 becomes
U+FFFD, as the spec says. Line ends may be LF, CRLF or CR; a CR at the end of one chunk and an LF
at the start of the next are one line end.

Memory is bounded: an event (the bytes between two blank lines) longer than MAX_EVENT_BYTES
raises `event_too_large()` as soon as the buffered part passes the cap, one length comparison per
chunk. Events completed by the same chunk are returned first; the error comes on the next call.
"""

from __future__ import annotations

from dataclasses import dataclass

from revka_cli.providers.errors_map import MAX_EVENT_BYTES, event_too_large
from revka_cli.providers.protocols.json_batch import JSONRun

_BOM = b"\xef\xbb\xbf"
_CR = b"\r"
_LF = b"\n"
_BLANK = b"\n\n"
_NEXT_DATA = b"\n\ndata: "  # one event's end and the next one's single data line
_DONE_TAIL = b"\n\ndata: [DONE]"
_LARGE = 1024 * 1024  # bytes of events in one feed above which they are decoded without copies


@dataclass(slots=True)
class SSEEvent:
    """One dispatched event (treat as read-only). `event` is None when the server sent no `event:`
    field (the spec's default type "message"); `id` is the last event ID seen so far (it persists
    across events)."""

    event: str | None
    data: str
    id: str | None = None


class SSEDecoder:
    """Feed raw body bytes as they arrive; get back the events completed by them.

    Bytes are kept until a blank line ends an event; the common event, one `data:` line, takes a
    fast path with no per-line work. With `json_runs`, a read whose events are all one
    `data: {...}` line each (a long answer's stream) comes back as one JSONRun (then a final
    `[DONE]` event, if the read ends with it), not as an event each."""

    __slots__ = ("_pending", "_size", "_skip_lf", "_head", "_last_id", "retry", "_runs")

    def __init__(self, json_runs: bool = False) -> None:
        self._runs = json_runs
        self._pending: list[bytes] = []  # bytes after the last blank line (an unfinished event)
        self._size = 0  # bytes in _pending; past MAX_EVENT_BYTES the stream fails
        self._skip_lf = False  # the previous chunk ended in CR: a leading LF is part of that line end
        self._head: bytes | None = b""  # bytes seen before the BOM check is settled; None once settled
        self._last_id: str | None = None
        self.retry: int | None = None  # reconnection time in ms, if the server sent one

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        if self._head is not None:
            chunk = self._strip_bom(chunk)
        if self._skip_lf and chunk:
            self._skip_lf = False
            if chunk[:1] == _LF:
                chunk = chunk[1:]
        if _CR in chunk:
            self._skip_lf = chunk[-1:] == _CR
            chunk = chunk.replace(b"\r\n", _LF).replace(_CR, _LF)
        pending = self._pending
        if self._size > MAX_EVENT_BYTES:
            raise event_too_large()
        if not chunk:
            return []
        if _BLANK not in chunk and not (chunk[:1] == _LF and pending and pending[-1][-1:] == _LF):
            self._size += len(chunk)
            if self._size > MAX_EVENT_BYTES:
                raise event_too_large()
            pending.append(chunk)  # no event ends here: keep the bytes, no copying
            return []
        if pending:
            pending.append(chunk)
            chunk = b"".join(pending)
            pending.clear()
        cut = chunk.rfind(_BLANK)
        self._size = len(chunk) - cut - 2  # the unfinished event after the last blank line
        if self._size:
            pending.append(chunk[cut + 2:])
        if len(chunk) > MAX_EVENT_BYTES and longest_run(chunk[:cut], _BLANK) > MAX_EVENT_BYTES:
            raise event_too_large()
        if cut > _LARGE:
            return self._large(chunk, cut)
        region = chunk[:cut]
        if self._runs and region[:7] == b"data: {":
            run = self._json_run(region)
            if run is not None:
                return run
        # everything before the last blank line ends on a line boundary: decode it in one go
        return self._blocks(region.decode("utf-8", "replace").split("\n\n"))

    def _json_run(self, region: bytes) -> list | None:
        """[JSONRun] (and a [DONE] event after it) when every event of `region` is a single
        `data: {...}` line, else None. The run's array is the payloads joined by commas: each
        replaced separator shrinks the text by 7 bytes, which counts the events."""
        tail = []
        if region.endswith(_DONE_TAIL):
            region, tail = region[:-len(_DONE_TAIL)], [SSEEvent(None, "[DONE]", self._last_id)]
        joined = region[6:].replace(_NEXT_DATA, b",")
        count = (len(region) - 6 - len(joined)) // 7 + 1
        if _LF in joined or region.count(b"\n\ndata: {") != count - 1:
            return None  # a field, a comment, a multi-line event, or a payload that is not {...}

        def frames() -> list[SSEEvent]:
            return self._blocks(region.decode("utf-8", "replace").split("\n\n"))

        return [JSONRun(b"[" + joined + b"]", count, frames), *tail]

    def _large(self, chunk: bytes, cut: int) -> list[SSEEvent]:
        """`_blocks` for a large event, decoded in place (no copy of the bytes or the text)."""
        view = memoryview(chunk)[:cut]
        if chunk.startswith(b"data: ") and chunk.find(_LF, 0, cut) < 0:  # one "data: ..." line
            return [SSEEvent(None, str(view[6:], "utf-8", "replace"), self._last_id)]
        return self._blocks(str(view, "utf-8", "replace").split("\n\n"))

    def flush(self) -> list[SSEEvent]:
        """End of stream: finish a last line without its line end, and dispatch a pending event
        that lacks its blank line (lenient: the spec would drop it, real servers need it kept)."""
        if self._size > MAX_EVENT_BYTES:
            raise event_too_large()
        tail = b"".join(self._pending) if self._head is None else self._head
        tail = tail[:-1] if tail[-1:] == _LF else tail  # its last line end, not a blank line
        self._pending.clear()
        self._size = 0
        self._head = None
        self._skip_lf = False
        return self._blocks([tail.decode("utf-8", "replace")]) if tail else []

    def _strip_bom(self, chunk: bytes) -> bytes:
        head = self._head + chunk  # type: ignore[operator]
        if len(head) < len(_BOM) and _BOM.startswith(head):
            self._head = head
            return b""
        self._head = None
        return head[len(_BOM):] if head.startswith(_BOM) else head

    def _blocks(self, blocks: list[str]) -> list[SSEEvent]:
        """Each block is the text between two blank lines: zero or more lines, then dispatch."""
        events: list[SSEEvent] = []
        for block in blocks:
            if block.startswith("data: ") and "\n" not in block:  # fast path: one "data: ..." line
                events.append(SSEEvent(None, block[6:], self._last_id))
            elif block:
                event = self._event_from_lines(block.split("\n"))
                if event is not None:
                    events.append(event)
        return events

    def _event_from_lines(self, lines: list[str]) -> SSEEvent | None:
        data: list[str] = []
        name: str | None = None
        for line in lines:
            if not line:  # only at a block's start (no data yet: reset) or end (dispatch)
                if data:
                    break
                name = None
            elif line.startswith("data:"):
                data.append(line[6:] if line[5:6] == " " else line[5:])
            elif line[0] != ":":  # not a comment
                field, colon, value = line.partition(":")
                if colon and value[:1] == " ":
                    value = value[1:]
                name = self._field(field, value, data, name)
        return SSEEvent(name, "\n".join(data), self._last_id) if data else None

    def _field(self, field: str, value: str, data: list[str], name: str | None) -> str | None:
        """Apply one non-data field; returns the event name so far. Unknown fields (including
        " data", from a line that starts with a space) are ignored."""
        if field == "data":  # "data" with no colon at all: an empty data line
            data.append(value)
        elif field == "event":
            return value or None
        elif field == "id":
            if "\0" not in value:
                self._last_id = value
        elif field == "retry":
            if value.isascii() and value.isdigit():
                self.retry = int(value)
        return name


def longest_run(data: bytes, separator: bytes) -> int:
    """The length of the longest run of `data` between separators (only for oversized chunks)."""
    longest = start = 0
    while (end := data.find(separator, start)) >= 0:
        longest, start = max(longest, end - start), end + len(separator)
    return max(longest, len(data) - start)
