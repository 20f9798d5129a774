"""Fixtures for `revka doctor models`: several fake servers at once, each playing one kind of
provider (healthy, refusing the key, missing the model, hanging, slow, Ollama)."""

from __future__ import annotations

import json
import time
from contextlib import ExitStack

import pytest

from tests.servers import FakeServer, Reply

CANARY = "sk-canary-d0ct0r-Q9Z8Y7X6W5V4"


def models_reply(*names: str, delay: float = 0.0) -> Reply:
    """An OpenAI-style model list, its headers sent at once and its body after `delay` s."""
    body = json.dumps({"object": "list", "data": [{"id": n, "object": "model"} for n in names]})
    return Reply(200, ([delay] if delay else []) + [body.encode()])


def delayed(reply: Reply, seconds: float):
    """A reply whose status line itself comes only after `seconds`."""
    def handler(_rec):
        time.sleep(seconds)
        return reply
    return handler


def ollama_tags(*names: str) -> Reply:
    return Reply.json({"models": [{"name": n, "model": n, "size": 1} for n in names]})


@pytest.fixture
def servers():
    """`servers()` -> a new running FakeServer; all are stopped at the end of the test."""
    with ExitStack() as stack:
        yield lambda: stack.enter_context(FakeServer())


def toml_table(name: str, **values) -> str:
    lines = [f'[providers."{name}"]']
    lines += [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


FIXTURES = __import__("pathlib").Path(__file__).parent.parent / "fixtures" / "doctor"


def fixture_body(name: str) -> bytes:
    """The body bytes of a tests/fixtures/doctor file (after its `#---` header line)."""
    raw = (FIXTURES / name).read_bytes()
    return raw.split(b"\n#---\n", 1)[1]


def fixture_reply(name: str, status: int = 200) -> Reply:
    return Reply(status, [fixture_body(name)], chunked=False)
