"""The `ready` step: the server's own readiness signal, and the readiness state of a provider.

States: ready, loading, unreachable, auth_failed, model_missing, degraded. The signal comes from
the server kind's module (doctor/servers/); the state of a finished provider is read off its
checks (`state_of`). `--wait` polls while a provider is `loading` or `unreachable`.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit, urlunsplit

from revka_cli.doctor.results import FAIL, OK, WARN, Check, ProviderReport
from revka_cli.doctor.servers import DEGRADED, LOADING, READY, Signal, server_module
from revka_cli.errors import (
    EXIT_AUTH, EXIT_CONNECT, EXIT_NOT_FOUND, EXIT_RATE_OR_SERVER, RevkaError,
)

UNREACHABLE, AUTH_FAILED, MODEL_MISSING = "unreachable", "auth_failed", "model_missing"
STATES = (READY, LOADING, UNREACHABLE, AUTH_FAILED, MODEL_MISSING, DEGRADED)
PENDING = (LOADING, UNREACHABLE)  # what --wait waits out; every other state is settled
LOADING_HINT = "the server is still loading: wait with --wait SECONDS"


def server_root(base_url: str) -> str:
    """The server's root URL: the API base without its /v1 (or /api) suffix."""
    parts = urlsplit(base_url)
    path = parts.path.rstrip("/")
    for suffix in ("/v1", "/api"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _getter(endpoint, client, deadline: float):
    from revka_cli.doctor.listing import listing_headers, timeouts_until
    from revka_cli.transport.answers import read_body

    root = server_root(endpoint.base_url)
    headers = listing_headers(endpoint)

    def get(path: str) -> tuple[int, object]:
        stream = client.open_stream("GET", root + path, headers, None, timeouts_until(deadline))
        try:
            body = read_body(stream, limit=1 << 20, truncate=True)
        finally:
            stream.close()
        try:
            return stream.status, json.loads(body) if body.strip() else None
        except ValueError:
            return stream.status, None
    return get


def ready_check(endpoint, model: str | None, client,
                deadline: float) -> tuple[Check, Signal | None]:
    """The `ready` check: the server kind's signal, or a note that it has none."""
    started = time.monotonic()
    module = server_module(endpoint.provider)
    if module is None:
        return Check("ready", OK, 0.0, "no readiness signal for this provider; the models "
                     "endpoint decides"), None
    try:
        signal = module.probe(_getter(endpoint, client, deadline), model)
    except RevkaError as exc:
        from revka_cli.doctor.checks import transport_failure

        return transport_failure("ready", exc, (time.monotonic() - started) * 1000,
                                 f"{module.KIND} readiness endpoint"), None
    ms = (time.monotonic() - started) * 1000
    detail = f"{module.KIND}: {signal.detail}"
    if signal.state == LOADING:
        return Check("ready", FAIL, ms, f"loading: {detail}", LOADING_HINT,
                     EXIT_RATE_OR_SERVER), signal
    if signal.state == DEGRADED:
        return Check("ready", WARN, ms, f"degraded: {detail}", "check the server's log"), signal
    return Check("ready", OK, ms, detail), signal


def state_of(report: ProviderReport) -> str:
    """The readiness state of a finished provider, from its checks."""
    failed = report.first(FAIL)
    if failed is None:
        ready = report.check("ready")
        chat = report.check("chat")
        if (ready and ready.status == WARN) or (chat and chat.status == WARN):
            return DEGRADED
        return READY
    if failed.name == "ready" and failed.hint == LOADING_HINT:
        return LOADING
    if failed.exit_code == EXIT_AUTH:
        return AUTH_FAILED
    if failed.exit_code == EXIT_NOT_FOUND and failed.name in ("model", "chat"):
        return MODEL_MISSING
    if failed.name in ("config", "connect") or failed.exit_code == EXIT_CONNECT \
            or (failed.name == "auth" and failed.exit_code == EXIT_NOT_FOUND):
        return UNREACHABLE
    return DEGRADED


def is_pending(report: ProviderReport) -> bool:
    """Whether --wait should probe this provider again: still loading, or not answering yet.
    A config failure is final, as are a refused key and a missing model."""
    failed = report.first(FAIL)
    return state_of(report) in PENDING and not (failed and failed.name == "config")
