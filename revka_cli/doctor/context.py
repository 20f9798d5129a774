"""The `context` check: the context window the server loaded against what revka would use.

What revka would use: the `models.custom.available_models` window (the declared catalog), else the
cached catalog window, and `provider_max_tokens` (an answer can never be longer than the window).
A window declared larger than the one served is a `warn` (a `fail` under --strict): prompts that
fit revka's budget are rejected or truncated by the server.
"""

from __future__ import annotations

from revka_cli import specs
from revka_cli.doctor.results import OK, WARN, Check

CONTEXT_HINT = "lower the declared window to the served one, or serve a larger context (-c)"


def served_window(model: str | None, signal, windows: dict[str, int]) -> tuple[int | None, str]:
    """(tokens, source) of the context the server loaded for `model`, when it reports one."""
    if signal is not None and signal.context:
        return signal.context, signal.context_source
    if model and windows.get(model):
        return windows[model], "the models endpoint"
    return None, ""


def declared_windows(cfg, provider: str, model: str | None) -> list[tuple[str, int]]:
    """(where, tokens) for every window revka would assume for this model."""
    found: list[tuple[str, int]] = []
    if model is None:
        return found
    if provider == specs.DECLARED_CUSTOM:
        value = cfg.models.custom.available_models.get(model)
        if isinstance(value, int):
            found.append((f"models.custom.available_models '{model}'", value))
    else:
        from revka_cli.catalog.lookup import context_window

        try:
            cached = context_window(cfg, provider, model)
        except Exception:  # noqa: BLE001 - an unreadable cache is no window
            cached = None
        if cached:
            found.append(("the cached catalog", cached))
    if cfg.provider_max_tokens:
        found.append(("provider_max_tokens", cfg.provider_max_tokens))
    return found


def context_check(cfg, provider: str, model: str | None, signal,
                  windows: dict[str, int]) -> Check | None:
    """None when the server does not report the context it loaded."""
    served, source = served_window(model, signal, windows)
    if served is None:
        return None
    assumed = declared_windows(cfg, provider, model)
    larger = [(where, n) for where, n in assumed if n > served]
    if larger:
        said = ", ".join(f"{where} {n}" for where, n in larger)
        return Check("context", WARN, 0.0, f"{said} larger than the {served} tokens served "
                     f"({source}): long conversations will be rejected", CONTEXT_HINT)
    fits = "; " + ", ".join(f"{where} {n} fits" for where, n in assumed) if assumed else ""
    return Check("context", OK, 0.0, f"serves {served} tokens of context ({source}){fits}")
