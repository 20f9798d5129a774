"""Ollama: GET /api/version proves the server answers (`{"version": "0.5.1"}`), GET /api/ps says
what is loaded (docs/api.md "List Running Models"; `context_length` per running model since the
openapi schema of 2025-10). A model that is not loaded is still ready: Ollama loads it on the first
request (a cold start that `--chat` measures). /api/show gives the trained context, not the one
loaded, so doctor does not use it for the context check.
"""

from __future__ import annotations

from revka_cli.doctor.servers import READY, Signal, no_signal

KIND = "Ollama"
SIGNALS = ("/api/version", "/api/ps")


def probe(get, model: str | None) -> Signal:
    status, body = get("/api/version")
    if status != 200 or not isinstance(body, dict) or "version" not in body:
        return no_signal("/api/version", status)
    signal = Signal(READY, f"Ollama {body['version']} answers")
    if model:
        _loaded(get, model, signal)
    return signal


def _names(model: str) -> set[str]:
    bare = model[: -len(":latest")] if model.endswith(":latest") else model
    return {bare, f"{bare}:latest"}


def _loaded(get, model: str, signal: Signal) -> None:
    try:
        status, body = get("/api/ps")
    except Exception:  # noqa: BLE001 - /api/version already decided
        return
    running = body.get("models") if status == 200 and isinstance(body, dict) else None
    if not isinstance(running, list):
        return
    entry = next((m for m in running if isinstance(m, dict)
                  and (m.get("name") in _names(model) or m.get("model") in _names(model))), None)
    if entry is None:
        signal.detail += f"; '{model}' is not loaded (the first request loads it)"
        return
    ctx = entry.get("context_length")
    signal.detail += f"; '{model}' is loaded"
    if isinstance(ctx, int) and ctx > 0:
        signal.context, signal.context_source = ctx, "/api/ps context_length"
