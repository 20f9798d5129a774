"""AnthropicStreamParser and parse_anthropic_response: CHECKLIST 26-32 on small hand-made streams."""

from __future__ import annotations

import json

import pytest

from revka_cli.errors import EXIT_PROVIDER, EXIT_RATE_OR_SERVER, RevkaError, StreamError
from revka_cli.providers.protocols.anthropic_stream import AnthropicStreamParser, parse_anthropic_response
from revka_cli.providers.events import Done, ReasoningDelta, TextDelta, ToolCall, Usage
from revka_cli.providers.protocols.sse import SSEEvent

START = {"type": "message_start", "message": {"id": "msg_1", "usage": {"input_tokens": 10, "output_tokens": 1}}}


def events_of(protocol: str, chunks):
    """The events of a whole byte stream, through the protocol object's reader."""
    from revka_cli.providers import protocols
    from revka_cli.providers.protocols.base import iter_events

    return iter_events(protocols.get(protocol).stream_reader(), chunks)


def block_start(index, block):
    return {"type": "content_block_start", "index": index, "content_block": block}


def delta(index, **body):
    return {"type": "content_block_delta", "index": index, "delta": body}


def stop(index):
    return {"type": "content_block_stop", "index": index}


def message_delta(reason, usage=None, sequence=None):
    frame = {"type": "message_delta", "delta": {"stop_reason": reason, "stop_sequence": sequence}}
    return {**frame, "usage": usage} if usage is not None else frame


def feed(*frames, parser=None, finish=True):
    parser = parser or AnthropicStreamParser()
    events = []
    for frame in frames:
        name = frame.get("type") if isinstance(frame, dict) else None
        events += parser.feed_event(SSEEvent(name, json.dumps(frame) if isinstance(frame, dict) else frame))
    return events + (parser.finish() if finish else [])


def test_text_stream_with_ping_between_deltas():
    events = feed(START, block_start(0, {"type": "text", "text": ""}), delta(0, type="text_delta", text="1"),
                  {"type": "ping"}, delta(0, type="text_delta", text="2"), stop(0),
                  message_delta("end_turn", {"output_tokens": 5}), {"type": "message_stop"})
    assert events == [Usage(10, 1, 11, {"input_tokens": 10, "output_tokens": 1}), TextDelta("1"), TextDelta("2"),
                      Usage(10, 5, 15, {"input_tokens": 10, "output_tokens": 5}), Done("stop")]


def test_usage_is_cumulative_not_added():
    events = feed(START, message_delta("end_turn", {"input_tokens": 10, "output_tokens": 7}),
                  message_delta("end_turn", {"output_tokens": 9}), {"type": "message_stop"})
    assert [e for e in events if isinstance(e, Usage)][-1] == Usage(10, 9, 19, {"input_tokens": 10, "output_tokens": 9})


def test_usage_may_be_missing_everywhere():
    events = feed({"type": "message_start", "message": {"id": "m"}}, message_delta("end_turn"), {"type": "message_stop"})
    assert events == [Done("stop")]


def test_thinking_then_signature_then_tool_use():
    parser = AnthropicStreamParser()
    events = feed(START, block_start(0, {"type": "thinking", "thinking": ""}),
                  delta(0, type="thinking_delta", thinking="hmm"), delta(0, type="thinking_delta", thinking=""),
                  delta(0, type="signature_delta", signature="c2ln"), stop(0),
                  block_start(1, {"type": "tool_use", "id": "t1", "name": "f", "input": {}}),
                  delta(1, type="input_json_delta", partial_json=""),
                  delta(1, type="input_json_delta", partial_json='{"a": '),
                  delta(1, type="input_json_delta", partial_json="1}"), stop(1),
                  message_delta("tool_use"), {"type": "message_stop"}, parser=parser)
    assert [e for e in events if not isinstance(e, Usage)] == [
        ReasoningDelta("hmm"), ToolCall(0, "t1", "f", '{"a": 1}'), Done("tool_calls")]
    assert parser.signatures == {0: "c2ln"}
    assert parser.message_id == "msg_1"


def test_empty_tool_input_is_empty_object_and_parallel_blocks_keep_order():
    events = feed(block_start(0, {"type": "tool_use", "id": "a", "name": "f", "input": {}}),
                  block_start(1, {"type": "tool_use", "id": "b", "name": "f", "input": {}}),
                  delta(0, type="input_json_delta", partial_json=""), stop(0),
                  delta(1, type="input_json_delta", partial_json=""), stop(1),
                  message_delta("tool_use"), {"type": "message_stop"})
    assert events == [ToolCall(0, "a", "f", "{}"), ToolCall(1, "b", "f", "{}"), Done("tool_calls")]


def test_tool_use_cut_by_max_tokens_is_incomplete():
    events = feed(block_start(0, {"type": "text", "text": ""}), delta(0, type="text_delta", text="ok"), stop(0),
                  block_start(1, {"type": "tool_use", "id": "t", "name": "make_file", "input": {}}),
                  delta(1, type="input_json_delta", partial_json='{"filename": "tax'),
                  message_delta("max_tokens"), {"type": "message_stop"})
    assert events == [TextDelta("ok"), ToolCall(0, "t", "make_file", '{"filename": "tax', complete=False),
                      Done("length")]


@pytest.mark.parametrize(("reason", "normal"), [
    ("end_turn", "stop"), ("max_tokens", "length"), ("tool_use", "tool_calls"), ("stop_sequence", "stop_sequence"),
    ("refusal", "refusal"), ("pause_turn", "pause_turn"), ("model_context_window_exceeded", "length")])
def test_stop_reasons(reason, normal):
    assert feed(message_delta(reason), {"type": "message_stop"})[-1] == Done(normal)


def test_stop_sequence_is_reported():
    assert feed(message_delta("stop_sequence", sequence="```"), {"type": "message_stop"}) == [
        Done("stop_sequence", stop_sequence="```")]


def test_unknown_blocks_deltas_and_events_are_skipped():
    events = feed(block_start(0, {"type": "server_tool_use", "id": "s", "name": "web_search", "input": {}}),
                  delta(0, type="input_json_delta", partial_json='{"query": "x"}'), stop(0),
                  block_start(1, {"type": "web_search_tool_result", "content": []}), stop(1),
                  block_start(2, {"type": "text", "text": ""}), delta(2, type="citations_delta", citation={}),
                  delta(2, type="text_delta", text="t"), stop(2),
                  block_start(3, {"type": "compaction"}), delta(3, type="compaction_delta", content="c"), stop(3),
                  block_start(4, {"type": "redacted_thinking", "data": "x"}), stop(4),
                  {"type": "brand_new_event"}, message_delta("end_turn"), {"type": "message_stop"})
    assert events == [TextDelta("t"), Done("stop")]


def test_text_in_content_block_start_is_kept():
    assert feed(block_start(0, {"type": "text", "text": "pre"}), message_delta("end_turn"))[0] == TextDelta("pre")


def test_eof_after_stop_reason_without_message_stop_is_fine():
    assert feed(message_delta("end_turn")) == [Done("stop")]


def test_eof_without_stop_reason_is_truncated_and_reports_partial_tool():
    parser = AnthropicStreamParser()
    feed(block_start(0, {"type": "tool_use", "id": "t", "name": "f", "input": {}}),
         delta(0, type="input_json_delta", partial_json='{"a"'), parser=parser, finish=False)
    with pytest.raises(StreamError, match="stream ended before the server finished") as caught:
        parser.finish()
    assert caught.value.events == [ToolCall(0, "t", "f", '{"a"', complete=False)]


@pytest.mark.parametrize(("kind", "exit_code"), [("overloaded_error", EXIT_RATE_OR_SERVER),
                                                 ("rate_limit_error", EXIT_RATE_OR_SERVER),
                                                 ("api_error", EXIT_RATE_OR_SERVER),
                                                 ("invalid_request_error", EXIT_PROVIDER)])
def test_error_event(kind, exit_code):
    with pytest.raises(StreamError, match="Overloaded") as caught:
        feed(START, {"type": "error", "error": {"type": kind, "message": "Overloaded"}})
    assert caught.value.exit_code == exit_code


def test_error_event_with_non_json_data():
    parser = AnthropicStreamParser()
    with pytest.raises(StreamError, match="overloaded, try later") as caught:
        parser.feed_event(SSEEvent("error", "overloaded, try later"))
    assert caught.value.exit_code == EXIT_RATE_OR_SERVER


def test_padded_data_and_spaced_json_are_accepted():
    body = (b'event: message_delta\ndata: {"type": "message_delta", "delta": {"stop_reason": "end_turn"}}      \n\n'
            b'event: message_stop\ndata: {"type":"message_stop"}   ')
    assert list(events_of("anthropic", [body])) == [Done("stop")]


def test_invalid_json_raises():
    with pytest.raises(StreamError, match="invalid JSON in stream event"):
        feed("{nope")


def test_iter_delivers_text_before_the_error():
    body = (b'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
            b'"delta":{"type":"text_delta","text":"part"}}\n\n'
            b'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n')
    got = []
    with pytest.raises(StreamError) as caught:
        for event in events_of("anthropic", [body[i:i + 7] for i in range(0, len(body), 7)]):
            got.append(event)
    assert got == [TextDelta("part")] and caught.value.exit_code == EXIT_RATE_OR_SERVER


def test_non_stream_response():
    body = {"id": "m", "type": "message", "content": [
        {"type": "thinking", "thinking": "t", "signature": "s"}, {"type": "text", "text": "hi"},
        {"type": "tool_use", "id": "x", "name": "f", "input": {"a": [1]}}, {"type": "tool_use", "id": "y", "name": "g", "input": {}},
        {"type": "web_search_tool_result"}],
        "stop_reason": "tool_use", "stop_sequence": None, "usage": {"input_tokens": 3, "output_tokens": 4}}
    assert parse_anthropic_response(body) == [
        ReasoningDelta("t"), TextDelta("hi"), ToolCall(0, "x", "f", '{"a": [1]}'), ToolCall(1, "y", "g", "{}"),
        Usage(3, 4, 7, {"input_tokens": 3, "output_tokens": 4}), Done("tool_calls")]


def test_non_stream_error_body():
    with pytest.raises(StreamError, match="model: nope") as caught:
        parse_anthropic_response({"type": "error", "error": {"type": "not_found_error", "message": "model: nope"}})
    assert caught.value.exit_code == EXIT_PROVIDER
    with pytest.raises(RevkaError):
        parse_anthropic_response("x")  # type: ignore[arg-type]
