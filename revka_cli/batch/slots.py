"""The default --concurrency: what the servers say they can serve at once.

llama.cpp's llama-server reports its slots (`--parallel N`) as `total_slots` in `GET /props`; for
a llamacpp target that answers, its share is that number. Any other target (or a llama-server that
does not answer /props within PROBE_SECS) counts DEFAULT_PER_ENDPOINT. The default is the sum over
the targets, at most MAX_DEFAULT.
"""

from __future__ import annotations

import json

from revka_cli.errors import RevkaError

DEFAULT_PER_ENDPOINT = 4
MAX_DEFAULT = 64
PROBE_SECS = 2.0
SLOTS_PROVIDERS = ("llamacpp",)  # providers whose server may answer /props with total_slots


def props_url(root: str) -> str:
    root = root.rstrip("/")
    return (root[:-3] if root.endswith("/v1") else root) + "/props"


def server_slots(session) -> int | None:
    """llama-server's total_slots for a llamacpp session, or None when it does not say."""
    if session.selection.provider not in SLOTS_PROVIDERS:
        return None
    from revka_cli.providers.endpoint import resolve_endpoint
    from revka_cli.transport.answers import check_status, read_body
    from revka_cli.transport.http import HttpClient
    from revka_cli.transport.policy import RetryPolicy, Timeouts

    try:
        endpoint = resolve_endpoint(session.cfg, session.selection.provider, is_primary=True,
                                    flag_key=session.spec.api_key, stream=False)
        with HttpClient(None, RetryPolicy(retries=0)) as client:
            stream = client.open_stream("GET", props_url(endpoint.base_url),
                                        {**endpoint.headers, "Accept": "application/json"},
                                        timeouts=Timeouts(connect=PROBE_SECS, overall=PROBE_SECS))
            check_status(stream)
            props = json.loads(read_body(stream, limit=1 << 20))
    except (RevkaError, ValueError, OSError):
        return None
    slots = props.get("total_slots") if isinstance(props, dict) else None
    return slots if isinstance(slots, int) and not isinstance(slots, bool) and slots > 0 else None


def default_concurrency(sessions) -> tuple[int, str]:
    """(concurrency, where it came from) for these target sessions."""
    total, told = 0, []
    for session in sessions:
        slots = server_slots(session)
        if slots:
            told.append(f"{session.selection.provider} /props total_slots {slots}")
        total += slots or DEFAULT_PER_ENDPOINT
    total = max(1, min(total, MAX_DEFAULT))
    return total, ("; ".join(told) if told else f"{DEFAULT_PER_ENDPOINT} per endpoint")
