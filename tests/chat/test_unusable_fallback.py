"""A fallback that cannot be used (here: a hosted provider with no key) never blocks the primary,
and is skipped with a warning when the chain reaches it (the endpoints page's own example)."""

from __future__ import annotations

import json

from tests.servers import Reply, closed_port

PATH = "/v1/chat/completions"
DONE = (b'data: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\n'
        b"data: [DONE]\n\n")


def _config(write_config, primary_url: str, backup_url: str) -> None:
    write_config(f'default_provider = "custom:{primary_url}/v1"\ndefault_model = "m"\n'
                 f'[reliability]\nprovider_retries = 0\n'
                 f'fallback_providers = ["anthropic", "custom:{backup_url}/v1"]\n')


def test_the_primary_answers_although_a_fallback_has_no_key(server, revka, write_config):
    server.route("POST", PATH, Reply.sse(DONE))
    _config(write_config, server.url, server.url)
    res = revka("chat", "hi")
    assert (res.exit_code, res.stdout) == (0, "ok\n"), res.stderr
    assert "fallback anthropic cannot be used" in res.stderr  # the config warning, not an error


def test_the_chain_skips_it_with_a_warning_and_goes_on(server, revka, write_config):
    server.route("POST", PATH, Reply.sse(DONE))
    dead = f"http://127.0.0.1:{closed_port()}"
    _config(write_config, dead, server.url)
    res = revka("chat", "--json", "hi")
    assert res.exit_code == 0, res.stderr
    assert "skipped fallback anthropic: anthropic needs an API key" in res.stderr
    doc = json.loads(res.stdout)
    assert [a["provider"] for a in doc["attempts"]] == [
        f"custom:{dead}/v1", "anthropic", f"custom:{server.url}/v1"]
    assert doc["attempts"][1]["exit_code"] == 3
    assert doc["text"] == "ok" and len(server.requests) == 1
