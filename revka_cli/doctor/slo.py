"""The `chat` check of `--chat`: the deep probe's figures against the SLO thresholds.

Thresholds come from `--max-ttft` / `--min-tps`, else from the provider's `[providers.<id>.doctor]`
table. A provider that misses one fails, the figure and the threshold in the detail.
"""

from __future__ import annotations

from dataclasses import dataclass

from revka_cli.doctor.chat_probe import ChatProbe
from revka_cli.doctor.results import FAIL, OK, SKIP, Check
from revka_cli.errors import EXIT_AUTH, EXIT_NOT_FOUND, EXIT_PROVIDER, AuthError, NotFoundError

SLO_HINT = "a slow server or a loaded machine: check the server, or relax the threshold"


@dataclass(frozen=True)
class Thresholds:
    max_ttft: float | None = None  # seconds
    min_tps: float | None = None  # tokens per second
    ttft_from: str = "--max-ttft"  # where each came from, for the detail
    tps_from: str = "--min-tps"


def thresholds_for(cfg, provider: str, max_ttft: float | None,
                   min_tps: float | None) -> Thresholds:
    """The flags win; a provider's [providers.<id>.doctor] table fills what they leave unset."""
    table = cfg.providers.get(provider)
    doctor = getattr(table, "doctor", None)
    where = f"providers.{provider}.doctor"
    ttft, ttft_from = max_ttft, "--max-ttft"
    if ttft is None and doctor is not None and doctor.max_ttft is not None:
        ttft, ttft_from = doctor.max_ttft, f"{where}.max_ttft"
    tps, tps_from = min_tps, "--min-tps"
    if tps is None and doctor is not None and doctor.min_tps is not None:
        tps, tps_from = doctor.min_tps, f"{where}.min_tps"
    return Thresholds(ttft, tps, ttft_from, tps_from)


def secs(value: float) -> str:
    """A threshold as given: 30, 0.5, 0.000001 (never 1e-06)."""
    return f"{value:.6f}".rstrip("0").rstrip(".") if value < 1000 else f"{value:g}"


def figures_text(probe: ChatProbe) -> str:
    parts = [f"first token in {probe.first_token_ms / 1000:.3f} s"
             if probe.first_token_ms is not None else "no text in the answer"]
    if probe.tokens_per_s is not None:
        parts.append(f"{probe.tokens_per_s:.1f} tokens/s")
    counted = "" if probe.usage_reported else " streamed pieces"
    if probe.completion_tokens is not None:
        parts.append(f"{probe.completion_tokens}{counted} tokens" if counted
                     else f"{probe.completion_tokens} tokens")
    parts.append("usage reported" if probe.usage_reported else "no usage reported")
    parts.append(f"finish {probe.finish_reason or 'not given'}")
    return ", ".join(parts)


def misses(probe: ChatProbe, limits: Thresholds) -> list[str]:
    """Each threshold the probe missed, figure and threshold in the text."""
    missed = []
    if limits.max_ttft is not None:
        if probe.first_token_ms is None:
            missed.append(f"no first token to time ({limits.ttft_from} {secs(limits.max_ttft)} s)")
        elif probe.first_token_ms / 1000 > limits.max_ttft:
            missed.append(f"time to first token {probe.first_token_ms / 1000:.3f} s is over "
                          f"{limits.ttft_from} {secs(limits.max_ttft)} s")
    if limits.min_tps is not None:
        if probe.tokens_per_s is None:
            missed.append(f"too few tokens for a tokens/s figure ({limits.tps_from} "
                          f"{secs(limits.min_tps)})")
        elif probe.tokens_per_s < limits.min_tps:
            missed.append(f"{probe.tokens_per_s:.1f} tokens/s is under {limits.tps_from} "
                          f"{secs(limits.min_tps)}")
    return missed


def chat_check(provider: str, probe: ChatProbe | None, model: str | None,
               limits: Thresholds = Thresholds()) -> Check:
    """Step `chat` (--chat): a real streamed generation, measured and held to the thresholds."""
    from revka_cli.doctor.checks import models_hint, transport_failure

    if probe is None or model is None:
        return Check("chat", SKIP, 0.0, "no model configured: nothing to send",
                     "set a default_model for this provider")
    if probe.error is None:
        detail = f"'{model}': {figures_text(probe)}"
        missed = misses(probe, limits)
        if missed:
            return Check("chat", FAIL, probe.latency_ms, f"{'; '.join(missed)} ({detail})",
                         SLO_HINT, EXIT_PROVIDER)
        return Check("chat", OK, probe.latency_ms, detail)
    if isinstance(probe.error, AuthError):
        return Check("chat", FAIL, probe.latency_ms, probe.error.message, probe.error.hint,
                     EXIT_AUTH)
    if isinstance(probe.error, NotFoundError):
        return Check("chat", FAIL, probe.latency_ms, probe.error.message,
                     models_hint(provider), EXIT_NOT_FOUND)
    return transport_failure("chat", probe.error, probe.latency_ms, "chat request")


def figures(probe: ChatProbe | None) -> dict:
    """The probe's figures for JSON and JUnit properties."""
    if probe is None or probe.error is not None or not probe.deep:
        return {}
    tps = None if probe.tokens_per_s is None else round(probe.tokens_per_s, 2)
    ttft = None if probe.first_token_ms is None else round(probe.first_token_ms, 1)
    return {"ttft_ms": ttft, "tokens_per_s": tps, "completion_tokens": probe.completion_tokens,
            "usage_reported": probe.usage_reported, "finish_reason": probe.finish_reason}
