"""NDJSONDecoder: complete, non-blank lines over arbitrary read boundaries."""

from __future__ import annotations

import json
import time

from revka_cli.providers.protocols.ndjson import NDJSONDecoder


def lines(*chunks: bytes) -> list[bytes]:
    decoder = NDJSONDecoder()
    out = [line for chunk in chunks for line in decoder.feed(chunk)]
    return out + decoder.flush()


def test_complete_lines_come_out_as_they_end():
    decoder = NDJSONDecoder()
    assert decoder.feed(b'{"a":1}\n{"b"') == [b'{"a":1}']
    assert decoder.feed(b":2}") == []
    assert decoder.feed(b"\n") == [b'{"b":2}']
    assert decoder.flush() == []


def test_final_object_without_newline_counts():
    assert lines(b'{"a":1}\n{"done":true}') == [b'{"a":1}', b'{"done":true}']
    assert lines(b'{"done":true}') == [b'{"done":true}']


def test_blank_lines_and_crlf_are_dropped():
    assert lines(b'\n\n{"a":1}\r\n  \r\n{"b":2}\r\n\n') == [b'{"a":1}', b'{"b":2}']
    assert lines(b"  \n\n") == []
    assert lines() == []


def test_multibyte_utf8_split_at_every_position():
    body = '{"response":"😊 ×°F"}\n'.encode()
    for cut in range(len(body) + 1):
        got = lines(body[:cut], body[cut:])
        assert [json.loads(x) for x in got] == [{"response": "😊 ×°F"}], cut


def test_one_byte_chunks():
    body = b'{"a":1}\n{"b":2}\n{"c":3}'
    assert lines(*[body[i:i + 1] for i in range(len(body))]) == [b'{"a":1}', b'{"b":2}', b'{"c":3}']


def test_long_line_in_small_chunks_is_linear():
    body = b'{"x":"' + b"y" * 300_000 + b'"}\n'
    start = time.perf_counter()
    got = lines(*[body[i:i + 16] for i in range(0, len(body), 16)])
    assert time.perf_counter() - start < 2.0
    assert got == [body.strip()]
