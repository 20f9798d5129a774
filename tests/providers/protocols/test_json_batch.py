"""One JSON parse per read (json_batch): the batched path gives exactly what the chunk-by-chunk
path gives, and falls back to it for anything it cannot stand for one to one."""

from __future__ import annotations

import json

import pytest

from revka_cli.errors import StreamError
from revka_cli.providers import protocols
from revka_cli.providers.events import ChatResult
from revka_cli.providers.protocols.base import iter_events
from revka_cli.providers.protocols import json_batch
from revka_cli.providers.protocols.json_batch import loads_objects


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
    import json as stdlib

    monkeypatch.setattr(json_batch, "ORJSON_AFTER", 3)
    assert json_batch._loader() is stdlib.loads
    loads_objects(["{}", "{}", "{}"])
    assert json_batch._loader().__module__ == "orjson"


def sse(*objs) -> bytes:
    return b"".join(b"data: " + (o if isinstance(o, bytes) else json.dumps(o).encode()) + b"\n\n"
                    for o in objs)


def text_chunk(text: str, **delta) -> dict:
    return {"choices": [{"index": 0, "delta": {"content": text, **delta}}]}


FINISH = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}


def assembled(body: bytes, size: int | None, protocol: str = "openai"):
    pieces = [body] if size is None else [body[i:i + size] for i in range(0, len(body), size)]
    result, error = ChatResult(), None
    try:
        for event in iter_events(protocols.get(protocol).stream_reader(), pieces):
            result.apply(event)
    except StreamError as exc:
        error = exc.message
    return result.text, result.finish_reason, error


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
    expected = assembled(body, 1)  # 1-byte reads: never more than one chunk per read
    assert assembled(body, None) == expected
    assert assembled(body, 4096) == expected


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
    expected = assembled(body, 1, "ollama")
    assert assembled(body, None, "ollama") == expected
    assert assembled(body, 4096, "ollama") == expected
