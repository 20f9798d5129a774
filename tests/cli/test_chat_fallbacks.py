"""Retries and fallback chains, end to end through `revka chat`."""

from __future__ import annotations

import json

from tests.cli.chatkit import openai_text, sse
from tests.servers import FakeServer, Reply, closed_port

PATH = "/v1/chat/completions"


def test_permanent_error_moves_to_fallback_at_once_with_its_own_key(server, revka, write_config):
    with FakeServer() as backup:
        server.route("POST", PATH, Reply.json({"error": {"message": "bad key"}}, 401))
        backup.route("POST", PATH, Reply.sse(sse(*openai_text("from backup"))))
        write_config(f'default_provider = "vllm"\napi_url = "{server.url}/v1"\napi_key = "primary-key"\n'
                     f'default_model = "m"\n[reliability]\nfallback_providers = ["sglang"]\n'
                     f'[providers.sglang]\napi_url = "{backup.url}/v1"\ndefault_model = "m2"\n')
        res = revka("chat", "hi", env={"SGLANG_API_KEY": "backup-key"})
        assert res.exit_code == 0 and res.stdout == "from backup\n"
        assert len(server.requests) == 1  # 401 is not retried
        assert backup.requests[0].headers["authorization"] == "Bearer backup-key"
        assert backup.requests[0].json()["model"] == "m2"


def test_fallback_never_inherits_the_primary_key(server, revka, write_config):
    with FakeServer() as backup:
        server.route("POST", PATH, Reply.json({}, 404))
        backup.route("POST", PATH, Reply.sse(sse(*openai_text("ok"))))
        write_config(f'default_provider = "vllm"\napi_url = "{server.url}/v1"\napi_key = "primary-key"\n'
                     f'default_model = "m"\n[reliability]\nfallback_providers = ["sglang"]\n'
                     f'[providers.sglang]\napi_url = "{backup.url}/v1"\n')
        res = revka("chat", "hi", env={"REVKA_API_KEY": "generic"})
        assert res.exit_code == 0
        assert "authorization" not in backup.requests[0].headers


def test_model_fallbacks_tried_before_the_next_provider(server, revka, write_config):
    def by_model(rec):
        if rec.json()["model"] == "small":
            return Reply.sse(sse(*openai_text("small answered")))
        return Reply.json({"error": {"message": "model not found"}}, 404)
    server.route("POST", PATH, by_model)
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "big"\n'
                 '[reliability.model_fallbacks]\nbig = ["medium", "small"]\n')
    res = revka("chat", "hi", "--json")
    doc = json.loads(res.stdout)
    assert res.exit_code == 0 and doc["text"] == "small answered" and doc["model"] == "small"
    assert [r.json()["model"] for r in server.requests] == ["big", "medium", "small"]
    assert [a["model"] for a in doc["attempts"]] == ["big", "medium", "small"]


def test_everything_failing_lists_each_attempt_and_exits_with_the_last_code(server, revka, write_config):
    server.route("POST", PATH, Reply.json({"error": {"message": "nope"}}, 401))
    dead = closed_port()
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n'
                 f'[reliability]\nfallback_providers = ["custom:http://127.0.0.1:{dead}/v1"]\n'
                 'provider_retries = 1\nprovider_backoff_ms = 1\n')
    res = revka("chat", "hi")
    assert res.exit_code == 6  # the last attempt: connection refused
    attempt_lines = [l for l in res.stderr.splitlines() if l.startswith("revka: attempt ")]
    assert len(attempt_lines) == 2
    assert "HTTP 401" in attempt_lines[0] and "connection refused" in attempt_lines[1]
    js = revka("chat", "hi", "--json")
    doc = json.loads(js.stdout)
    assert [a["exit_code"] for a in doc["attempts"]] == [4, 6] and doc["error"]["exit_code"] == 6


def test_transient_errors_are_retried_then_succeed(server, revka, write_config):
    server.route("POST", PATH, Reply.json({}, 503), Reply.json({}, 429, headers={"Retry-After": "0"}),
                 Reply.sse(sse(*openai_text("third time"))))
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n'
                 '[reliability]\nprovider_backoff_ms = 1\n')
    res = revka("chat", "hi")
    assert res.exit_code == 0 and res.stdout == "third time\n" and len(server.requests) == 3
    assert res.stderr.count("retrying in") == 2


def test_no_retry_and_no_fallback_after_output_started(server, revka, write_config):
    with FakeServer() as backup:
        backup.route("POST", PATH, Reply.sse(sse(*openai_text("SHOULD NOT APPEAR"))))
        server.route("POST", PATH, Reply.sse([sse(*openai_text("half")[:2], done=False)], cut=True))
        write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n'
                     f'[reliability]\nfallback_providers = ["custom:{backup.url}/v1"]\n')
        res = revka("chat", "hi")
        assert res.exit_code == 1 and res.stdout == "half\n"
        assert len(server.requests) == 1 and backup.requests == []
