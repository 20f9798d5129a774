"""Bounded decoders (issue 13 §2): one SSE event or NDJSON line is capped at MAX_EVENT_BYTES,
checked as bytes arrive, not after buffering them; complete events under the cap still work."""

from __future__ import annotations

import json

import pytest

from revka_cli.errors import StreamError
from revka_cli.providers.errors_map import MAX_EVENT_BYTES, MAX_JSON_VALUES, check_json_values, is_json
from revka_cli.providers.protocols.ndjson import NDJSONDecoder
from revka_cli.providers.protocols.ollama_stream import OllamaStreamParser
from revka_cli.providers.protocols.openai_stream import OpenAIStreamParser
from revka_cli.providers.protocols.sse import SSEDecoder

MiB = 1024 * 1024
BLOCK = b"a" * MiB


def test_the_cap_is_16_mib():
    assert MAX_EVENT_BYTES == 16 * MiB


@pytest.mark.parametrize("decoder", [SSEDecoder, NDJSONDecoder])
def test_an_endless_line_fails_at_the_cap_not_later(decoder):
    dec = decoder()
    fed = 0
    with pytest.raises(StreamError, match="larger than 16 MiB"):
        while fed < 64 * MiB:
            dec.feed(BLOCK)
            fed += len(BLOCK)
    assert fed == 16 * MiB  # the chunk that passed the cap was refused, nothing after it was read


def test_sse_events_completed_before_an_oversized_one_are_delivered_first():
    dec = SSEDecoder()
    events = dec.feed(b"data: first\n\ndata: " + b"b" * (MAX_EVENT_BYTES + 10))
    assert [e.data for e in events] == ["first"]
    with pytest.raises(StreamError, match="16 MiB"):
        dec.feed(b"more")
    with pytest.raises(StreamError):
        SSEDecoder().feed(b"data: " + b"b" * (MAX_EVENT_BYTES + 10) + b"\n\n")  # complete but too big


def test_ndjson_lines_completed_before_an_oversized_one_are_delivered_first():
    dec = NDJSONDecoder()
    assert dec.feed(b'{"a":1}\n' + b"b" * (MAX_EVENT_BYTES + 10)) == [b'{"a":1}']
    with pytest.raises(StreamError, match="16 MiB"):
        dec.flush()


def test_a_complete_large_event_under_the_cap_still_works():
    text = "é" * (6 * MiB)  # 12 MiB of UTF-8
    event = b"data: " + json.dumps({"choices": [{"delta": {"content": text}}]}, ensure_ascii=False).encode() \
        + b"\n\n"
    dec, parser = SSEDecoder(), OpenAIStreamParser()
    frames = [f for i in range(0, len(event), 65536) for f in dec.feed(event[i:i + 65536])]
    assert len(frames) == 1 and [e.text for e in parser.feed_event(frames[0])] == [text]
    line = json.dumps({"message": {"content": text}, "done": False}, ensure_ascii=False).encode() + b"\n"
    nd = NDJSONDecoder()
    lines = [x for i in range(0, len(line), 65536) for x in nd.feed(line[i:i + 65536])]
    assert [e.text for e in OllamaStreamParser().feed_line(lines[0])] == [text]


def test_json_that_would_parse_into_too_many_values_is_refused():
    bomb = "[" + "[]," * (MAX_JSON_VALUES // 2) + "[]," * (MAX_JSON_VALUES // 2) + "[]]"
    with pytest.raises(StreamError, match="more than 1,000,000 JSON values"):
        check_json_values(bomb)
    with pytest.raises(StreamError, match="JSON values"):
        OpenAIStreamParser().feed_event(type("E", (), {"event": None, "data": '{"x":' + bomb + "}"})())
    assert not is_json(bomb)  # tool-call arguments like that are incomplete, never parsed
    check_json_values('{"text": "' + "a, [b] {c}" * 1000 + '"}')  # small texts are never counted


def test_ollama_multi_line_object_is_capped_too():
    parser = OllamaStreamParser()
    assert parser.feed_line(b'{"message": {') == []  # a pretty-printed object starts
    with pytest.raises(StreamError, match="16 MiB"):
        for _ in range(20):
            parser.feed_line(b'"' + BLOCK + b'": 1,')
