"""The single-attempt turn: one request to one endpoint, no fallbacks, no retries between
providers. Doctor's probes measure a provider with it, through a sink of their own."""

from __future__ import annotations

from revka_cli.providers.engine import Timing, run_attempt
from revka_cli.providers.events import ChatResult
from revka_cli.transport.policy import Timeouts


def single_attempt(endpoint, request, client, *, timeouts: Timeouts,
                   sink) -> tuple[ChatResult, Timing]:
    """Send `request` to `endpoint` once; loop detection off (a probe is short)."""
    return run_attempt(endpoint, request, client, sink, timeouts=timeouts, loop_detection=False)
