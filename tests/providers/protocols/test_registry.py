"""Each protocol object: its URLs, headers, body and reader, asked through the registry."""

from __future__ import annotations

import pytest

from revka_cli.errors import StreamError
from revka_cli.providers import protocols
from revka_cli.providers.events import Done, TextDelta
from revka_cli.providers.protocols.base import StreamReader, iter_events
from revka_cli.providers.request import ChatRequest, Message

REQ = ChatRequest(model="m", messages=(Message("user", "hi"),), max_tokens=5, seed=3)


@pytest.mark.parametrize("name, base, expected", [
    ("openai", "http://h:8080/v1/", ("http://h:8080/v1", "http://h:8080/v1/chat/completions",
                                     "http://h:8080/v1/models")),
    ("openai", "http://h/v1/chat/completions", ("http://h/v1", "http://h/v1/chat/completions",
                                                "http://h/v1/models")),
    ("ollama", "http://h:11434/api/chat", ("http://h:11434", "http://h:11434/api/chat",
                                           "http://h:11434/api/tags")),
    ("anthropic", "https://gw/v1/messages", ("https://gw", "https://gw/v1/messages",
                                             "https://gw/v1/models")),
])
def test_urls(name, base, expected):
    assert protocols.get(name).urls(base, None) == expected


def test_headers_differ_only_where_the_protocols_do():
    openai, ollama, anthropic = (protocols.get(n) for n in ("openai", "ollama", "anthropic"))
    assert openai.auth_headers("k", "OPENAI_API_KEY") == {"Authorization": "Bearer k"}
    assert anthropic.auth_headers("k", "ANTHROPIC_API_KEY") == {"x-api-key": "k"}
    assert anthropic.auth_headers("t", "ANTHROPIC_OAUTH_TOKEN") == {"Authorization": "Bearer t"}
    assert anthropic.version_headers() == {"anthropic-version": "2023-06-01"}
    assert (openai.accept(True), ollama.accept(True)) == ("text/event-stream", "application/json")
    assert not ollama.sends_key_to_loopback and openai.sends_key_to_loopback


def test_bodies_put_each_field_where_the_protocol_wants_it():
    assert protocols.get("openai").body(REQ)["seed"] == 3
    assert protocols.get("ollama").body(REQ)["options"] == {"num_predict": 5, "seed": 3}
    assert "seed" not in protocols.get("anthropic").body(REQ)


def test_ollama_names_match_with_or_without_latest():
    ollama, openai = protocols.get("ollama"), protocols.get("openai")
    assert ollama.serves("llama3.2", ["llama3.2:latest"]) and ollama.serves("a:latest", ["a"])
    assert not openai.serves("llama3.2", ["llama3.2:latest"])


def test_for_provider_and_unknown_names():
    assert protocols.for_provider("anthropic-custom:http://x").name == "anthropic"
    assert protocols.for_provider("custom:http://x").name == "openai"
    assert protocols.for_provider("ollama").name == "ollama"
    with pytest.raises(ValueError):
        protocols.get("grpc")


def test_a_reader_split_anywhere_gives_the_same_events():
    body = (b'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\n'
            b'data: {"choices":[{"index":0,"delta":{"content":"b"},"finish_reason":"stop"}]}\n\n'
            b"data: [DONE]\n\n")
    whole = list(iter_events(protocols.get("openai").stream_reader(), [body]))
    assert [e for e in whole if isinstance(e, TextDelta)] == [TextDelta("a"), TextDelta("b")]
    assert isinstance(whole[-1], Done)
    for cut in range(1, len(body)):
        pieces = [body[:cut], body[cut:]]
        assert list(iter_events(protocols.get("openai").stream_reader(), pieces)) == whole


def test_an_error_mid_chunk_carries_the_events_before_it():
    def parse(frame):
        if frame == b"bad":
            raise StreamError("broken")
        return [TextDelta(frame.decode())]

    reader = StreamReader(lambda chunk: chunk.split(b","), lambda: [], parse, lambda: [])
    with pytest.raises(StreamError) as caught:
        reader.feed(b"x,y,bad,z")
    assert caught.value.events == [TextDelta("x"), TextDelta("y")]
