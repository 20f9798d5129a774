"""Each local server's own readiness signal, one small module per server kind.

A module has `KIND` (the server's name, for details), `SIGNALS` (the endpoints it reads, for the
docs and the "no signal" detail) and `probe(get, model) -> Signal`, where `get(path)` is a GET on
the server root that returns `(status, decoded JSON or None)` and raises RevkaError on a transport
failure. Which module serves a provider is keyed off the provider id; a provider with none (cloud
APIs, gateways, `custom:` URLs) has no signal, and the models endpoint decides its readiness.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

READY, LOADING, DEGRADED = "ready", "loading", "degraded"

_MODULES = {"llamacpp": "llamacpp", "vllm": "vllm", "sglang": "sglang", "ollama": "ollama",
            "lmstudio": "lmstudio"}

# Servers that answer whatever model name a request sends, as long as they serve one model:
# llama-server (outside its router mode). An unlisted name there is a `warn`: `revka chat` works,
# answered by the one model. Servers that route by name (Ollama, vLLM, SGLang, LM Studio,
# LiteLLM and other gateways) reject it, so there it fails.
IGNORES_MODEL_NAME = ("llamacpp",)


@dataclass
class Signal:
    """What the server said about itself. `state` None: it gave no usable signal."""

    state: str | None
    detail: str
    context: int | None = None  # the context window it actually loaded, when it says
    context_source: str = ""  # where that figure came from, e.g. "/props n_ctx (per slot)"


def no_signal(path: str, status: int | None) -> Signal:
    said = f"HTTP {status}" if status is not None else "no JSON"
    return Signal(None, f"no readiness signal ({path}: {said}); the models endpoint decides")


def server_module(provider: str):
    """The signal module for a provider id, or None."""
    name = _MODULES.get(provider)
    return importlib.import_module(f"revka_cli.doctor.servers.{name}") if name else None


def error_text(body: object) -> str:
    """The message of an `{"error": {"message": ...}}` or `{"error": "..."}` body."""
    if not isinstance(body, dict):
        return ""
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("message") or "")
    return str(error or "")
