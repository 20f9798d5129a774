"""Ollama native API (/api/chat, /api/generate): NDJSON lines and non-stream bodies -> events.

CHECKLIST items 33-37 in tests/fixtures/conformance: text in `message.content` (chat) or
`response` (generate), also on the final `done: true` object; `message.thinking` / `thinking`
as reasoning; `message.tool_calls` with object arguments (serialised to JSON text), optional `id`
and `function.index`; `done_reason` with counts and nanosecond durations; `{"error": "..."}` lines
mid-stream (the status stays 200); EOF without `done: true` is a truncated stream.

Objects pretty-printed over several lines (as in Ollama's docs) are reassembled too.
"""

from __future__ import annotations

import json

from revka_cli.providers.errors_map import (
    LARGE_JSON, MAX_EVENT_BYTES, TRUNCATED, check_json_values, event_too_large, invalid_json, is_json,
    server_error, stream_error,
)
from revka_cli.providers.events import Done, Event, ReasoningDelta, TextDelta, ToolCall, Usage
from revka_cli.providers.protocols.base import batch_events, parse_each
from revka_cli.providers.protocols.json_batch import JSONRun, loads_array, loads_objects

TRUNCATED_MESSAGE = f"{TRUNCATED} (no object with \"done\": true)"
USAGE_FIELDS = ("prompt_eval_count", "eval_count", "total_duration", "load_duration",
                "prompt_eval_duration", "eval_duration")


_decode = json.JSONDecoder().decode


class OllamaStreamParser:
    """Feed each NDJSON line with `feed_line`, then call `finish()` once at EOF."""

    def __init__(self) -> None:
        self._pending: list[bytes] = []  # lines of an object pretty-printed over several lines
        self._pending_size = 0
        self._tool_count = 0
        self.done = False

    def feed_line(self, line: bytes | JSONRun) -> list[Event]:
        if self.done:  # what follows the done object is not part of the answer
            return []
        if type(line) is JSONRun:
            return self._feed_run(line)
        if self._pending:
            return self._feed_continuation(line)
        if len(line) > LARGE_JSON:
            check_json_values(line)
        try:
            obj = _decode(line.decode("utf-8", "replace"))  # invalid UTF-8 -> U+FFFD, as in SSE
        except (ValueError, RecursionError):
            if line.strip()[:1] == b"{" and _incomplete(line):
                self._pending, self._pending_size = [line], len(line)
                return []
            raise invalid_json(line) from None
        return self.feed_object(obj) if isinstance(obj, dict) else []

    def feed_lines(self, lines: list[bytes]) -> list[Event] | None:
        """Every line one read completed, parsed in one JSON call (json_batch); None when they
        cannot be (a pretty-printed object, bad JSON, invalid UTF-8): feed them one by one."""
        if self.done or self._pending or any(line[:1] != b"{" for line in lines):
            return None
        objs = loads_objects(lines)
        return None if objs is None else self._feed_objects(objs)

    def _feed_run(self, run: JSONRun) -> list[Event]:
        """A read of one-line objects only (see JSONRun): one parse, else line by line."""
        objs = None if self._pending else loads_array(run.array, run.count)
        if objs is None:
            return parse_each(self.feed_line, run.frames())
        return self._feed_objects(objs)

    def _feed_objects(self, objs: list[dict]) -> list[Event]:
        # what follows the done object is not part of the answer
        return batch_events(objs, plain_contents, self.feed_object, lambda: self.done)

    def feed_object(self, obj: dict) -> list[Event]:
        """One decoded object of the stream."""
        text = _plain_content(obj)
        if text is not None:  # the hot path
            return [TextDelta(text)] if text else []
        error = obj.get("error")
        if error:
            raise server_error(obj)
        events: list[Event] = []
        message = obj.get("message") if isinstance(obj.get("message"), dict) else {}
        for source, key, kind in ((message, "thinking", ReasoningDelta), (obj, "thinking", ReasoningDelta),
                                  (message, "content", TextDelta), (obj, "response", TextDelta)):
            text = source.get(key)
            if text and isinstance(text, str):
                events.append(kind(text))
        calls = message.get("tool_calls")
        for call in calls if isinstance(calls, list) else []:
            if isinstance(call, dict):
                events.append(self._tool_call(call))
        if obj.get("done") is True and not self.done:
            self.done = True
            events.extend(_final_events(obj, self._tool_count > 0))
        return events

    def finish(self) -> list[Event]:
        if self._pending:
            text = b"\n".join(self._pending)
            self._pending = []
            raise invalid_json(text)
        if not self.done:
            self.done = True
            raise stream_error(TRUNCATED_MESSAGE)
        return []

    def _feed_continuation(self, line: bytes) -> list[Event]:
        self._pending.append(line)
        self._pending_size += len(line)
        if self._pending_size > MAX_EVENT_BYTES:
            raise event_too_large()
        if line.strip()[:1] not in (b"}", b"]"):  # an object can only end on a closing line
            return []
        check_json_values(b"\n".join(self._pending))
        try:
            obj = _decode(b"\n".join(self._pending).decode("utf-8", "replace"))
        except (ValueError, RecursionError):
            return []
        self._pending, self._pending_size = [], 0
        return self.feed_object(obj) if isinstance(obj, dict) else []

    def _tool_call(self, call: dict) -> ToolCall:
        function = call.get("function") if isinstance(call.get("function"), dict) else {}
        index = function.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            index = self._tool_count
        self._tool_count += 1
        call_id = call.get("id") if isinstance(call.get("id"), str) and call.get("id") else None
        name = function.get("name") if isinstance(function.get("name"), str) else ""
        arguments = function.get("arguments")
        if isinstance(arguments, str):
            text = arguments if arguments.strip() else "{}"
        else:
            text = json.dumps(arguments if arguments is not None else {}, ensure_ascii=False)
        return ToolCall(index, call_id, name, text, complete=bool(name) and is_json(text))


def _plain_content(obj: dict) -> str | None:
    """The text of a chunk that is only {"model", "created_at", "message": {"role", "content"},
    "done": false}, else None."""
    texts = plain_contents((obj,))
    return None if texts is None else texts[0]


def plain_contents(objs) -> list[str] | None:
    """The texts of chunks that are each plain (see _plain_content), else None: one loop for a
    whole read."""
    texts: list[str] = []
    append = texts.append
    for obj in objs:
        message = obj.get("message")
        if type(message) is not dict or obj.get("done") is not False or len(obj) > 4 \
                or len(message) != 2:
            return None
        text = message.get("content")
        if type(text) is not str:
            return None
        append(text)
    return texts


def _incomplete(line: bytes) -> bool:
    """True when `line` is the start of a JSON object that continues on later lines."""
    text = line.decode("utf-8", "replace").rstrip()
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return error.pos >= len(text)
    except (ValueError, RecursionError):
        return False
    return False


def _final_events(obj: dict, has_tool_calls: bool) -> list[Event]:
    events: list[Event] = []
    raw = {key: obj[key] for key in USAGE_FIELDS if key in obj}
    if raw:
        prompt, completion = (_count(raw.get(key)) for key in ("prompt_eval_count", "eval_count"))
        total = prompt + completion if prompt is not None and completion is not None else None
        events.append(Usage(prompt, completion, total, raw))
    reason = obj.get("done_reason") if isinstance(obj.get("done_reason"), str) else None
    if has_tool_calls and reason in (None, "stop"):
        reason = "tool_calls"
    events.append(Done(reason or None))
    return events


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_ollama_response(body: dict) -> list[Event]:
    """A non-stream reply (`"stream": false`): one object, normally with `done: true`."""
    if not isinstance(body, dict):
        raise stream_error("the server's reply is not a JSON object")
    if body.get("error"):
        raise server_error(body, mid_stream=False)
    parser = OllamaStreamParser()
    events = parser.feed_object(body)
    if not parser.done:
        events.extend(_final_events(body, parser._tool_count > 0))
    return events
