"""OpenAIStreamParser and parse_openai_response: the CHECKLIST 1-25 rules on small hand-made chunks."""

from __future__ import annotations

import json

import pytest

from revka_cli.errors import EXIT_PROVIDER, EXIT_RATE_OR_SERVER, RevkaError, StreamError
from revka_cli.errors import RetryableStreamError
from revka_cli.providers.events import ChatResult, Done, ReasoningDelta, TextDelta, ToolCall, Usage
from revka_cli.providers.protocols.openai_answer import parse_openai_response
from revka_cli.providers.protocols.openai_stream import OpenAIStreamParser
from revka_cli.providers.protocols.sse import SSEEvent


def events_of(protocol: str, chunks):
    """The events of a whole byte stream, through the protocol object's reader."""
    from revka_cli.providers import protocols
    from revka_cli.providers.protocols.base import iter_events

    return iter_events(protocols.get(protocol).stream_reader(), chunks)


def chunk(delta=None, finish=None, index=0, **extra) -> dict:
    choice = {"index": index, "delta": delta or {}, "finish_reason": finish}
    return {"object": "chat.completion.chunk", "choices": [choice], **extra}


def feed(*frames, done=True, finish=True):
    """Events for frames (dicts become `data: <json>`, strings are raw data, (event, data) pairs)."""
    parser = OpenAIStreamParser()
    events = []
    for frame in frames:
        if isinstance(frame, tuple):
            sse = SSEEvent(frame[0], frame[1])
        else:
            sse = SSEEvent(None, frame if isinstance(frame, str) else json.dumps(frame))
        events += parser.feed_event(sse)
    if done:
        events += parser.feed_event(SSEEvent(None, "[DONE]"))
    if finish:
        events += parser.finish()
    return events


def result(events) -> ChatResult:
    chat = ChatResult()
    for event in events:
        chat.apply(event)
    return chat


def test_role_only_and_null_content_chunks_print_nothing():
    events = feed(chunk({"role": "assistant", "content": ""}), chunk({"role": "assistant", "content": None}),
                  chunk({"role": None, "content": "hi"}), chunk(finish="stop"))
    assert events == [TextDelta("hi"), Done("stop")]


def test_refusal_is_shown_as_text():
    events = feed(chunk({"content": None, "refusal": ""}), chunk({"refusal": "I can't"}), chunk(finish="stop"))
    assert result(events).text == "I can't"


@pytest.mark.parametrize("key", ["reasoning_content", "reasoning"])
def test_reasoning_under_either_name(key):
    events = feed(chunk({key: "think", "content": None}), chunk({"content": "ok"}), chunk(finish="stop"))
    assert (result(events).reasoning, result(events).text) == ("think", "ok")


def test_reasoning_sent_under_both_names_and_details_is_printed_once():
    delta = {"reasoning_content": "abc", "reasoning": "abc",
             "reasoning_details": [{"type": "reasoning.text", "text": "abc"}]}
    assert result(feed(chunk(delta), chunk(finish="stop"))).reasoning == "abc"


def test_tool_call_fragments_merge_by_index_and_keep_order():
    events = feed(
        chunk({"tool_calls": [{"index": 0, "id": "a", "type": "function", "function": {"name": "f", "arguments": ""}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"x":'}}]}),
        chunk({"tool_calls": [{"index": 1, "id": "b", "function": {"name": "g", "arguments": "{}"}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": "1}"}}]}),
        chunk(finish="tool_calls"))
    assert events == [ToolCall(0, "a", "f", '{"x":1}'), ToolCall(1, "b", "g", "{}"), Done("tool_calls")]


def test_resent_tool_call_is_merged_not_duplicated():
    call = {"index": 0, "id": "0", "function": {"name": "llm_version", "arguments": ""}}
    again = {"index": 0, "id": "0", "function": {"name": "llm_version", "arguments": "{}"}}
    events = feed(chunk({"tool_calls": [call]}), chunk({"tool_calls": [again]}))
    assert [e for e in events if isinstance(e, ToolCall)] == [ToolCall(0, "0", "llm_version", "{}")]


def test_whole_call_resent_with_full_arguments_keeps_one_copy():
    call = {"index": 0, "id": "c", "function": {"name": "f", "arguments": '{"a": 1}'}}
    events = feed(chunk({"tool_calls": [call]}), chunk({"tool_calls": [call]}), chunk(finish="tool_calls"))
    assert events[0] == ToolCall(0, "c", "f", '{"a": 1}')


def test_id_repeated_on_every_fragment_still_concatenates():
    frags = ['{"a"', ': 1', "}"]
    frames = [chunk({"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f", "arguments": a}}]})
              for a in frags]
    assert feed(*frames, chunk(finish="tool_calls"))[0] == ToolCall(0, "c", "f", '{"a": 1}')


@pytest.mark.parametrize("arguments", [None, "", "MISSING"])
def test_absent_or_null_arguments_become_empty_object(arguments):
    function = {"name": "f"} if arguments == "MISSING" else {"name": "f", "arguments": arguments}
    events = feed(chunk({"tool_calls": [{"index": 0, "id": "x", "function": function}]}),
                  chunk({"tool_calls": [{"index": 0, "function": {"arguments": None}}]}), chunk(finish="tool_calls"))
    assert events[0] == ToolCall(0, "x", "f", "{}")


def test_object_arguments_are_serialised():
    events = feed(chunk({"tool_calls": [{"index": 0, "id": "x", "function": {"name": "f", "arguments": {"a": "é"}}}]}),
                  chunk(finish="tool_calls"))
    assert events[0] == ToolCall(0, "x", "f", '{"a": "é"}')


def test_fragments_without_index():
    events = feed(chunk({"tool_calls": [{"id": "a", "function": {"name": "f", "arguments": "{"}}]}),
                  chunk({"tool_calls": [{"function": {"arguments": "}"}}]}),
                  chunk({"tool_calls": [{"id": "b", "function": {"name": "g", "arguments": "{}"}}]}), chunk(finish="stop"))
    assert [(e.index, e.id, e.arguments) for e in events if isinstance(e, ToolCall)] == [(0, "a", "{}"), (1, "b", "{}")]


def test_tool_calls_without_finish_reason_report_tool_calls():
    events = feed(chunk({"tool_calls": [{"index": 0, "id": "0", "function": {"name": "f", "arguments": "{}"}}]}))
    assert events[-1] == Done("tool_calls")
    events = feed(chunk({"tool_calls": [{"index": 0, "id": "0", "function": {"name": "f"}}]}), chunk(finish="stop"))
    assert events[-1] == Done("tool_calls")


def test_tool_call_cut_by_length_is_incomplete():
    events = feed(chunk({"tool_calls": [{"index": 0, "id": "x", "function": {"name": "f", "arguments": '{"a": "'}}]}),
                  chunk(finish="length"))
    assert events == [ToolCall(0, "x", "f", '{"a": "', complete=False), Done("length")]


def test_finish_reason_is_never_erased_and_done_comes_once():
    events = feed(chunk({"content": "a"}, finish="length"), chunk({"content": ""}, finish="length"),
                  chunk({"content": ""}, finish=None, usage={"prompt_tokens": 1, "completion_tokens": 2}))
    assert [e for e in events if isinstance(e, Done)] == [Done("length")]
    assert result(events).finish_reason == "length"


@pytest.mark.parametrize(("word", "normal"), [("stop", "stop"), ("length", "length"), ("content_filter", "content_filter"),
                                              ("eos_token", "stop"), ("function_call", "tool_calls"), ("odd", "odd")])
def test_finish_reason_words(word, normal):
    assert feed(chunk(finish=word))[-1] == Done(normal)


def test_usage_from_empty_choices_chunk_and_usage_null_ignored():
    usage = {"prompt_tokens": 14, "completion_tokens": 30, "total_tokens": 44}
    events = feed(chunk({"content": "a"}, usage=None), chunk(finish="stop", usage=None), {"choices": [], "usage": usage})
    assert events[-1] == Usage(14, 30, 44, usage)


def test_usage_on_finish_chunk_and_total_computed():
    events = feed(chunk({"content": "a"}, finish="stop", usage={"prompt_tokens": 2, "completion_tokens": 3}))
    assert events[-1] == Usage(2, 3, 5, {"prompt_tokens": 2, "completion_tokens": 3})


def test_llamacpp_timings_ride_along_with_usage_or_alone():
    timings = {"prompt_n": 36, "predicted_n": 3, "predicted_ms": 171.5}
    events = feed(chunk(finish="stop"), {"choices": [], "usage": {"prompt_tokens": 36}, "timings": timings})
    assert events[-1].raw == {"prompt_tokens": 36, "timings": timings}
    events = feed(chunk(finish="stop", timings=timings))
    assert events[-1] == Usage(36, 3, 39, {"timings": timings})


def test_n_choices_are_routed_by_index():
    events = feed(chunk({"content": "a"}, index=0), chunk({"content": "b"}, index=1), chunk({"content": "c"}, index=0),
                  chunk(finish="stop", index=1), chunk(finish="length", index=0))
    assert result(events).text == "ac"
    assert [e.text for e in events if isinstance(e, TextDelta) and e.choice == 1] == ["b"]
    assert [(d.choice, d.finish_reason) for d in events if isinstance(d, Done)] == [(1, "stop"), (0, "length")]


def test_unknown_fields_are_ignored():
    frame = chunk({"content": "a", "channel": "analysis"}, obfuscation="xx", service_tier="default",
                  system_fingerprint=None, provider="p", cost=0.1)
    frame["choices"][0].update(logprobs={"content": []}, native_finish_reason=None, stop_reason=None)
    assert feed(frame, chunk(finish="stop")) == [TextDelta("a"), Done("stop")]


def test_blank_data_and_frames_after_done_are_ignored():
    parser = OpenAIStreamParser()
    assert parser.feed_event(SSEEvent(None, "  ")) == []
    assert parser.feed_event(SSEEvent(None, "[DONE]")) == []
    assert parser.feed_event(SSEEvent(None, "not json")) == []
    assert parser.finish() == []


def test_finish_reason_without_done_marker_is_complete():
    assert feed(chunk({"content": "a"}), chunk(finish="stop"), done=False) == [TextDelta("a"), Done("stop")]


def test_truncated_stream_raises_after_incomplete_tool_calls():
    parser = OpenAIStreamParser()
    parser.feed_event(SSEEvent(None, json.dumps(chunk({"tool_calls": [
        {"index": 0, "id": "x", "function": {"name": "f", "arguments": '{"a'}}]}))))
    with pytest.raises(StreamError, match=r"no finish_reason, no \[DONE\]") as caught:
        parser.finish()
    assert caught.value.exit_code == EXIT_PROVIDER
    assert caught.value.events == [ToolCall(0, "x", "f", '{"a', complete=False)]


def test_empty_stream_is_truncated():
    with pytest.raises(StreamError):
        OpenAIStreamParser().finish()


def test_invalid_json_reports_first_80_chars():
    with pytest.raises(StreamError) as caught:
        feed("{" + "x" * 200)
    assert str(caught.value) == "invalid JSON in stream event: {" + "x" * 79


@pytest.mark.parametrize(("error", "exit_code"), [
    ({"message": "bad tool", "type": "invalid_request_error", "code": "tool_use_failed", "status_code": 400}, 1),
    ({"message": "slow down", "type": "rate_limit_exceeded"}, 7),
    ({"message": "busy", "code": 503}, 7),
    ({"message": "busy", "status_code": 502}, 7),
    ({"message": "too many", "code": "429"}, 7),
    ({"message": "Overloaded", "type": "overloaded_error"}, 7),
])
def test_event_error_frame(error, exit_code):
    with pytest.raises(StreamError, match=error["message"]) as caught:
        feed(chunk({"reasoning": "r"}), ("error", json.dumps({"error": error})), done=False)
    assert caught.value.exit_code == exit_code
    assert isinstance(caught.value, RetryableStreamError) is (exit_code == EXIT_RATE_OR_SERVER)


def test_event_error_with_plain_text_data():
    with pytest.raises(StreamError, match="upstream died"):
        feed(("error", "upstream died"), done=False)


def test_bare_error_frame():
    frame = {"error": {"code": 400, "message": "request exceeds the available context size",
                       "type": "exceed_context_size_error"}}
    with pytest.raises(StreamError, match="exceeds the available context size") as caught:
        feed(frame)
    assert caught.value.exit_code == EXIT_PROVIDER


def test_vllm_style_error_object():
    with pytest.raises(StreamError, match="boom"):
        feed({"object": "error", "message": "boom", "type": "BadRequestError", "code": 400})


def test_error_inside_normal_chunk_keeps_its_usage_and_text():
    frame = chunk({"content": "tail"}, error={"code": 400, "message": "Token limit reached"},
                  usage={"prompt_tokens": 43, "completion_tokens": 10})
    body = (b'data: {"choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"length"}]}\n\n'
            + b"data: " + json.dumps(frame).encode() + b"\n\ndata: [DONE]\n\n")
    got = []
    with pytest.raises(StreamError, match="Token limit reached"):
        for event in events_of("openai", [body]):
            got.append(event)
    assert got == [TextDelta("a"), Done("length"), TextDelta("tail"),
                   Usage(43, 10, 53, {"prompt_tokens": 43, "completion_tokens": 10})]


def test_iter_openai_events_delivers_partial_output_then_raises():
    body = b'data: {"choices":[{"index":0,"delta":{"content":"par"}}]}\n\ndata: {"choices":[{"index":0,"delta":{"content":"tial"}}]}\n'
    got = []
    with pytest.raises(StreamError, match="stream ended before the server finished") as caught:
        for event in events_of("openai", [body[:30], body[30:]]):
            got.append(event)
    assert got == [TextDelta("par"), TextDelta("tial")]
    assert caught.value.events == []


def test_non_stream_response():
    body = {"choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": "hi", "reasoning_content": "hmm",
        "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a":1}'}},
                       {"id": "c2", "type": "function", "function": {"name": "g", "arguments": ""}}]}}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}}
    assert parse_openai_response(body) == [
        ReasoningDelta("hmm"), TextDelta("hi"), ToolCall(0, "c1", "f", '{"a":1}'), ToolCall(1, "c2", "g", "{}"),
        Done("tool_calls"), Usage(5, 7, 12, body["usage"])]


def test_non_stream_refusal_reasoning_and_content_parts():
    body = {"choices": [{"message": {"content": None, "refusal": "no", "reasoning": "r"}, "finish_reason": "stop"},
                        {"index": 1, "message": {"content": [{"type": "text", "text": "a"}, {"type": "image"}]}}]}
    assert parse_openai_response(body) == [ReasoningDelta("r"), TextDelta("no"), Done("stop"),
                                           TextDelta("a", 1), Done(None, 1)]


def test_non_stream_error_body_and_garbage():
    with pytest.raises(StreamError, match="Rate limit exceeded") as caught:
        parse_openai_response({"error": {"message": "Rate limit exceeded", "code": 429}})
    assert caught.value.exit_code == EXIT_RATE_OR_SERVER
    with pytest.raises(RevkaError):
        parse_openai_response([1, 2])  # type: ignore[arg-type]
    assert parse_openai_response({"choices": "nope"}) == []
