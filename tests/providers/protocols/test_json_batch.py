"""One JSON parse per read (json_batch): the batched path gives exactly what the chunk-by-chunk
path gives, and falls back to it for anything it cannot stand for one to one."""

from __future__ import annotations

import json

import pytest

from revka_cli.errors import StreamError
from revka_cli.providers import protocols
from revka_cli.providers.events import ChatResult
from revka_cli.providers.protocols import json_batch
from revka_cli.providers.protocols.base import StreamReader, iter_events
from revka_cli.providers.protocols.json_batch import loads_array, loads_objects
from revka_cli.providers.protocols.ndjson import NDJSONDecoder
from revka_cli.providers.protocols.ollama_stream import OllamaStreamParser
from revka_cli.providers.protocols.openai_stream import OpenAIStreamParser
from revka_cli.providers.protocols.sse import SSEDecoder


@pytest.fixture(autouse=True, params=["json", "orjson"])
def parser(request, monkeypatch):
    """Every test twice: with the standard library's parser, and with orjson from the start."""
    if request.param == "orjson":
        pytest.importorskip("orjson")
    monkeypatch.setattr(json_batch, "_fast", None)
    monkeypatch.setattr(json_batch, "_parsed", 0)
    monkeypatch.setattr(json_batch, "ORJSON_AFTER", 0 if request.param == "orjson" else 10**9)
    return request.param


def test_the_loader_switches_to_orjson_only_after_many_chunks(parser, monkeypatch):
    monkeypatch.setattr(json_batch, "ORJSON_AFTER", 3)
    assert json_batch._loader() is json_batch._stdlib_loads
    loads_objects(["{}", "{}", "{}"])
    assert json_batch._loader().__module__ == "orjson"


def sse(*objs) -> bytes:
    return b"".join(b"data: " + (o if isinstance(o, bytes) else json.dumps(o).encode()) + b"\n\n"
                    for o in objs)


def text_chunk(text: str, **delta) -> dict:
    return {"choices": [{"index": 0, "delta": {"content": text, **delta}}]}


FINISH = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}


def reference_reader(protocol: str) -> StreamReader:
    """The protocol's reader without JSON runs and without batches: one frame, one parse."""
    if protocol == "openai":
        decoder, parser = SSEDecoder(), OpenAIStreamParser()
        return StreamReader(decoder.feed, decoder.flush, parser.feed_event, parser.finish)
    decoder, parser = NDJSONDecoder(), OllamaStreamParser()
    return StreamReader(decoder.feed, decoder.flush, parser.feed_line, parser.finish)


def assembled(body: bytes, size: int | None, protocol: str = "openai", reader=None):
    pieces = [body] if size is None else [body[i:i + size] for i in range(0, len(body), size)]
    result, error = ChatResult(), None
    try:
        for event in iter_events(reader or protocols.get(protocol).stream_reader(), pieces):
            result.apply(event)
    except StreamError as exc:
        error = exc.message
    return result.text, result.finish_reason, result.tool_calls, error


def assert_same_as_reference(body: bytes, protocol: str) -> None:
    expected = assembled(body, 1, protocol, reference_reader(protocol))
    for size in (None, 4096, 7, 1):
        assert assembled(body, size, protocol) == expected, size


@pytest.mark.parametrize("body", [
    sse(*(text_chunk(f"w{i} ") for i in range(300)), FINISH) + b"data: [DONE]\n\n",
    sse(text_chunk("a"), text_chunk("", role="assistant"), {"choices": [{"index": 0, "delta": {
        "reasoning_content": "hm"}}]}, text_chunk("b"), FINISH),
    sse(text_chunk("kept "), b'{"choices": [', text_chunk("never")),  # malformed mid-read
    sse(text_chunk("x"), {"error": {"message": "overloaded", "type": "overloaded_error"}}),
    sse(text_chunk("\\ud83d"), text_chunk("ok")),  # a lone surrogate escape: orjson refuses it
    sse(text_chunk("big"), b'{"n": 123456789012345678901234567890, "choices": []}', FINISH),
])
def test_batched_reads_equal_one_chunk_per_read(body):
    assert_same_as_reference(body, "openai")


TOOL = {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "c1", "function": {
    "name": "f", "arguments": "{}"}}]}}]}


@pytest.mark.parametrize("body", [
    sse(text_chunk("a")) + b"data:  " + json.dumps(text_chunk("b")).encode() + b"\n\n",  # 2 spaces
    sse(text_chunk("a")) + b"id: 7\ndata: " + json.dumps(text_chunk("b")).encode() + b"\n\n",
    sse(text_chunk("a")) + b": keep-alive\n\n" + sse(text_chunk("b"), FINISH),
    sse(text_chunk("a"), FINISH) + b"data: [DONE]\n\n" + sse(text_chunk("after done")),
    sse(text_chunk("a")) + b"data: [DONE]\n\n",  # [DONE] without a finish_reason
    sse(text_chunk("a")) + b"data: {\"choices\": []}\ndata: {}\n\n" + sse(FINISH),  # 2 lines
    sse(text_chunk("a")) + b'data: {"a": 1}, {"b": 2}\n\n' + sse(FINISH),  # 2 objects, 1 event
    sse(text_chunk("a")) + b"event: error\ndata: {\"error\": {\"message\": \"x\"}}\n\n",
    sse(text_chunk("a")) + b'data: {"choices": [{"delta": {"content": "\xed\xa0\x80"}}]}\n\n'
    + sse(FINISH),  # an encoded surrogate: U+FFFD, one by one
    sse(text_chunk("a")) + b"\n\n\n" + sse(text_chunk("b"), FINISH),  # extra blank lines
    sse(text_chunk("a"), {"choices": [{"index": 0, "delta": {"content": "b"}, "finish_reason":
                                       "length"}]}, text_chunk("after finish")),
    sse(text_chunk("a"), {"choices": [{"index": 1, "delta": {"content": "b"}}]}, FINISH),
    sse(text_chunk("a"), {"choices": [{"index": 0, "delta": {"content": "b"}}], "usage": {
        "prompt_tokens": 1, "completion_tokens": 2}}, FINISH),
    sse(text_chunk("x"), TOOL, {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}),
    (sse(text_chunk("a"), FINISH) + b"data: [DONE]\n\n").replace(b"\n", b"\r\n"),
])
def test_json_runs_equal_the_event_by_event_reader(body):
    assert_same_as_reference(body, "openai")


def test_a_read_of_single_data_lines_is_one_json_run():
    decoder = SSEDecoder(json_runs=True)
    frames = decoder.feed(sse({"a": 1}, {"b": 2}, {"c": 3}) + b"data: [DONE]\n\n")
    assert len(frames) == 2 and frames[1].data == "[DONE]"
    run = frames[0]
    assert (run.count, loads_array(run.array, run.count)) == (3, [{"a": 1}, {"b": 2}, {"c": 3}])
    assert [e.data for e in run.frames()] == ['{"a": 1}', '{"b": 2}', '{"c": 3}']
    assert type(decoder.feed(b"event: x\ndata: {}\n\n")[0]).__name__ == "SSEEvent"
    assert type(SSEDecoder().feed(sse({"a": 1}, {"b": 2}))[0]).__name__ == "SSEEvent"


def test_batches_that_cannot_stand_one_to_one_are_refused():
    assert loads_objects(['{"a": 1}', '{"b": 2}']) == [{"a": 1}, {"b": 2}]
    assert loads_objects(['{"a": 1}, {"b": 2}', '{"c": 3}']) is None  # two objects in one chunk
    assert loads_objects(['{"a": 1}', '[1]']) is None
    assert loads_objects(['{"a": 1} x', '{"b": 2}']) is None
    assert loads_objects([b'{"a": 1}', b'{"b": "\xff"}']) is None  # invalid UTF-8: one by one
    assert loads_objects(['{"a": "' + "x" * (1024 * 1024) + '"}', "{}"]) is None  # too large


def test_an_error_in_a_batch_carries_the_text_before_it():
    body = sse(text_chunk("kept"), {"error": {"message": "boom"}}, text_chunk("lost"))
    reader = protocols.get("openai").stream_reader()
    with pytest.raises(StreamError) as caught:
        reader.feed(body)
    assert [e.text for e in caught.value.events] == ["kept"]


def ndjson(*objs) -> bytes:
    return b"".join((o if isinstance(o, bytes) else json.dumps(o).encode()) + b"\n" for o in objs)


def ollama_text(text: str) -> dict:
    return {"model": "m", "created_at": "t", "message": {"role": "assistant", "content": text},
            "done": False}


OLLAMA_DONE = {"model": "m", "message": {"role": "assistant", "content": ""}, "done": True,
               "done_reason": "stop", "eval_count": 3}


@pytest.mark.parametrize("body", [
    ndjson(*(ollama_text(f"w{i} ") for i in range(300)), OLLAMA_DONE, ollama_text("after done")),
    ndjson(ollama_text("a"), {"message": {"thinking": "hm", "content": ""}, "done": False},
           ollama_text("b"), OLLAMA_DONE),
    ndjson(ollama_text("kept "), {"error": "model crashed"}, ollama_text("lost")),
    ndjson(ollama_text("kept "), b'{"message": ', ollama_text("x")),
    ndjson(ollama_text("ok")) + b'{\n  "done": true\n}\n',  # pretty-printed: one by one
])
def test_batched_ollama_reads_equal_one_line_per_read(body):
    assert_same_as_reference(body, "ollama")


@pytest.mark.parametrize("body", [
    ndjson(ollama_text("a")) + b"\n\n" + ndjson(ollama_text("b"), OLLAMA_DONE),  # blank lines
    ndjson(ollama_text("a"), OLLAMA_DONE).replace(b"\n", b"\r\n"),
    ndjson(ollama_text("a")) + b"  " + ndjson(ollama_text("b"), OLLAMA_DONE),  # indented line
    ndjson(ollama_text("a")) + b'{"a": 1} {"b": 2}\n' + ndjson(OLLAMA_DONE),  # 2 on one line
    ndjson(ollama_text("a")) + b'{"message": {"role": "assistant", "content": "\xed\xa0\x80"}, '
    b'"done": false}\n' + ndjson(OLLAMA_DONE),  # an encoded surrogate
    ndjson(ollama_text("a"), OLLAMA_DONE)[:-1],  # no final LF
])
def test_ollama_json_runs_equal_the_line_by_line_reader(body):
    assert_same_as_reference(body, "ollama")
