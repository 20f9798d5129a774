"""The chat probes: a 1-token request (auth and model where there is no list) and the deep probe
of `--chat`, a small streamed generation measured for its first token, tokens per second, usage
and finish reason.

`send_chat` is the one place that calls the chat core (its single-attempt turn,
`revka_cli.chat.probe`); everything else measures what it returned.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from revka_cli.errors import RevkaError

PROBE_PROMPT = "Say OK"
DEEP_PROMPT = "Count from 1 to 20, separated by spaces."
DEEP_MAX_TOKENS = 16  # enough tokens after the first for a tokens/s figure, still cheap


@dataclass
class ChatProbe:
    """What a chat request did, and what it measured."""

    error: RevkaError | None = None
    latency_ms: float = 0.0
    first_token_ms: float | None = None  # the first content or reasoning byte, not headers
    max_tokens: int = 1
    completion_tokens: int | None = None  # from usage; else the streamed chunks, a lower bound
    usage_reported: bool = False
    finish_reason: str | None = None
    tokens_per_s: float | None = None  # over the tokens after the first
    tool_calls: int = 0

    @property
    def deep(self) -> bool:
        return self.max_tokens > 1


class CountingSink:
    """Takes the streamed text and counts the pieces (a token estimate when usage is absent)."""

    def __init__(self) -> None:
        self.pieces = 0

    def text(self, text: str) -> None:
        self.pieces += bool(text)

    def reasoning(self, text: str) -> None:
        self.pieces += bool(text)

    def flush(self) -> None:
        pass

    def warn(self, message: str) -> None:
        pass


def send_chat(endpoint, request, client, sink, timeouts):
    """The chat core's single attempt: (ChatResult, Timing) or a RevkaError."""
    from revka_cli.chat.probe import single_attempt

    return single_attempt(endpoint, request, client, timeouts=timeouts, sink=sink)


def chat_probe(endpoint, model: str, client, deadline: float, *, max_tokens: int = 1,
               tools: tuple[dict, ...] = ()) -> ChatProbe:
    """One streamed request of at most `max_tokens`, measured. Never raises."""
    from revka_cli.doctor.listing import timeouts_until
    from revka_cli.providers.request import ChatRequest, Message

    prompt = PROBE_PROMPT if max_tokens <= 1 and not tools else DEEP_PROMPT
    request = ChatRequest(model=model, messages=(Message("user", prompt),), max_tokens=max_tokens,
                          stream=True, tools=tools, temperature=0 if max_tokens > 1 else None)
    started = time.monotonic()
    probe, sink = ChatProbe(max_tokens=max_tokens), CountingSink()
    try:
        result, timing = send_chat(endpoint, request, client, sink, timeouts_until(deadline))
        measure(probe, result, timing, sink.pieces)
    except RevkaError as exc:
        probe.error = exc
    probe.latency_ms = (time.monotonic() - started) * 1000
    return probe


def measure(probe: ChatProbe, result, timing, pieces: int) -> None:
    """Fill the figures from the engine's result and timing (monotonic seconds)."""
    usage = getattr(result, "usage", None)
    reported = getattr(usage, "completion_tokens", None)
    probe.usage_reported = isinstance(reported, int)
    probe.completion_tokens = reported if probe.usage_reported else (pieces or None)
    probe.finish_reason = getattr(result, "finish_reason", None)
    probe.tool_calls = len(getattr(result, "tool_calls", None) or ())
    if timing.first_token is None:
        return
    probe.first_token_ms = (timing.first_token - timing.started) * 1000
    rest = (timing.finished or time.monotonic()) - timing.first_token
    tokens = probe.completion_tokens or 0
    if tokens > 1 and rest > 0:
        probe.tokens_per_s = (tokens - 1) / rest
