"""vLLM: GET /health. It answers 200 with an empty body while the engine runs and 503 (empty) once
the engine died (EngineDeadError; vllm/entrypoints/serve/instrumentator/health.py in the vLLM API
docs). While the model loads the API server does not listen yet, so doctor sees `unreachable`.
The context is `max_model_len` in /v1/models, which the models step reads already.
"""

from __future__ import annotations

from revka_cli.doctor.servers import DEGRADED, READY, Signal, no_signal

KIND = "vLLM"
SIGNALS = ("/health",)


def probe(get, model: str | None) -> Signal:
    status, _body = get("/health")
    if status == 200:
        return Signal(READY, "/health: 200")
    if status == 503:
        return Signal(DEGRADED, "/health 503: the engine is dead; restart the server")
    return no_signal("/health", status)
