"""OpenAI Chat Completions: a whole (non-stream) `chat.completion` body -> events, through the
same per-choice rules as the stream parser (openai_stream)."""

from __future__ import annotations

from revka_cli.providers.errors_map import server_error, stream_error
from revka_cli.providers.events import Event
from revka_cli.providers.protocols.openai_stream import (
    _Choice, _delta_events, _finish_choice, _int, usage_from,
)
from revka_cli.providers.protocols.openai_tools import ToolAccumulator, merge_fragment


def parse_openai_response(body: dict) -> list[Event]:
    """A non-stream `chat.completion` body: per choice reasoning, text, tool calls, Done; then usage."""
    if not isinstance(body, dict):
        raise stream_error("the server's reply is not a JSON object")
    if body.get("error") or body.get("object") == "error":
        raise server_error(body, mid_stream=False)
    events: list[Event] = []
    choices = body.get("choices") if isinstance(body.get("choices"), list) else []
    for position, choice in enumerate(choices):
        if not isinstance(choice, dict):
            continue
        index = _int(choice.get("index"), position)
        message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
        _delta_events(_message_as_delta(message), index, events)
        state = _Choice()
        state.tools = _tools_from_message(message)
        reason = choice.get("finish_reason")
        state.finish_reason = reason if isinstance(reason, str) else None
        events.extend(_finish_choice(index, state))
    usage = usage_from(body)
    if usage is not None:
        events.append(usage)
    return events


def _message_as_delta(message: dict) -> dict:
    delta = {k: message.get(k) for k in ("reasoning_content", "reasoning", "refusal")}
    content = message.get("content")
    if isinstance(content, list):  # content parts: keep the text ones
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    delta["content"] = content
    return delta


def _tools_from_message(message: dict) -> dict[int, ToolAccumulator]:
    tools: dict[int, ToolAccumulator] = {}
    calls = message.get("tool_calls")
    for position, call in enumerate(calls if isinstance(calls, list) else []):
        if isinstance(call, dict):
            merge_fragment(tools, {**call, "index": _int(call.get("index"), position)})
    return tools
