"""OllamaStreamParser and parse_ollama_response: CHECKLIST 33-37 on small hand-made streams."""

from __future__ import annotations

import json

import pytest

from revka_cli.errors import EXIT_PROVIDER, RevkaError, StreamError
from revka_cli.providers.events import Done, ReasoningDelta, TextDelta, ToolCall, Usage
from revka_cli.providers.protocols.ollama_stream import OllamaStreamParser, parse_ollama_response

FINAL = {"done": True, "done_reason": "stop", "prompt_eval_count": 16, "eval_count": 22,
         "total_duration": 171946792, "eval_duration": 100}


def events_of(protocol: str, chunks):
    """The events of a whole byte stream, through the protocol object's reader."""
    from revka_cli.providers import protocols
    from revka_cli.providers.protocols.base import iter_events

    return iter_events(protocols.get(protocol).stream_reader(), chunks)


def chat(content="", **extra) -> dict:
    return {"model": "m", "message": {"role": "assistant", "content": content}, "done": False, **extra}


def feed(*objects, finish=True):
    parser = OllamaStreamParser()
    events = [e for obj in objects for e in parser.feed_line(json.dumps(obj).encode())]
    return events + (parser.finish() if finish else [])


def test_chat_stream_with_text_on_the_final_object():
    events = feed(chat("Hel"), chat("lo"), {**chat("!"), **FINAL})
    usage_raw = {k: FINAL[k] for k in ("prompt_eval_count", "eval_count", "total_duration", "eval_duration")}
    assert events == [TextDelta("Hel"), TextDelta("lo"), TextDelta("!"), Usage(16, 22, 38, usage_raw), Done("stop")]


def test_generate_stream_uses_response_and_thinking():
    events = feed({"response": "", "thinking": "hmm", "done": False}, {"response": "Hi", "done": False},
                  {"response": "", "done": True, "done_reason": "length"})
    assert events == [ReasoningDelta("hmm"), TextDelta("Hi"), Done("length")]


def test_thinking_and_tool_calls_share_one_object():
    message = {"role": "assistant", "content": "", "thinking": "plan", "tool_calls": [
        {"id": "call_a", "function": {"index": 0, "name": "read", "arguments": {"file": "é.java"}}},
        {"function": {"name": "list", "arguments": {}}}]}
    events = feed({"message": message, "done": False}, FINAL)
    assert events[:3] == [ReasoningDelta("plan"), ToolCall(0, "call_a", "read", '{"file": "é.java"}'),
                          ToolCall(1, None, "list", "{}")]
    assert events[-1] == Done("tool_calls")  # done_reason stays "stop" on the wire


def test_string_and_missing_arguments():
    message = {"tool_calls": [{"function": {"name": "a", "arguments": '{"x": 1}'}}, {"function": {"name": "b", "arguments": ""}},
                              {"function": {"name": "c"}}]}
    events = feed({"message": message, "done": True, "done_reason": "length"})
    assert [(e.name, e.arguments) for e in events if isinstance(e, ToolCall)] == [("a", '{"x": 1}'), ("b", "{}"), ("c", "{}")]
    assert events[-1] == Done("length")


def test_error_line_mid_stream():
    parser = OllamaStreamParser()
    assert parser.feed_line(json.dumps(chat("Yes")).encode()) == [TextDelta("Yes")]
    with pytest.raises(StreamError, match="an error was encountered while running the model") as caught:
        parser.feed_line(b'{"error":"an error was encountered while running the model"}')
    assert caught.value.exit_code == EXIT_PROVIDER


def test_eof_without_done_is_truncated():
    with pytest.raises(StreamError, match="stream ended before the server finished"):
        feed(chat("partial"))


def test_invalid_json_line():
    with pytest.raises(StreamError, match="invalid JSON in stream event: nope"):
        OllamaStreamParser().feed_line(b"nope")


def test_pretty_printed_objects_are_reassembled():
    body = json.dumps(chat("a"), indent=2).encode() + b"\n" + json.dumps({**chat("b"), **FINAL}, indent=2).encode() + b"\n"
    events = list(events_of("ollama", [body[i:i + 5] for i in range(0, len(body), 5)]))
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["a", "b"]
    assert events[-1] == Done("stop")


def test_unfinished_pretty_object_at_eof_is_invalid():
    with pytest.raises(StreamError, match="invalid JSON"):
        list(events_of("ollama", [b'{\n  "message": {\n']))


def test_unknown_fields_and_non_objects_are_ignored():
    assert feed(["x"], {"message": {"content": "a", "images": None}, "done": True, "weird": 1}) == [TextDelta("a"), Done(None)]


def test_iter_delivers_text_before_the_error():
    body = b'{"response":" Yes","done":false}\n{"response":".","done":false}\n{"error":"boom"}\n'
    got = []
    with pytest.raises(StreamError, match="boom"):
        for event in events_of("ollama", [body[i:i + 3] for i in range(0, len(body), 3)]):
            got.append(event)
    assert got == [TextDelta(" Yes"), TextDelta(".")]


def test_non_stream_response():
    body = {"message": {"role": "assistant", "content": "The answer is 2."}, "done": True, "done_reason": "stop",
            "prompt_eval_count": 19, "eval_count": 14}
    assert parse_ollama_response(body) == [TextDelta("The answer is 2."),
                                           Usage(19, 14, 33, {"prompt_eval_count": 19, "eval_count": 14}), Done("stop")]
    assert parse_ollama_response({"response": "x"}) == [TextDelta("x"), Done(None)]


def test_non_stream_error_body():
    with pytest.raises(StreamError, match="model 'x' not found"):
        parse_ollama_response({"error": "model 'x' not found"})
    with pytest.raises(RevkaError):
        parse_ollama_response(None)  # type: ignore[arg-type]
