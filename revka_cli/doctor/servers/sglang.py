"""SGLang: GET /health, 200 (empty body) when the server is up and 503 while it is not ready
(python/sglang/srt/entrypoints/http_server.py). /health_generate runs a real generation on the
GPU, so doctor does not call it: `--chat` sends a real request already. The context is
`max_model_len` in /v1/models where the server reports it (the models step reads it).
"""

from __future__ import annotations

from revka_cli.doctor.servers import LOADING, READY, Signal, error_text, no_signal

KIND = "SGLang"
SIGNALS = ("/health",)


def probe(get, model: str | None) -> Signal:
    status, body = get("/health")
    if status == 200:
        return Signal(READY, "/health: 200")
    if status == 503:
        return Signal(LOADING, f"/health 503: {error_text(body) or 'not ready (warming up)'}")
    return no_signal("/health", status)
