"""llama.cpp `llama-server`: GET /health, then GET /props for the context it loaded.

Shapes (ggml-org/llama.cpp tools/server/README.md): /health answers 200 `{"status": "ok"}` once the
model is loaded and 503 `{"error": {"code": 503, "message": "Loading model", "type":
"unavailable_error"}}` while loading; servers from before 2024-06 answer 503 `{"status": "no slot
available", "slots_idle": 0, "slots_processing": N}` when every slot is busy. /props carries
`default_generation_settings.n_ctx`: the context of ONE slot (-c divided by --parallel), which is
what one conversation can use, and `total_slots`.
"""

from __future__ import annotations

from revka_cli.doctor.servers import DEGRADED, LOADING, READY, Signal, error_text, no_signal

KIND = "llama.cpp"
SIGNALS = ("/health", "/props")


def probe(get, model: str | None) -> Signal:
    status, body = get("/health")
    said = body.get("status") if isinstance(body, dict) else None
    if status == 200:
        signal = Signal(READY, "/health: ok")
        _add_context(get, signal)
        return signal
    if status == 503 and said == "no slot available":
        return Signal(DEGRADED, f"/health 503: no slot available ({_slots(body)})")
    if status == 503:
        return Signal(LOADING, f"/health 503: {error_text(body) or said or 'not ready'}")
    if status == 500 and said == "error":
        return Signal(DEGRADED, "/health 500: the model failed to load")
    return no_signal("/health", status)


def _slots(body: dict) -> str:
    return f"{body.get('slots_idle', '?')} idle, {body.get('slots_processing', '?')} processing"


def _add_context(get, signal: Signal) -> None:
    try:
        status, props = get("/props")
    except Exception:  # noqa: BLE001 - the context is a bonus; /health already decided
        return
    settings = props.get("default_generation_settings") if isinstance(props, dict) else None
    n_ctx = settings.get("n_ctx") if isinstance(settings, dict) else None
    if status == 200 and isinstance(n_ctx, int) and n_ctx > 0:
        slots = props.get("total_slots")
        signal.context = n_ctx
        signal.context_source = (f"/props n_ctx, per slot of {slots}" if isinstance(slots, int)
                                 and slots > 1 else "/props n_ctx")
