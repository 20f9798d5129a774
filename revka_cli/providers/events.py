"""Typed stream events, shared by every protocol, and the assembled result of one chat.

A protocol parser turns decoded frames into these events; `ChatResult.apply()` folds them into the
final answer. Errors in the middle of a stream are raised (a `StreamError` subclass) after every
event before them has been yielded, so partial output is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str
    choice: int = 0


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    text: str
    choice: int = 0


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One complete tool call. `arguments` is a JSON text ("{}" when the model sent none)."""

    index: int
    id: str | None
    name: str
    arguments: str
    complete: bool = True  # False: cut off (e.g. max_tokens) and its arguments are not valid JSON
    choice: int = 0


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    raw: dict | None = None  # every usage/timings field the server sent


@dataclass(frozen=True, slots=True)
class Done:
    """The server said it finished. `finish_reason` is normalised: stop, length, tool_calls,
    content_filter, refusal, stop_sequence, or the server's own word."""

    finish_reason: str | None
    choice: int = 0
    stop_sequence: str | None = None


Event = TextDelta | ReasoningDelta | ToolCall | Usage | Done


@dataclass
class ChatResult:
    """The answer assembled from the events of one choice (0 unless stated)."""

    text: str = ""
    reasoning: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    stop_sequence: str | None = None
    usage: Usage | None = None
    done: bool = False
    choice: int = 0

    def apply(self, event: Event) -> None:
        if getattr(event, "choice", 0) != self.choice:
            return
        if isinstance(event, TextDelta):
            self.text += event.text
        elif isinstance(event, ReasoningDelta):
            self.reasoning += event.text
        elif isinstance(event, ToolCall):
            self.tool_calls.append(event)
        elif isinstance(event, Usage):
            self.usage = event
        elif isinstance(event, Done):
            self.done = True
            if event.finish_reason is not None:
                self.finish_reason = event.finish_reason
            self.stop_sequence = event.stop_sequence
