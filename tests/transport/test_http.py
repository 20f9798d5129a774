"""The transport against real sockets on 127.0.0.1."""

from __future__ import annotations

import time

import pytest

from revka_cli.errors import (
    AuthError, ConnectError, NotFoundError, ProviderError, RateLimitError, RequestTimeout,
    ServerError, StreamError,
)
from revka_cli.transport.http import HttpClient
from revka_cli.transport.answers import check_status, read_body
from revka_cli.transport.policy import RetryPolicy, Timeouts, parse_retry_after
from tests.servers import FakeServer, Reply, closed_port


def client(retries=2, sleeps=None, **timeouts):
    sleeps = [] if sleeps is None else sleeps
    return HttpClient(Timeouts(**({"connect": 2, "overall": 10} | timeouts)),
                      RetryPolicy(retries, 100), sleep=sleeps.append)


def fetch(c, url, headers=None):
    stream = c.open_stream("POST", url, headers or {}, {"x": 1})
    check_status(stream)
    return read_body(stream)


def test_retries_5xx_then_succeeds(server):
    server.route("POST", "/v1/x", Reply.json({}, 503), Reply.json({}, 502), Reply.json({"ok": 1}))
    sleeps = []
    assert fetch(client(sleeps=sleeps), server.url + "/v1/x") == b'{"ok": 1}'
    assert len(server.requests) == 3 and len(sleeps) == 2
    assert 0.05 <= sleeps[0] <= 0.1 and 0.1 <= sleeps[1] <= 0.2  # jittered doubling


def test_gives_up_after_retries_with_exit_7(server):
    server.route("POST", "/x", Reply.json({"error": {"message": "busy"}}, 503))
    with pytest.raises(ServerError) as err:
        fetch(client(retries=2), server.url + "/x")
    assert err.value.exit_code == 7 and "after 2 retries" in err.value.message
    assert len(server.requests) == 3


def test_retry_after_seconds_is_honoured_and_capped(server):
    server.route("POST", "/x", Reply.json({}, 429, headers={"Retry-After": "3"}),
                 Reply.json({}, 429, headers={"Retry-After": "999"}), Reply.json({"ok": 1}))
    sleeps = []
    fetch(client(sleeps=sleeps), server.url + "/x")
    assert sleeps == [3.0, 30.0]


def test_retry_after_http_date():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None


@pytest.mark.parametrize("status, error", [(400, ProviderError), (401, AuthError), (403, AuthError),
                                           (404, NotFoundError), (422, ProviderError)])
def test_permanent_errors_are_not_retried(server, status, error):
    server.route("POST", "/x", Reply.json({"error": "nope"}, status))
    with pytest.raises(error) as err:
        fetch(client(), server.url + "/x")
    assert len(server.requests) == 1 and f"HTTP {status}" in err.value.message
    assert type(err.value) is error


def test_rate_limit_maps_to_exit_7(server):
    server.route("POST", "/x", Reply.json({}, 429))
    with pytest.raises(RateLimitError):
        fetch(client(retries=0), server.url + "/x")


def test_connection_refused_is_retried_then_exit_6():
    sleeps = []
    with pytest.raises(ConnectError) as err:
        fetch(client(retries=1, sleeps=sleeps), f"http://127.0.0.1:{closed_port()}/x")
    assert "connection refused" in err.value.message and err.value.exit_code == 6
    assert len(sleeps) == 1


def test_dns_failure_names_dns():
    with pytest.raises(ConnectError) as err:
        fetch(client(retries=0), "http://no-such-host.invalid/x")
    assert "DNS" in err.value.message


def test_cross_origin_redirect_drops_credentials(server):
    with FakeServer() as other:
        other.route("POST", "/v1/x", Reply.json({"ok": 1}))
        server.route("POST", "/x", Reply(307, headers={"Location": f"http://localhost:{other.port}/v1/x"}))
        server.route("POST", "/same", Reply(308, headers={"Location": "/v1/y"}))
        server.route("POST", "/v1/y", Reply.json({"ok": 2}))
        secret = {"Authorization": "Bearer sk-canary", "x-api-key": "k", "api-key": "k", "X-Keep": "1"}
        assert fetch(client(), server.url + "/x", secret) == b'{"ok": 1}'
        sent = other.requests[0].headers
        assert "authorization" not in sent and "x-api-key" not in sent and "api-key" not in sent
        assert sent["x-keep"] == "1" and other.requests[0].json() == {"x": 1}
        fetch(client(), server.url + "/same", secret)
        assert server.requests[-1].headers["authorization"] == "Bearer sk-canary"


def test_redirect_loop_is_an_error(server):
    server.route("POST", "/a", Reply(302, headers={"Location": "/b"}))
    server.route("GET", "/b", Reply(302, headers={"Location": "/a"}))
    server.route("GET", "/a", Reply(302, headers={"Location": "/b"}))
    with pytest.raises(ProviderError) as err:
        fetch(client(), server.url + "/a")
    assert "redirect loop" in err.value.message


def test_server_that_never_answers_hits_the_first_token_timeout(server):
    server.route("POST", "/x", Reply(hang=5))
    start = time.monotonic()
    with pytest.raises(RequestTimeout) as err:
        fetch(client(retries=0, first_token=0.5), server.url + "/x")
    assert time.monotonic() - start < 3
    assert "first-token timeout after 0.5s" in err.value.message and err.value.exit_code == 6


def test_idle_gap_mid_stream_hits_the_step_timeout(server):
    server.route("POST", "/x", Reply.sse([b"data: 1\n\n", 5.0, b"data: 2\n\n"]))
    c = client(retries=0, step=0.5)
    stream = c.open_stream("POST", server.url + "/x", {}, {})
    got = []
    start = time.monotonic()
    with pytest.raises(RequestTimeout) as err:
        for chunk in stream.iter_bytes():
            got.append(chunk)
            stream.mark_token()
    assert got == [b"data: 1\n\n"] and time.monotonic() - start < 3
    assert "idle timeout between chunks after 0.5s" in err.value.message


def test_overall_timeout_names_itself(server):
    server.route("POST", "/x", Reply.sse([b"data: 1\n\n", 0.3, b"data: 2\n\n", 0.3, b"data: 3\n\n", 5.0]))
    stream = client(retries=0, overall=0.8).open_stream("POST", server.url + "/x", {}, {})
    with pytest.raises(RequestTimeout) as err:
        for _ in stream.iter_bytes():
            stream.mark_token()
    assert "overall timeout after 0.8s" in err.value.message


def test_connection_cut_mid_stream_is_a_stream_error(server):
    server.route("POST", "/x", Reply.sse([b"data: 1\n\n"], cut=True))
    stream = client(retries=0).open_stream("POST", server.url + "/x", {}, {})
    got = []
    with pytest.raises(StreamError):
        for chunk in stream.iter_bytes():
            got.append(chunk)
    assert got == [b"data: 1\n\n"]


def test_invalid_gzip_is_a_clear_error(server):
    server.route("POST", "/x", Reply(200, [b"not gzip at all"], headers={"Content-Encoding": "gzip"},
                                     chunked=False))
    stream = client(retries=0).open_stream("POST", server.url + "/x", {}, {})
    with pytest.raises(ProviderError) as err:
        read_body(stream)
    assert "cannot be decoded" in err.value.message


def test_plain_http_needs_no_tls_context_and_https_still_verifies(server):
    from revka_cli.transport.lazy_tls import LazyTLSTransport

    server.route("POST", "/x", Reply.json({"ok": 1}))
    c = client(retries=0)
    assert fetch(c, server.url + "/x") == b'{"ok": 1}'
    transport = c._client._transport
    assert isinstance(transport, LazyTLSTransport) and transport._tls is None
    with pytest.raises(ConnectError) as err:  # TLS to a plain-http port fails the handshake
        fetch(c, server.url.replace("http://", "https://") + "/x")
    assert transport._tls is not None and err.value.exit_code == 6
