"""Anthropic Messages: stream events (already SSE-decoded) and non-stream bodies -> events.

CHECKLIST items 26-32 in tests/fixtures/conformance: content blocks addressed by index (text,
thinking, tool_use; every other block and delta type is skipped), `ping` anywhere, tool input
accumulated until `content_block_stop` ("" -> "{}"), a tool_use block cut by max_tokens reported
incomplete, cumulative usage, `stop_reason` normalised, `event: error` raised (overloaded, rate
limit and api errors are retryable: exit 7).
"""

from __future__ import annotations

import json

from revka_cli.providers.errors_map import (
    MAX_ANSWER_CHARS, TRUNCATED, answer_too_long, check_json_values, invalid_json, is_json,
    server_error, stream_error,
)
from revka_cli.providers.events import Done, Event, ReasoningDelta, TextDelta, ToolCall, Usage
from revka_cli.providers.protocols.sse import SSEEvent

TRUNCATED_MESSAGE = f"{TRUNCATED} (no stop_reason, no message_stop)"
STOP_REASONS = {
    "end_turn": "stop", "max_tokens": "length", "tool_use": "tool_calls", "stop_sequence": "stop_sequence",
    "refusal": "refusal", "model_context_window_exceeded": "length",
}


class _Block:
    __slots__ = ("type", "id", "name", "parts", "initial_input", "signature", "tool_number", "stopped")

    def __init__(self, block: dict, tool_number: int) -> None:
        self.type = block.get("type")
        self.id = block.get("id") if isinstance(block.get("id"), str) else None
        self.name = block.get("name") if isinstance(block.get("name"), str) else ""
        self.parts: list[str] = []
        self.initial_input = block.get("input")
        self.signature = ""  # kept so that a thinking block can be replayed
        self.tool_number = tool_number
        self.stopped = False

    def tool_call(self, complete: bool) -> ToolCall:
        arguments = "".join(self.parts)
        if not arguments.strip():
            initial = self.initial_input
            arguments = json.dumps(initial, ensure_ascii=False) if isinstance(initial, dict) and initial else "{}"
        return ToolCall(self.tool_number, self.id, self.name, arguments, complete and is_json(arguments))


class AnthropicStreamParser:
    """Feed each SSE event with `feed_event`, then call `finish()` once at EOF."""

    def __init__(self) -> None:
        self._blocks: dict[int, _Block] = {}
        self._tool_count = 0
        self._held = 0  # characters of tool input and signatures kept so far
        self._usage: dict = {}
        self._stop_reason: str | None = None
        self._stop_sequence: str | None = None
        self._finished = False
        self.message_id: str | None = None
        self.signatures: dict[int, str] = {}  # thinking block index -> signature

    def feed_event(self, event: SSEEvent) -> list[Event]:
        if self._finished:
            return []
        stripped = event.data.strip()
        if not stripped:
            return []
        check_json_values(stripped)
        try:
            data = json.loads(stripped)  # tolerates the padding spaces the API puts after the JSON
        except (ValueError, RecursionError):
            if event.event == "error":
                raise server_error(stripped, self._incomplete_tools()) from None
            raise invalid_json(stripped, self._incomplete_tools()) from None
        if not isinstance(data, dict):
            return []
        kind = data.get("type") if isinstance(data.get("type"), str) else event.event
        handler = _HANDLERS.get(kind or "")
        return handler(self, data) if handler else []  # ping and unknown event types: nothing

    def finish(self) -> list[Event]:
        """EOF: fine without message_stop once a stop_reason was seen; truncated otherwise."""
        if self._finished:
            return []
        if self._stop_reason is None:
            self._finished = True
            raise stream_error(TRUNCATED_MESSAGE, events=self._incomplete_tools())
        return self._message_stop({})

    def _message_start(self, data: dict) -> list[Event]:
        message = data.get("message") if isinstance(data.get("message"), dict) else {}
        if isinstance(message.get("id"), str):
            self.message_id = message["id"]
        return self._merge_usage(message.get("usage"))

    def _block_start(self, data: dict) -> list[Event]:
        index, block = _int(data.get("index")), data.get("content_block")
        block = block if isinstance(block, dict) else {}
        state = self._blocks[index] = _Block(block, self._tool_count)
        if state.type == "tool_use":
            self._tool_count += 1
        elif state.type == "text" and isinstance(block.get("text"), str) and block["text"]:
            return [TextDelta(block["text"])]
        elif state.type == "thinking" and isinstance(block.get("thinking"), str) and block["thinking"]:
            return [ReasoningDelta(block["thinking"])]
        return []

    def _block_delta(self, data: dict) -> list[Event]:
        delta = data.get("delta") if isinstance(data.get("delta"), dict) else {}
        kind, block = delta.get("type"), self._blocks.get(_int(data.get("index")))
        if kind == "text_delta" and isinstance(delta.get("text"), str) and delta["text"]:
            return [TextDelta(delta["text"])]
        if kind == "thinking_delta" and isinstance(delta.get("thinking"), str) and delta["thinking"]:
            return [ReasoningDelta(delta["thinking"])]
        if block is None:
            return []
        if kind == "input_json_delta" and isinstance(delta.get("partial_json"), str):
            self._hold(delta["partial_json"])
            block.parts.append(delta["partial_json"])
        elif kind == "signature_delta" and isinstance(delta.get("signature"), str):
            self._hold(delta["signature"])
            block.signature += delta["signature"]
            self.signatures[_int(data.get("index"))] = block.signature
        return []  # citations_delta, compaction_delta and future types: skipped

    def _hold(self, text: str) -> None:
        """Count text kept until a block stops (tool input, signatures): bounded like an answer."""
        self._held += len(text)
        if self._held > MAX_ANSWER_CHARS:
            raise answer_too_long()

    def _block_stop(self, data: dict) -> list[Event]:
        block = self._blocks.get(_int(data.get("index")))
        if block is None or block.stopped:
            return []
        block.stopped = True
        return [block.tool_call(complete=True)] if block.type == "tool_use" else []

    def _message_delta(self, data: dict) -> list[Event]:
        delta = data.get("delta") if isinstance(data.get("delta"), dict) else {}
        if isinstance(delta.get("stop_reason"), str):
            self._stop_reason = delta["stop_reason"]
        if isinstance(delta.get("stop_sequence"), str):
            self._stop_sequence = delta["stop_sequence"]
        return self._merge_usage(data.get("usage"))

    def _message_stop(self, data: dict) -> list[Event]:
        self._finished = True
        events = self._incomplete_tools()
        events.append(Done(normalise_stop(self._stop_reason), stop_sequence=self._stop_sequence))
        return events

    def _error(self, data: dict) -> list[Event]:
        raise server_error(data, self._incomplete_tools())

    def _merge_usage(self, usage: object) -> list[Event]:
        """message_delta usage is cumulative: later values replace earlier ones, never added."""
        if not isinstance(usage, dict):
            return []
        self._usage.update(usage)
        return [usage_from(self._usage)]

    def _incomplete_tools(self) -> list[Event]:
        """tool_use blocks that never got content_block_stop: reported, never runnable."""
        events: list[Event] = []
        for _, block in sorted(self._blocks.items()):
            if block.type == "tool_use" and not block.stopped:
                block.stopped = True
                events.append(block.tool_call(complete=False))
        return events


_HANDLERS = {
    "message_start": AnthropicStreamParser._message_start,
    "content_block_start": AnthropicStreamParser._block_start,
    "content_block_delta": AnthropicStreamParser._block_delta,
    "content_block_stop": AnthropicStreamParser._block_stop,
    "message_delta": AnthropicStreamParser._message_delta,
    "message_stop": AnthropicStreamParser._message_stop,
    "error": AnthropicStreamParser._error,
}


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def normalise_stop(reason: str | None) -> str | None:
    """Anthropic stop_reason -> revka's words (stop, length, tool_calls, ...); unknown kept."""
    return STOP_REASONS.get(reason, reason) if reason else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def usage_from(usage: dict) -> Usage:
    """The prompt count is every prompt token, as in the other protocols: Anthropic's
    `input_tokens` leaves out cache reads and writes, so they are added (the parts stay in `raw`)."""
    prompt, completion = _count(usage.get("input_tokens")), usage.get("output_tokens")
    if prompt is not None:
        prompt += sum(_count(usage.get(k)) or 0
                      for k in ("cache_read_input_tokens", "cache_creation_input_tokens"))
    completion = completion if isinstance(completion, int) and not isinstance(completion, bool) else None
    total = prompt + completion if prompt is not None and completion is not None else None
    return Usage(prompt, completion, total, dict(usage))


def parse_anthropic_response(body: dict) -> list[Event]:
    """A non-stream Messages body: text, thinking and tool_use blocks, usage, Done."""
    if not isinstance(body, dict):
        raise stream_error("the server's reply is not a JSON object")
    if body.get("type") == "error" or body.get("error"):
        raise server_error(body, mid_stream=False)
    events: list[Event] = []
    content = body.get("content")
    tool_number = 0
    for block in content if isinstance(content, list) else []:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str) and block["text"]:
            events.append(TextDelta(block["text"]))
        elif kind == "thinking" and isinstance(block.get("thinking"), str) and block["thinking"]:
            events.append(ReasoningDelta(block["thinking"]))
        elif kind == "tool_use":
            events.append(_Block(block, tool_number).tool_call(complete=True))
            tool_number += 1
    if isinstance(body.get("usage"), dict):
        events.append(usage_from(body["usage"]))
    stop_sequence = body.get("stop_sequence") if isinstance(body.get("stop_sequence"), str) else None
    reason = body.get("stop_reason") if isinstance(body.get("stop_reason"), str) else None
    events.append(Done(normalise_stop(reason), stop_sequence=stop_sequence))
    return events
