"""LM Studio: GET /api/v0/models (the native REST API, beta; lmstudio-ai/docs
1_developer/2_rest/endpoints.mdx), each model with `state` "loaded" or "not-loaded",
`max_context_length`, and for a loaded model `loaded_context_length`.
"""

from __future__ import annotations

from revka_cli.doctor.servers import DEGRADED, READY, Signal, no_signal

KIND = "LM Studio"
SIGNALS = ("/api/v0/models",)


def probe(get, model: str | None) -> Signal:
    status, body = get("/api/v0/models")
    data = body.get("data") if status == 200 and isinstance(body, dict) else None
    if not isinstance(data, list):
        return no_signal("/api/v0/models", status)
    entry = next((m for m in data if isinstance(m, dict) and m.get("id") == model), None)
    if entry is None:
        loaded = sum(1 for m in data if isinstance(m, dict) and m.get("state") == "loaded")
        return Signal(READY, f"/api/v0/models: {loaded} of {len(data)} models loaded")
    if entry.get("state") != "loaded":
        return Signal(DEGRADED, f"'{model}' is {entry.get('state') or 'in an unknown state'}: "
                      "it answers only if LM Studio loads it on demand (JIT loading)")
    signal = Signal(READY, f"'{model}' is loaded")
    ctx = entry.get("loaded_context_length")
    if isinstance(ctx, int) and ctx > 0:
        signal.context, signal.context_source = ctx, "/api/v0/models loaded_context_length"
    return signal
