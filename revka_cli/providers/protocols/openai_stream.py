"""OpenAI Chat Completions: stream chunks (already SSE-decoded) and non-stream bodies -> events.

Covers the server variants in tests/fixtures/conformance (CHECKLIST items 1-25): role-only and
null-content chunks, refusals, `reasoning_content` / `reasoning`, tool-call fragments merged by
index (resent calls merged, absent/null arguments -> "{}"), finish_reason never erased by a later
null, usage on a `choices: []` chunk or on a chunk with a choice (plus llama.cpp `timings`),
n>1 choices, and errors mid-stream in all three shapes.
"""

from __future__ import annotations

import json

from revka_cli.providers.errors_map import (
    LARGE_JSON, TRUNCATED, check_json_values, invalid_json, server_error, stream_error,
)
from revka_cli.providers.events import Done, Event, ReasoningDelta, TextDelta, Usage
from revka_cli.providers.protocols.base import batch_events, parse_each
from revka_cli.providers.protocols.json_batch import JSONRun, loads_array, loads_objects
from revka_cli.providers.protocols.openai_tools import ToolAccumulator, emit_tools, merge_fragment
from revka_cli.providers.protocols.sse import SSEEvent

TRUNCATED_MESSAGE = f"{TRUNCATED} (no finish_reason, no [DONE])"
_raw_decode = json.JSONDecoder().raw_decode
_FINISH_WORDS = {"eos": "stop", "eos_token": "stop", "end_turn": "stop", "function_call": "tool_calls"}


class _Choice:
    __slots__ = ("finish_reason", "finished", "tools")

    def __init__(self) -> None:
        self.finish_reason: str | None = None
        self.finished = False
        self.tools: dict[int, ToolAccumulator] = {}


class OpenAIStreamParser:
    """Feed each SSE event with `feed_event`, then call `finish()` once at EOF.

    Raises StreamError (exit 1) for invalid JSON, a truncated stream or a server error event, and
    its subclass RetryableStreamError (exit 7) when that error says overload, a rate limit or a
    server fault; events produced before the failure ride on the error's `events`."""

    def __init__(self) -> None:
        self._choices: dict[int, _Choice] = {}
        self._done_marker = False

    def feed_event(self, event: SSEEvent | JSONRun) -> list[Event]:
        if self._done_marker:
            return []
        if type(event) is JSONRun:
            return self._feed_run(event)
        data = event.data
        if event.event == "error":
            raise server_error(_error_payload(data), self._incomplete_tools())
        if data[:1] != "{":  # not a chunk: [DONE], blank keep-alive, or something to report
            data = data.strip()
            if not data:
                return []
            if data == "[DONE]":
                self._done_marker = True
                return self._finish_all()
        if len(data) > LARGE_JSON:
            check_json_values(data)
        try:
            obj, end = _raw_decode(data)  # json.loads minus its wrappers: this is the hot path
            if end != len(data) and not data[end:].isspace():
                raise ValueError("extra data")
        except (ValueError, RecursionError):
            raise invalid_json(data, self._incomplete_tools()) from None
        return self.feed_chunk(obj) if isinstance(obj, dict) else []

    def feed_events(self, events: list[SSEEvent]) -> list[Event] | None:
        """Every event one read completed, when all are `data: {...}` chunks: parsed in one JSON
        call (json_batch). None when they are not, or do not parse: feed them one by one."""
        if self._done_marker:
            return None
        datas = [e.data for e in events
                 if type(e) is SSEEvent and e.event is None and e.data[:1] == "{"]
        if len(datas) != len(events):
            return None
        objs = loads_objects(datas)
        return None if objs is None else self._feed_objects(objs)

    def _feed_run(self, run: JSONRun) -> list[Event]:
        """A read of `data: {...}` events only (see JSONRun): one parse, else one by one."""
        objs = loads_array(run.array, run.count)
        if objs is None:
            return parse_each(self.feed_event, run.frames())
        return self._feed_objects(objs)

    def _feed_objects(self, objs: list[dict]) -> list[Event]:
        return batch_events(objs, plain_texts, self.feed_chunk, first_plain=self._start_first)

    def _start_first(self) -> None:
        """A plain chunk starts choice 0, as in feed_chunk."""
        if 0 not in self._choices:
            self._choices[0] = _Choice()

    def feed_chunk(self, obj: dict) -> list[Event]:
        """One decoded chunk object (`chat.completion.chunk`)."""
        text = _plain_text(obj)
        if text is not None:  # the hot path: nearly every chunk of a long answer
            if 0 not in self._choices:
                self._choices[0] = _Choice()
            return [TextDelta(text, 0)] if text else []
        events: list[Event] = []
        choices = obj.get("choices")
        if isinstance(choices, list):
            for position, choice in enumerate(choices):
                if isinstance(choice, dict):
                    self._feed_choice(choice, _int(choice.get("index", position), position), events)
        if "usage" in obj or "timings" in obj:
            usage = usage_from(obj)
            if usage is not None:
                events.append(usage)
        if "error" in obj or obj.get("object") == "error":
            if obj.get("error") or obj.get("object") == "error":
                raise server_error(obj, events + self._incomplete_tools())
        return events

    def finish(self) -> list[Event]:
        """End of stream. A stream with a finish_reason for choice 0 but no [DONE] is complete;
        one with neither is truncated: incomplete tool calls come first, then StreamError."""
        if self._done_marker:
            return []
        self._done_marker = True
        first = self._choices.get(0)
        if first is None or not first.finished:
            raise stream_error(TRUNCATED_MESSAGE, events=self._incomplete_tools())
        return self._finish_all()

    def _feed_choice(self, choice: dict, index: int, events: list[Event]) -> None:
        state = self._choices.get(index)
        if state is None:
            state = self._choices[index] = _Choice()
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            delta = choice.get("message") if isinstance(choice.get("message"), dict) else {}
        if delta:
            _delta_events(delta, index, events)
            fragments = delta.get("tool_calls")
            if fragments and isinstance(fragments, list):
                for fragment in fragments:
                    if isinstance(fragment, dict):
                        merge_fragment(state.tools, fragment)
        reason = choice.get("finish_reason")
        if reason and not state.finished and isinstance(reason, str):
            state.finish_reason = reason
            events.extend(_finish_choice(index, state))

    def _finish_all(self) -> list[Event]:
        events: list[Event] = []
        for index, state in sorted(self._choices.items()):
            if state.finished:
                events.extend(emit_tools(state.tools, index, True))
            else:
                events.extend(_finish_choice(index, state))
        return events

    def _incomplete_tools(self) -> list[Event]:
        events: list[Event] = []
        for index, state in sorted(self._choices.items()):
            events.extend(emit_tools(state.tools, index, complete=False))
        return events


_NOT_PLAIN = ("tool_calls", "reasoning_content", "reasoning", "refusal")


def _plain_text(obj: dict) -> str | None:
    """The text of a chunk that carries nothing but content for choice 0, else None."""
    texts = plain_texts((obj,))
    return None if texts is None else texts[0]


def plain_texts(objs) -> list[str] | None:
    """The texts of chunks that each carry nothing but content for choice 0, else None. One loop
    for a whole read (the hot path of a long answer: one call, not one per chunk)."""
    texts: list[str] = []
    append = texts.append
    for obj in objs:
        choices = obj.get("choices")
        if type(choices) is not list or len(choices) != 1 or obj.get("usage") is not None \
                or "timings" in obj or "error" in obj:
            return None
        choice = choices[0]
        if type(choice) is not dict or choice.get("finish_reason") is not None \
                or choice.get("index", 0) != 0:
            return None
        delta = choice.get("delta")
        if type(delta) is not dict:
            return None
        text = delta.get("content")
        if type(text) is not str:
            return None
        if len(delta) > 1:  # beside content: a role, or null fields, or something to act on
            for key in _NOT_PLAIN:
                if delta.get(key):
                    return None
        append(text)
    return texts


def _delta_events(delta: dict, index: int, events: list[Event]) -> None:
    """Reasoning (one of its two names, never both: some servers send both with the same text),
    then text: `content`, or `refusal` shown as the answer."""
    reasoning = delta.get("reasoning_content") or delta.get("reasoning")
    if reasoning and isinstance(reasoning, str):
        events.append(ReasoningDelta(reasoning, index))
    text = delta.get("content")
    if text and isinstance(text, str):
        events.append(TextDelta(text, index))
    refusal = delta.get("refusal")
    if refusal and isinstance(refusal, str):
        events.append(TextDelta(refusal, index))


def _finish_choice(index: int, state: _Choice) -> list[Event]:
    state.finished = True
    events: list[Event] = emit_tools(state.tools, index, complete=True)
    events.append(Done(normalise_finish(state.finish_reason, bool(state.tools)), index))
    return events


def _error_payload(data: str) -> object:
    """The data of an `event: error` frame: its JSON, or its text when it is not JSON."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return data.strip()


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default


def normalise_finish(reason: str | None, has_tool_calls: bool) -> str | None:
    """OpenAI words stay; a few server dialects map onto them; tool calls imply "tool_calls"."""
    reason = _FINISH_WORDS.get(reason, reason) if reason else None
    if has_tool_calls and reason in (None, "stop"):
        return "tool_calls"
    return reason


def usage_from(obj: dict) -> Usage | None:
    """Usage from `usage` (plus llama.cpp `timings` on the same object), or from `timings` alone."""
    usage, timings = obj.get("usage"), obj.get("timings")
    timings = timings if isinstance(timings, dict) else None
    if isinstance(usage, dict):
        raw = dict(usage)
        if timings is not None:
            raw["timings"] = timings
        return _usage(raw, usage.get("prompt_tokens"), usage.get("completion_tokens"),
                      usage.get("total_tokens"))
    if timings is not None:
        return _usage({"timings": timings}, timings.get("prompt_n"), timings.get("predicted_n"), None)
    return None


def _usage(raw: dict, prompt: object, completion: object, total: object) -> Usage:
    counts = [v if isinstance(v, int) and not isinstance(v, bool) else None for v in (prompt, completion, total)]
    if counts[2] is None and counts[0] is not None and counts[1] is not None:
        counts[2] = counts[0] + counts[1]
    return Usage(counts[0], counts[1], counts[2], raw)
