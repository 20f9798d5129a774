"""Hostile HTTP answers, byte-exact over 127.0.0.1: bombs, malformed headers, bad redirects.

Issue 13 §2 and §6: compressed bodies are inflated in bounded pieces, error bodies are read only in
part, malformed headers are a malformed response (exit 1, not retried) and a Location header that
is no http(s) URL is a clear exit 1, never "internal error".
"""

from __future__ import annotations

import gzip
import zlib

import pytest

from revka_cli.errors import AuthError, ProviderError
from revka_cli.transport.http import HttpClient
from revka_cli.transport.answers import ERROR_BODY_LIMIT, check_status, read_body
from revka_cli.transport.inflate import PIECE, BodyDecodeError, decoded_pieces
from revka_cli.transport.policy import RetryPolicy, Timeouts
from tests.servers import Reply

MiB = 1024 * 1024
PATH = "/v1/chat/completions"


def client(retries=2):
    return HttpClient(Timeouts(connect=2, overall=10), RetryPolicy(retries, 100), sleep=lambda s: None)


def config(write_config, server, retries=2):
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n'
                 f'[reliability]\nprovider_retries = {retries}\n')


def test_a_gzip_bomb_inflates_in_bounded_pieces():
    body = gzip.compress(b"a" * (64 * MiB), 9)
    assert len(body) < 100 * 1024
    sizes = [len(piece) for piece in decoded_pieces([body[i:i + 4096] for i in range(0, len(body), 4096)],
                                                    "gzip")]
    assert max(sizes) <= PIECE and sum(sizes) == 64 * MiB


@pytest.mark.parametrize("encoding, compress", [
    ("gzip", lambda b: gzip.compress(b)), ("deflate", zlib.compress),
    ("deflate", lambda b: zlib.compress(b, wbits=-15)),  # raw deflate, as some servers send it
    ("gzip, deflate", lambda b: zlib.compress(gzip.compress(b))), ("identity", lambda b: b)])
def test_content_encodings_decode_whatever_the_read_boundaries(encoding, compress):
    data = b"data: hello\n\n" * 5000
    body = compress(data)
    for step in (1, 7, len(body)):
        reads = [body[i:i + step] for i in range(0, len(body), step)]
        assert b"".join(decoded_pieces(reads, encoding)) == data


def test_a_corrupt_gzip_body_is_a_decode_error():
    with pytest.raises(BodyDecodeError):
        list(decoded_pieces([b"this is not gzip at all"], "gzip"))


def test_whole_body_read_stops_at_its_limit_even_for_a_gzip_bomb(server):
    server.route("POST", "/x", Reply(200, [gzip.compress(b"{" + b" " * (256 * MiB), 9)],
                                     headers={"Content-Encoding": "gzip"}, chunked=False))
    stream = client().open_stream("POST", server.url + "/x", {}, {})
    with pytest.raises(ProviderError, match="larger than 1 MiB"):
        read_body(stream, limit=MiB)


def test_a_huge_error_body_keeps_its_status_class(server):
    # before: a 401 with a 1 MiB body was "the server's answer is larger than 0 MiB" (exit 1)
    server.route("POST", "/x", Reply(401, [b'{"error": {"message": "bad key"}}' + b" " * MiB],
                                     chunked=False))
    stream = client().open_stream("POST", server.url + "/x", {}, {})
    with pytest.raises(AuthError, match="HTTP 401"):
        check_status(stream)
    assert ERROR_BODY_LIMIT < MiB


def test_a_retried_5xx_reads_only_the_start_of_its_body(server):
    bomb = gzip.compress(b"x" * (128 * MiB), 9)
    server.route("POST", "/x", Reply(503, [bomb], headers={"Content-Encoding": "gzip"}, chunked=False),
                 Reply.json({"ok": 1}))
    stream = client().open_stream("POST", server.url + "/x", {}, {})
    check_status(stream)
    assert read_body(stream) == b'{"ok": 1}' and len(server.requests) == 2


@pytest.mark.parametrize("headers", [
    {f"X-Header-{i:05}": "value" for i in range(10_000)},  # 10,000 headers
    {"X-Big": "v" * MiB},  # one 1 MB header
], ids=["10k-headers", "1MB-header"])
def test_malformed_response_headers_are_exit_1_and_not_retried(server, revka, write_config, headers):
    server.route("POST", PATH, Reply(200, [b"{}"], headers=headers, chunked=False))
    config(write_config, server)
    res = revka("chat", "hi")
    assert res.exit_code == 1, res
    assert "the server sent a malformed HTTP response" in res.stderr
    assert "internal error" not in res.stderr and "retrying" not in res.stderr
    assert len(server.requests) == 1


def test_a_server_that_hangs_up_is_still_a_connection_error(server, revka, write_config):
    server.route("POST", PATH, Reply(hang=0.01))  # reads the request, closes without answering
    config(write_config, server, retries=1)
    res = revka("chat", "hi")
    assert res.exit_code == 6 and "malformed" not in res.stderr and len(server.requests) == 2


@pytest.mark.parametrize("location", [
    "http://127.0.0.1:99999/x", "javascript:alert(1)", "ftp://example.com/x", "http://[::1/x",
    "http://user:hunter2@127.0.0.1:99999/x"])
def test_a_bad_location_header_is_a_clear_exit_1(server, revka, write_config, location):
    server.route("POST", PATH, Reply(307, [], headers={"Location": location}, chunked=False))
    config(write_config, server)
    res = revka("chat", "hi")
    assert res.exit_code == 1, res
    assert "the server redirected to an invalid URL" in res.stderr
    assert "internal error" not in res.stderr and "hunter2" not in res.stderr
    assert len(server.requests) == 1
