"""Stream errors raised by the protocol parsers.

A parser method returns a list of events, so when it must fail after producing some events (an
error object inside a chunk that also carries usage, incomplete tool calls at a truncated end) it
raises a `StreamError` whose `events` attribute holds them, in order, to be delivered *before* the
error. `protocols.base.StreamReader` and `iter_events` do that delivery for a byte stream.
"""

from __future__ import annotations

from collections.abc import Iterable

from revka_cli.errors import ProviderError, RetryableStreamError, StreamError
from revka_cli.providers.error_bodies import message_from_json, stream_error_is_retryable
from revka_cli.providers.events import Event
from revka_cli.textfix import repair_surrogates


TRUNCATED = "stream ended before the server finished"
MAX_EVENT_BYTES = 16 * 1024 * 1024  # one SSE event or NDJSON line, decoded bytes
MAX_JSON_VALUES = 1_000_000  # in one event or body: each costs up to ~70 bytes once parsed
LARGE_JSON = 1024 * 1024  # texts shorter than this cannot hold MAX_JSON_VALUES: never counted
MAX_ANSWER_CHARS = MAX_EVENT_BYTES  # text + reasoning + tool-call arguments; any one event fits
TOO_LARGE_HINT = ("the partial answer above is kept; the server (or a proxy) sent something that "
                  "is not an LLM stream")


_RETRY_HINT = "wait and retry, or add fallback_providers under [reliability]"


def stream_error(message: str, *, retryable: bool = False, events: Iterable[Event] = ()) -> StreamError:
    """A StreamError (or RetryableStreamError) carrying the events that must come before it."""
    error = RetryableStreamError(message) if retryable else StreamError(message)
    error.events = list(events)
    return error


def server_error(obj: object, events: Iterable[Event] = (), *, mid_stream: bool = True) -> StreamError:
    """The error a server put in its answer (a JSON error object or a bare message): in the
    stream after a 200, or (`mid_stream=False`) as the whole body of a 200 non-stream reply."""
    message = repair_surrogates(message_from_json(obj)) or "no message"
    kind = _error_kind(obj)
    if kind and kind not in message:
        message = f"{message} ({kind})"
    where = "mid-stream" if mid_stream else "in its reply"
    error = stream_error(f"the server reported an error {where}: {message}",
                         retryable=stream_error_is_retryable(obj), events=events)
    if not mid_stream:  # no partial answer to keep
        error.hint = _RETRY_HINT if isinstance(error, RetryableStreamError) else ProviderError.default_hint
    return error


def event_too_large() -> StreamError:
    """A frame (SSE event, NDJSON line) past MAX_EVENT_BYTES: stop before buffering more."""
    error = stream_error(f"a stream event is larger than {MAX_EVENT_BYTES // (1024 * 1024)} MiB, "
                         "revka's limit for one SSE event or NDJSON line")
    error.hint = TOO_LARGE_HINT
    return error


def check_json_values(data: str | bytes) -> None:
    """Refuse a large JSON text that would parse into too many values (`[[],[],...]` grows ~20x
    in memory): a count of separators, made only for texts over LARGE_JSON."""
    if too_many_json_values(data):
        error = stream_error(f"a server event or answer holds more than {MAX_JSON_VALUES:,} JSON "
                             "values, revka's limit")
        error.hint = TOO_LARGE_HINT
        raise error


def too_many_json_values(data: str | bytes) -> bool:
    if len(data) <= LARGE_JSON:
        return False
    marks = ",[{" if isinstance(data, str) else (b",", b"[", b"{")
    return sum(data.count(mark) for mark in marks) > MAX_JSON_VALUES


def answer_too_long() -> StreamError:
    """Text, reasoning or tool-call arguments past MAX_ANSWER_CHARS: stop taking more."""
    error = stream_error(f"the answer is longer than {MAX_ANSWER_CHARS // (1024 * 1024)} Mi "
                         "characters, revka's limit for one answer")
    error.hint = TOO_LARGE_HINT
    return error


def invalid_json(payload: str | bytes, events: Iterable[Event] = ()) -> StreamError:
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8", "replace")
    return stream_error(f"invalid JSON in stream event: {payload.strip()[:80]}", events=events)


def is_json(text: str) -> bool:
    """Whether `text` is a JSON object or array, as tool-call arguments must be (checked before
    anyone could run them; the shape test first keeps repeated checks cheap)."""
    import json

    stripped = text.strip()
    if not stripped or stripped[0] not in "{[" or stripped[-1] not in "}]":
        return False
    if too_many_json_values(stripped):
        return False
    try:
        json.loads(stripped)
    except (ValueError, RecursionError):
        return False
    return True


def _error_kind(obj: object) -> str:
    inner = obj.get("error") if isinstance(obj, dict) else None
    source = inner if isinstance(inner, dict) else obj
    if not isinstance(source, dict):
        return ""
    for key in ("type", "code"):
        value = source.get(key)
        if isinstance(value, str) and value and value != "error":
            return value
    return ""
