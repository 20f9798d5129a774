"""`-m llamacpp/nosuchmodel`: llama-server ignores the name, so revka warns when its cached list
for that provider lacks the model, and still sends it (aliases exist)."""

from __future__ import annotations

from tests.servers import Reply

DONE = (b'data: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\n'
        b"data: [DONE]\n\n")


def test_unlisted_model_warns_and_listed_model_does_not(server, revka, write_config):
    server.route("GET", "/v1/models", Reply.json({"data": [{"id": "smollm2"}]}))
    server.route("POST", "/v1/chat/completions", Reply.sse(DONE), Reply.sse(DONE))
    write_config(f'default_provider = "llamacpp"\n[providers.llamacpp]\napi_url = "{server.url}/v1"\n')
    assert revka("models", "refresh").exit_code == 0
    res = revka("chat", "-m", "llamacpp/nosuchmodel", "hi")
    assert (res.exit_code, res.stdout) == (0, "ok\n")
    assert "'nosuchmodel' is not in llamacpp's cached model list (1 model)" in res.stderr
    res = revka("chat", "-m", "llamacpp/smollm2", "hi")
    assert res.exit_code == 0 and "warning" not in res.stderr
