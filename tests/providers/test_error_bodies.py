"""error_message / stream_error_is_retryable over every error-body shape."""

from __future__ import annotations

import json

import pytest

from revka_cli.providers.error_bodies import MAX_SNIPPET, error_message, message_from_json, stream_error_is_retryable


def js(obj) -> bytes:
    return json.dumps(obj).encode()


@pytest.mark.parametrize(("body", "message"), [
    ({"error": {"message": "Bad thing", "type": "invalid_request_error", "param": None, "code": None}}, "Bad thing"),
    ({"error": {"message": "Bad thing", "type": "invalid_request_error", "code": "unsupported_value"}}, "Bad thing"),
    ({"error": {"message": "Rate limit exceeded", "code": 429, "metadata": {"headers": {}, "provider_name": None}},
      "user_id": "u"}, "Rate limit exceeded"),
    ({"error": {"message": "Provider returned error", "code": 502,
                "metadata": {"raw": "upstream timeout", "provider_name": "Venice"}}},
     "Provider returned error: upstream timeout (provider: Venice)"),
    ({"type": "error", "error": {"type": "not_found_error", "message": "model: x"}, "request_id": "r"}, "model: x"),
    ({"error": "model 'llama3' not found"}, "model 'llama3' not found"),
    ({"object": "error", "message": "vllm says no", "type": "BadRequestError", "code": 400}, "vllm says no"),
    ({"detail": "Not Found"}, "Not Found"),
    ({"detail": [{"loc": ["body"], "msg": "field required"}, {"msg": "bad type"}]}, "field required; bad type"),
    ({"message": "plain message"}, "plain message"),
    ({"error": {"type": "overloaded_error"}}, "overloaded_error"),
    ({"error": {"code": 500}}, "500"),
    ([{"error": {"code": 400, "message": "google style", "status": "INVALID_ARGUMENT"}}], "google style"),
])
def test_json_shapes(body, message):
    assert error_message(js(body), "application/json") == message


def test_json_without_a_message_falls_back_to_text():
    assert error_message(b'{"status": "bad"}', "application/json") == '{"status": "bad"}'
    assert error_message(b"[1, 2]", None) == "[1, 2]"


def test_empty_and_whitespace_bodies():
    assert error_message(b"", "application/json") == ""
    assert error_message(b"  \n", None) == ""


def test_plain_text_is_cleaned_and_shortened():
    assert error_message(b"upstream   connect error\n or disconnect", "text/plain") == "upstream connect error or disconnect"
    long = error_message(b"x" * 1000, "text/plain")
    assert len(long) == MAX_SNIPPET and long.endswith("…")


def test_html_page_gives_its_title():
    page = (b"<html><head><title>502 Bad Gateway</title><style>body{}</style></head>"
            b"<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
    assert error_message(page, "text/html") == "502 Bad Gateway"


def test_html_without_title_is_stripped():
    page = b"<html><body><script>var a=1;</script><p>Service &amp; stuff</p>\n<p>unavailable</p></body></html>"
    assert error_message(page, "text/html") == "Service & stuff unavailable"


def test_invalid_json_and_invalid_utf8_do_not_crash():
    assert error_message(b'{"error": ', "application/json") == '{"error":'
    assert error_message(b"\xff\xfe oops", None) == "\ufffd\ufffd oops"
    assert error_message(b"[" * 100_000, "application/json").startswith("[[[")


def test_message_from_json_non_dicts():
    assert message_from_json("text") == "text"
    assert message_from_json(3) == ""
    assert message_from_json([]) == ""


@pytest.mark.parametrize(("obj", "retryable"), [
    ({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}, True),
    ({"error": {"type": "rate_limit_error"}}, True),
    ({"error": {"type": "api_error"}}, True),
    ({"error": {"message": "x", "code": 429}}, True),
    ({"error": {"message": "x", "code": "429"}}, True),
    ({"error": {"message": "x", "status_code": 503}}, True),
    ({"error": {"message": "x", "code": "rate_limit_exceeded"}}, True),
    ({"error": {"type": "server_error"}}, True),
    ({"type": "overloaded_error", "message": "inner object passed directly"}, True),
    ({"error": {"message": "x", "code": 400, "type": "exceed_context_size_error"}}, False),
    ({"error": {"message": "x", "type": "invalid_request_error", "code": "tool_use_failed", "status_code": 400}}, False),
    ({"error": {"message": "x", "code": True}}, False),
    ({"error": "an error was encountered while running the model"}, False),
    ({"error": "server overloaded"}, True),
    ("rate limit reached", True),
    ("nope", False),
    (None, False),
    ([1], False),
])
def test_retryable(obj, retryable):
    assert stream_error_is_retryable(obj) is retryable
