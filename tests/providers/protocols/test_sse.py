"""SSEDecoder: WHATWG event-stream rules, over arbitrary read boundaries."""

from __future__ import annotations

import time

import pytest

from revka_cli.providers.protocols.sse import SSEDecoder, SSEEvent


def decode(*chunks: bytes) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events = [e for chunk in chunks for e in decoder.feed(chunk)]
    return events + decoder.flush()


def datas(*chunks: bytes) -> list[str]:
    return [e.data for e in decode(*chunks)]


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
def test_line_ends(end):
    body = b"data: one" + end + end + b"event: x" + end + b"data: two" + end + end
    assert decode(body) == [SSEEvent(None, "one"), SSEEvent("x", "two")]


def test_cr_at_chunk_end_and_lf_at_next_start_are_one_line_end():
    # if they were two line ends, the LF would be a blank line and dispatch "a" alone
    assert datas(b"data: a\r", b"\ndata: b\r\n\r\n") == ["a\nb"]
    assert datas(b"data: a\r", b"\n", b"\r", b"\n") == ["a"]


def test_lone_cr_then_cr_is_a_blank_line():
    assert datas(b"data: a\r", b"\rdata: b\r\r") == ["a", "b"]


def test_data_with_or_without_one_space():
    assert datas(b"data:x\n\ndata: y\n\ndata:  z\n\n") == ["x", "y", " z"]
    assert datas(b"data:[DONE]\n\n") == ["[DONE]"]


def test_multiple_data_lines_are_joined_with_newlines():
    assert datas(b"data: a\ndata:\ndata: c\n\n") == ["a\n\nc"]


def test_empty_data_line_dispatches_an_empty_event():
    assert datas(b"data:\n\n") == [""]
    assert datas(b"data\n\n") == [""]


def test_comments_are_ignored_anywhere():
    body = b": OPENROUTER PROCESSING\n\ndata: a\n: ping - 2025-01-01\ndata: b\n\n:\n\n"
    assert datas(body) == ["a\nb"]


def test_line_starting_with_a_space_is_an_unknown_field():
    assert datas(b' data: {"x":1}\n\ndata: kept\n\n') == ["kept"]


def test_event_without_data_is_not_dispatched_and_blank_line_resets_type():
    assert decode(b"event: lonely\n\ndata: a\n\n") == [SSEEvent(None, "a")]
    assert decode(b"event: x\n\n\ndata: a\n\n") == [SSEEvent(None, "a")]


def test_event_name_and_id_persistence_and_retry():
    decoder = SSEDecoder()
    events = decoder.feed(b"id: 7\nevent: ping\ndata: a\n\ndata: b\n\nid\ndata: c\nretry: 1500\n\n")
    assert events == [SSEEvent("ping", "a", "7"), SSEEvent(None, "b", "7"), SSEEvent(None, "c", "")]
    assert decoder.retry == 1500
    decoder.feed(b"retry: soon\nid: a\0b\ndata: d\n\n")
    assert decoder.retry == 1500


def test_unknown_fields_and_field_without_value():
    assert decode(b"foo: bar\nevent\ndata: a\n\n") == [SSEEvent(None, "a")]


@pytest.mark.parametrize("split", [0, 1, 2, 3, 4])
def test_bom_at_start_is_stripped_even_when_split(split):
    body = b"\xef\xbb\xbfdata: a\n\n"
    assert datas(body[:split], body[split:]) == ["a"]


def test_bom_later_in_the_stream_is_data():
    assert datas(b"data: a\n\n\xef\xbb\xbfdata: b\n\n") == ["a"]  # "\ufeffdata" is an unknown field
    assert datas(b"data: \xef\xbb\xbfb\n\n") == ["\ufeffb"]


def test_short_stream_that_looks_like_a_bom_prefix():
    assert decode(b"\xef") == []
    assert decode(b"\xef", b"\xbb") == []
    assert datas(b"\xef", b"data: x\n\n") == []  # "\ufffddata" is not "data"


def test_multibyte_utf8_split_at_every_position():
    body = "data: ×°F 😊 café\n\n".encode()
    for cut in range(len(body) + 1):
        assert datas(body[:cut], body[cut:]) == ["×°F 😊 café"], cut
    assert datas(*[body[i:i + 1] for i in range(len(body))]) == ["×°F 😊 café"]


def test_invalid_utf8_becomes_replacement_character():
    assert datas(b"data: a\xffb\n\n") == ["a\ufffdb"]


def test_flush_dispatches_last_event_without_blank_line():
    assert datas(b"data: a\n\ndata: b\n") == ["a", "b"]
    assert datas(b"data: a\n\ndata: b") == ["a", "b"]
    assert datas(b"data: a\r") == ["a"]
    assert decode(b"event: error\ndata: x\n") == [SSEEvent("error", "x")]
    assert decode() == []


def test_flush_resets_the_decoder():
    decoder = SSEDecoder()
    decoder.feed(b"data: a")
    assert [e.data for e in decoder.flush()] == ["a"]
    assert decoder.flush() == []


def test_events_arrive_as_soon_as_their_blank_line_does():
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n") == []
    assert decoder.feed(b"\n") == [SSEEvent(None, "a")]
    assert decoder.feed(b"data: b\r\n\r") == [SSEEvent(None, "b")]
    assert decoder.feed(b"\n") == []


def test_many_blank_lines_and_empty_chunks():
    assert datas(b"\n\n\n", b"", b"data: a\n\n\n\n\n", b"") == ["a"]


def test_long_event_in_small_chunks_is_linear():
    payload = b"x" * 300_000
    body = b"data: " + payload + b"\n\n"
    start = time.perf_counter()
    decoder = SSEDecoder()
    events = [e for i in range(0, len(body), 16) for e in decoder.feed(body[i:i + 16])]
    assert time.perf_counter() - start < 2.0
    assert [e.data for e in events] == [payload.decode()]
