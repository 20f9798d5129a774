"""The chat core in-process, with no CLI layer: a loopback server, a config file, a sink."""

from __future__ import annotations

import json

import pytest

from revka_cli.chat.session import ChatSession
from revka_cli.chat.turn import TurnSpec
from revka_cli.config import load_config
from revka_cli.errors import ConnectError, UsageError
from tests.servers import Reply, closed_port

PATH = "/v1/chat/completions"


def sse(*texts: str) -> bytes:
    chunks = [{"choices": [{"index": 0, "delta": {"content": t}}]} for t in texts]
    chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    return b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"


class Collect:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.warnings: list[str] = []

    def text(self, text: str) -> None:
        self.parts.append(text)

    def reasoning(self, text: str) -> None:
        return None

    def flush(self) -> None:
        return None

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def config(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_config(str(path)).config


class Facts:
    def __init__(self, windows: dict) -> None:
        self.windows = windows

    def names(self):
        return {}

    def window(self, provider, model):
        return self.windows.get((provider, model))


def test_a_turn_streams_to_the_sink_and_sends_the_spec(server, tmp_path):
    server.route("POST", PATH, Reply.sse(sse("Hel", "lo")))
    cfg = config(tmp_path, f'default_provider = "vllm"\ndefault_model = "m"\n'
                           f'[providers.vllm]\napi_url = "{server.url}/v1"\n')
    session = ChatSession(cfg, TurnSpec(system="be brief", temperature=0.5, request={"seed": 7}))
    sink = Collect()
    outcome = session.send([session.user_message("hi")], sink)
    assert "".join(sink.parts) == "Hello" and outcome.result.text == "Hello"
    assert (outcome.provider, outcome.model) == ("vllm", "m")
    body = server.requests[0].json()
    assert body["messages"][0] == {"role": "system", "content": "be brief"}
    assert (body["temperature"], body["seed"], body["stream"]) == (0.5, 7, True)


def test_the_chain_falls_back_and_reports_through_warn(server, tmp_path):
    server.route("POST", PATH, Reply.sse(sse("from the fallback")))
    cfg = config(tmp_path, f'default_provider = "vllm"\ndefault_model = "m"\n'
                           f'[providers.vllm]\napi_url = "http://127.0.0.1:{closed_port()}/v1"\n'
                           f'[providers.sglang]\napi_url = "{server.url}/v1"\n'
                           '[reliability]\nfallback_providers = ["sglang"]\nprovider_retries = 0\n')
    notes: list[str] = []
    session = ChatSession(cfg, TurnSpec(), warn=notes.append)
    outcome = session.send([session.user_message("hi")], Collect())
    assert outcome.provider == "sglang" and outcome.result.text == "from the fallback"
    assert [a.provider for a in outcome.attempts] == ["vllm", "sglang"]
    assert outcome.attempts[0].exit_code == ConnectError.exit_code


def test_the_context_check_refuses_only_what_cannot_fit(tmp_path):
    cfg = config(tmp_path, 'default_provider = "vllm"\ndefault_model = "m"\n')
    session = ChatSession(cfg, TurnSpec(max_tokens=100), facts=Facts({("vllm", "m"): 1000}))
    session.check_context([session.user_message("x" * 4000)])  # ~1000 by ÷4, at least 500 by ÷8
    with pytest.raises(UsageError, match="at least 1000 tokens; m has a 1000-token window"):
        session.check_context([session.user_message("x" * 8000)])


def test_use_model_and_set_system_change_the_next_turn(server, tmp_path):
    server.route("POST", PATH, Reply.sse(sse("ok")), Reply.sse(sse("ok")))
    cfg = config(tmp_path, f'default_provider = "vllm"\ndefault_model = "m"\n'
                           f'[providers.vllm]\napi_url = "{server.url}/v1"\n')
    session = ChatSession(cfg, TurnSpec(system="first"))
    session.send([session.user_message("a")], Collect())
    session.use_model("vllm/other")
    session.set_system(None)
    session.send([session.user_message("b")], Collect())
    first, second = (r.json() for r in server.requests)
    assert first["model"] == "m" and first["messages"][0]["role"] == "system"
    assert second["model"] == "other" and second["messages"][0]["role"] == "user"


def test_a_failure_keeps_the_partial_answer_on_the_error(server, tmp_path):
    cut = sse("partial")[: -len(b"data: [DONE]\n\n") - 60]
    server.route("POST", PATH, Reply.sse(cut))
    cfg = config(tmp_path, f'default_provider = "vllm"\ndefault_model = "m"\n'
                           f'[providers.vllm]\napi_url = "{server.url}/v1"\n')
    session = ChatSession(cfg, TurnSpec())
    with pytest.raises(Exception) as caught:
        session.send([session.user_message("hi")], Collect())
    error = caught.value
    assert error.partial.text == "partial" and error.output_started
    assert [a.provider for a in error.attempts] == ["vllm"]


def test_a_model_the_cached_list_lacks_is_sent_with_a_warning(server, tmp_path):
    class Listed(Facts):
        def names(self):
            return {"vllm": ["real-model", "other"]}

    server.route("POST", PATH, Reply.sse(sse("ok")), Reply.sse(sse("ok")))
    cfg = config(tmp_path, f'default_provider = "vllm"\n[providers.vllm]\napi_url = "{server.url}/v1"\n')
    notes: list[str] = []
    session = ChatSession(cfg, TurnSpec(model="vllm/nosuchmodel"), facts=Listed({}), warn=notes.append)
    assert notes == ["'nosuchmodel' is not in vllm's cached model list (2 models); sending it anyway "
                     "(revka models list shows them; models refresh updates the list)"]
    session.send([session.user_message("hi")], Collect())
    assert server.requests[0].json()["model"] == "nosuchmodel"
    notes.clear()
    session.use_model("vllm/real-model")
    assert notes == []


def test_each_provider_is_resolved_once_per_session(server, tmp_path, monkeypatch):
    from revka_cli.chat import attempts

    resolved: list[str] = []

    def counting(cfg, name, **kw):
        resolved.append(name)
        return real(cfg, name, **kw)

    real = attempts.resolve_endpoint
    monkeypatch.setattr(attempts, "resolve_endpoint", counting)
    server.route("POST", PATH, *[Reply.sse(sse(f"answer {i}")) for i in range(3)])
    cfg = config(tmp_path, f'default_provider = "vllm"\ndefault_model = "m"\n'
                           f'[providers.vllm]\napi_url = "{server.url}/v1"\n')
    session = ChatSession(cfg, TurnSpec())
    texts = [session.send([session.user_message("hi")], Collect()).result.text for _ in range(3)]
    assert texts == ["answer 0", "answer 1", "answer 2"]
    assert resolved == ["vllm"]  # a batch of 2,000 items resolved it 2,000 times
