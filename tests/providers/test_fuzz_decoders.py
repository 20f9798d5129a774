"""Property tests: arbitrary bytes and arbitrary read boundaries.

- The SSE and NDJSON decoders agree with small, obviously-correct reference decoders that see the
  whole body at once, whatever the chunking.
- The three protocol parsers, fed garbage or JSON of the wrong shapes, only ever raise RevkaError
  subclasses, and give the same events and the same error whatever the chunking.
"""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from revka_cli.errors import RevkaError
from revka_cli.providers.protocols.ndjson import NDJSONDecoder
from revka_cli.providers.protocols.sse import SSEDecoder
from tests.providers.corpus import joined_text, run

FUZZ = settings(max_examples=300, deadline=None)

SSE_PIECES = [b"data:", b"data: ", b"event: error", b"event:", b"id: 1", b"id", b"retry: 5", b": ping", b" data: x",
              b"\n", b"\r", b"\r\n", b"\n\n", b"\xef\xbb\xbf", b"\xf0\x9f\x98", b"\x8a", b"\xff", b"x", b"{}", b"[DONE]",
              b"\x00"]
sse_bodies = st.lists(st.sampled_from(SSE_PIECES) | st.binary(max_size=6), max_size=40).map(b"".join)
ndjson_bodies = st.lists(st.sampled_from([b"{", b"}", b"\n", b"\r\n", b" ", b'"a"', b":", b"1", b"\xc3", b"\xa9"])
                         | st.binary(max_size=6), max_size=40).map(b"".join)


@st.composite
def split(draw, bodies):
    """A body and the same body cut at arbitrary points."""
    body = draw(bodies)
    cuts = sorted(set(draw(st.lists(st.integers(0, len(body)), max_size=12))))
    bounds = [0, *cuts, len(body)]
    return body, [body[a:b] for a, b in zip(bounds, bounds[1:])]


def reference_sse(body: bytes) -> list[tuple]:
    """The WHATWG algorithm, line by line on the whole decoded body, plus EOF dispatch."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    events: list[tuple] = []
    data: list[str] | None = None
    name, last_id = None, None
    for line in [*re.split(r"\r\n|\r|\n", body.decode("utf-8", "replace")), ""]:
        if line == "":
            if data is not None:
                events.append((name, "\n".join(data), last_id))
            data, name = None, None
            continue
        if line.startswith(":"):
            continue
        field, colon, value = line.partition(":")
        value = value[1:] if colon and value.startswith(" ") else value
        if field == "data":
            data = [*(data or []), value]
        elif field == "event":
            name = value or None
        elif field == "id" and "\0" not in value:
            last_id = value
    return events


def run_sse(chunks: list[bytes]) -> list[tuple]:
    decoder = SSEDecoder()
    events = [e for chunk in chunks for e in decoder.feed(chunk)] + decoder.flush()
    return [(e.event, e.data, e.id) for e in events]


@FUZZ
@given(split(sse_bodies))
def test_sse_matches_reference_whatever_the_chunking(case):
    body, chunks = case
    assert run_sse(chunks) == reference_sse(body)


@FUZZ
@given(split(ndjson_bodies))
def test_ndjson_matches_reference_whatever_the_chunking(case):
    body, chunks = case
    decoder = NDJSONDecoder()
    got = [line for chunk in chunks for line in decoder.feed(chunk)] + decoder.flush()
    assert got == [line.strip() for line in body.split(b"\n") if line.strip()]


def outcome(kind: str, chunks: list[bytes]):
    result = run(kind, chunks)  # catches StreamError
    return result.events, (type(result.error), str(result.error)) if result.error else None


def check_parser(kind: str, body: bytes, chunks: list[bytes]) -> None:
    try:
        whole = outcome(kind, [body])
        pieces = outcome(kind, chunks)
    except RevkaError:
        raise AssertionError("run() should have caught every StreamError")  # noqa: B904
    assert whole == pieces


KEYS = ["choices", "delta", "message", "content", "index", "tool_calls", "function", "arguments", "name", "id",
        "finish_reason", "usage", "timings", "error", "type", "object", "refusal", "reasoning", "reasoning_content",
        "content_block", "partial_json", "text", "thinking", "signature", "input", "stop_reason", "stop_sequence",
        "done", "done_reason", "response", "prompt_tokens", "eval_count", "input_tokens", "code", "status_code"]
WORDS = ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta",
         "message_stop", "error", "ping", "text", "text_delta", "thinking_delta", "input_json_delta", "tool_use",
         "signature_delta", "stop", "end_turn", "tool_calls", "length", "overloaded_error", "{", "[DONE]", ""]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 600) | st.sampled_from(WORDS) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    max_leaves=10)
leaf = st.none() | st.booleans() | st.integers(-2, 3) | st.sampled_from(WORDS) | st.text(max_size=3)
value = leaf | json_values


def shaped(required: dict | None = None, **optional) -> st.SearchStrategy:
    """A dict with the protocol's own keys, each one optional, each value maybe of a wrong type."""
    return st.fixed_dictionaries(required or {}, optional={k: v | value for k, v in optional.items()})


_fragment = shaped(index=leaf, id=leaf, function=shaped(name=leaf, arguments=leaf | st.just('{"a": 1}')))
_openai = shaped(choices=st.lists(shaped(index=leaf, finish_reason=leaf, delta=shaped(
    content=leaf, refusal=leaf, reasoning=leaf, reasoning_content=leaf, tool_calls=st.lists(_fragment, max_size=2))),
    max_size=2), usage=shaped(prompt_tokens=leaf, completion_tokens=leaf), timings=shaped(prompt_n=leaf),
    error=shaped(message=leaf, code=leaf, type=leaf), object=leaf)
_anthropic = shaped({"type": st.sampled_from(WORDS)}, index=leaf, content_block=shaped(
    type=st.sampled_from(["text", "thinking", "tool_use", "server_tool_use"]), id=leaf, name=leaf, text=leaf,
    input=value), delta=shaped(type=st.sampled_from(WORDS), text=leaf, thinking=leaf, partial_json=leaf,
                               signature=leaf, stop_reason=leaf, stop_sequence=leaf),
    usage=shaped(input_tokens=leaf, output_tokens=leaf), message=shaped(id=leaf, usage=value),
    error=shaped(type=leaf, message=leaf))
_ollama = shaped(message=shaped(content=leaf, thinking=leaf, tool_calls=st.lists(shaped(
    id=leaf, function=shaped(index=leaf, name=leaf, arguments=value)), max_size=2)),
    response=leaf, thinking=leaf, done=leaf, done_reason=leaf, prompt_eval_count=leaf, eval_count=leaf, error=leaf)
SHAPED = {"openai": _openai, "anthropic": _anthropic, "ollama": _ollama}
random_dicts = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=4)


def sse_body(objects: list, names: list[str], done: bool) -> bytes:
    parts = []
    for obj, name in zip(objects, names + [""] * len(objects)):
        head = f"event: {name}\n" if name else ""
        parts.append(f"{head}data: {json.dumps(obj)}\n\n".encode())
    return b"".join(parts) + (b"data: [DONE]\n\n" if done else b"")


@st.composite
def structured(draw, kind: str):
    objects = draw(st.lists(SHAPED[kind] | random_dicts, max_size=6))
    if kind == "ollama":
        body = b"".join(json.dumps(o).encode() + b"\n" for o in objects)
    else:
        names = draw(st.lists(st.sampled_from(WORDS), max_size=len(objects)))
        body = sse_body(objects, names, draw(st.booleans()))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(body)), max_size=8))))
    bounds = [0, *cuts, len(body)]
    return body, [body[a:b] for a, b in zip(bounds, bounds[1:])]


def check_protocol_reader(kind: str, chunks: list[bytes]) -> None:
    """The protocol's own reader (JSON runs, one parse per read) gives what the frame-by-frame
    reader gives: the same events, but for plain texts joined, and the same error."""
    reference, production = run(kind, chunks), run(kind, chunks, production=True)
    assert joined_text(production.events) == joined_text(reference.events)
    assert (type(production.error), str(production.error)) == \
        (type(reference.error), str(reference.error))


@FUZZ
@given(split(sse_bodies | ndjson_bodies), st.sampled_from(["openai", "anthropic", "ollama"]))
def test_parsers_on_arbitrary_bytes(case, kind):
    check_parser(kind, *case)
    check_protocol_reader(kind, case[1])


@FUZZ
@given(structured("openai"))
def test_openai_parser_on_wrongly_shaped_json(case):
    check_parser("openai", *case)
    check_protocol_reader("openai", case[1])


@FUZZ
@given(structured("anthropic"))
def test_anthropic_parser_on_wrongly_shaped_json(case):
    check_parser("anthropic", *case)


@FUZZ
@given(structured("ollama"))
def test_ollama_parser_on_wrongly_shaped_json(case):
    check_parser("ollama", *case)
    check_protocol_reader("ollama", case[1])
