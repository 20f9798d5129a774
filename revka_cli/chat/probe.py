"""The single-attempt turn: one request to one endpoint, no fallbacks, no retries between
providers. Doctor's `--chat` probe measures a provider with it; the answer goes to a sink that
keeps nothing unless the caller passes one."""

from __future__ import annotations

from revka_cli.providers.engine import Timing, run_attempt
from revka_cli.providers.events import ChatResult
from revka_cli.transport.policy import Timeouts


class DiscardSink:
    """A sink for probes: the result still holds the text; nothing is written anywhere."""

    def text(self, text: str) -> None:
        return None

    def reasoning(self, text: str) -> None:
        return None

    def flush(self) -> None:
        return None

    def warn(self, message: str) -> None:
        return None


def single_attempt(endpoint, request, client, *, timeouts: Timeouts,
                   sink=None) -> tuple[ChatResult, Timing]:
    """Send `request` to `endpoint` once; loop detection off (a probe is short)."""
    return run_attempt(endpoint, request, client, sink or DiscardSink(), timeouts=timeouts,
                       loop_detection=False)
