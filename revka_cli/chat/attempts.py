"""Run a chat across the primary provider, its model substitutes and the fallback providers.

Order: (primary, model), (primary, each model_fallbacks[model]), then each fallback provider with
its own URL and key (and its own `default_model` when set, else the same model name). A failure
moves on only while nothing has been printed: a partial answer is never silently repeated.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from revka_cli import specs
from revka_cli.config import Config
from revka_cli.errors import (
    AuthError, ConfigError, ConnectError, Interrupted, RevkaError, UsageError,
)
from revka_cli.providers.endpoint import Endpoint, canonical_provider, resolve_endpoint
from revka_cli.redact import display_provider
from revka_cli.providers.engine import Sink, Timing, run_attempt
from revka_cli.providers.events import ChatResult
from revka_cli.providers.request import ChatRequest
from revka_cli.providers.selection import Selection
from revka_cli.transport.http import HttpClient
from revka_cli.transport.policy import MIN_ATTEMPT_SECS, Timeouts


@dataclass
class AttemptRecord:
    provider: str
    model: str
    error: str | None = None
    exit_code: int = 0

    def as_dict(self) -> dict:
        from revka_cli.redact import display_provider

        return {"provider": display_provider(self.provider), "model": self.model, "error": self.error,
                "exit_code": self.exit_code}


@dataclass
class ChatOutcome:
    result: ChatResult
    timing: Timing
    provider: str
    model: str
    endpoint: Endpoint
    attempts: list[AttemptRecord] = field(default_factory=list)
    parsed: object = None  # the validated JSON answer (--schema, --json-object)


def plan_attempts(cfg: Config, selection: Selection) -> list[tuple[str, str, bool]]:
    """(provider, model, is_primary) in the order they will be tried."""
    subs = cfg.reliability.model_fallbacks
    order = [(selection.provider, selection.model, True)]
    order += [(selection.provider, m, True) for m in subs.get(selection.model, ())]
    for name in cfg.reliability.fallback_providers:
        provider = name if specs.is_custom_url(name) else (specs.find(name).id if specs.find(name) else name)
        if provider == selection.provider:
            continue
        table = cfg.providers.get(provider)
        model = (table.default_model if table and table.default_model else None) or selection.model
        order.append((provider, model, False))
        order += [(provider, m, False) for m in subs.get(model, ())]
    seen, unique = set(), []
    for item in order:
        if item[:2] not in seen:
            seen.add(item[:2])
            unique.append(item)
    return unique


def preflight(endpoint: Endpoint, model: str, req: ChatRequest) -> None:
    """Checks that must fail before any request is sent."""
    spec = specs.find(endpoint.provider)
    if spec and spec.needs_key and endpoint.credential.key is None:
        raise ConfigError(f"{spec.id} needs an API key", f"set {' or '.join(spec.key_env)} or "
                          f"providers.{spec.id}.api_key")
    endpoint.wire.preflight(endpoint, model)
    endpoint.wire.check_request(req)
    if req.response_schema is not None and not endpoint.schemas:
        raise UsageError(f"{endpoint.provider} does not accept a JSON Schema (it documents a "
                         "JSON mode only)", "use --json-object and describe the fields in the "
                         "prompt")
    if req.images and not endpoint.vision:
        raise UsageError(f"{endpoint.provider} does not accept images (no vision support)",
                         "drop the image, use a vision provider (ollama, llamacpp, custom:<url>), or "
                         "set [providers.<id>] vision = true if the server runs a vision model")


def _fatal(exc: RevkaError) -> bool:
    """Errors that no other provider or model can fix."""
    return isinstance(exc, (UsageError, Interrupted))


class Budget:
    """The time one chat command may take: one deadline that every attempt, retry, Retry-After wait,
    fallback and api_key_cmd spends from. `--timeout` sets it; else the primary provider's
    `timeout_secs`, else `provider_timeout_secs`. A fallback's own `timeout_secs` can only shorten
    its share. [pacing] limits stay per attempt."""

    def __init__(self, cfg: Config, primary: str, override_secs: float | None = None) -> None:
        self.pacing, self.override = cfg.pacing, override_secs
        table = cfg.providers.get(canonical_provider(primary))
        self.seconds = (override_secs or (table.timeout_secs if table else None)
                        or cfg.provider_timeout_secs)
        self.deadline = time.monotonic() + self.seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def timeouts(self, endpoint: Endpoint) -> Timeouts:
        overall, deadline = self.seconds, self.deadline
        own = None if self.override else endpoint.timeout_secs
        if own is not None and time.monotonic() + own < deadline:
            overall, deadline = own, time.monotonic() + own
        return Timeouts(connect=min(self.pacing.connect_timeout_secs, overall), overall=overall,
                        first_token=self.pacing.first_token_timeout_secs,
                        step=self.pacing.step_timeout_secs, deadline=deadline)


def run_chat(cfg: Config, selection: Selection, build_request: Callable[[str], ChatRequest],
             client: HttpClient, sink: Sink, *, budget: Budget, flag_key: str | None = None,
             env: Mapping[str, str] | None = None,
             on_warning: Callable[[str], None] = lambda m: None,
             endpoints: dict | None = None) -> ChatOutcome:
    """`endpoints`, when given, keeps each resolved endpoint for the caller's later turns (a
    session's: the config and environment do not change under it)."""
    env = os.environ if env is None else env
    attempts: list[AttemptRecord] = []
    last_error: RevkaError | None = None
    for provider, model, is_primary in plan_attempts(cfg, selection):
        if last_error is not None and budget.left() <= MIN_ATTEMPT_SECS:
            break  # no time left for the next fallback: the last error stands
        record = AttemptRecord(provider, model)
        attempts.append(record)
        sent = False
        try:
            req = build_request(model)
            req = replace(req, default_options=cfg.options_for(canonical_provider(provider)))
            endpoint = _endpoint(cfg, provider, is_primary, flag_key, env, req.stream, budget,
                                 endpoints)
            for warning in endpoint.warnings:
                on_warning(warning)
            preflight(endpoint, model, req)
            sent = True
            result, timing = _attempt_with_think_retry(endpoint, req, client, sink,
                                                       budget.timeouts(endpoint), cfg)
            return ChatOutcome(result, timing, provider, model, endpoint, attempts)
        except RevkaError as exc:
            record.error, record.exit_code = exc.message, exc.exit_code
            exc.attempts = attempts
            if not is_primary and not sent and isinstance(exc, ConfigError):
                # a fallback that cannot be used (no key, bad URL) never blocks the others
                on_warning(f"skipped fallback {display_provider(provider)}: {exc.message}")
                last_error = last_error or exc
                continue
            last_error = exc
            if _fatal(exc) or exc.output_started or (
                    is_primary and len(attempts) == 1 and isinstance(exc, (ConfigError, UsageError))):
                raise
    assert last_error is not None
    raise last_error


def _endpoint(cfg, provider, is_primary, flag_key, env, stream, budget, endpoints) -> Endpoint:
    key = (provider, is_primary, stream)
    endpoint = endpoints.get(key) if endpoints is not None else None
    if endpoint is None:
        endpoint = resolve_endpoint(cfg, provider, is_primary=is_primary,
                                    flag_key=flag_key if is_primary else None, env=env,
                                    stream=stream,  # its Accept header follows the mode
                                    key_cmd_timeout=max(0.001, budget.left()))
        if endpoints is not None:
            endpoints[key] = endpoint
    return endpoint


def _attempt_with_think_retry(endpoint, req, client, sink, timeouts, cfg):
    try:
        return run_attempt(endpoint, req, client, sink, timeouts=timeouts,
                           loop_detection=cfg.pacing.loop_detection)
    except RevkaError as exc:
        retry = (endpoint.wire.retries_without_think and req.reasoning_enabled
                 and not exc.output_started
                 and not isinstance(exc, (ConnectError, AuthError, Interrupted)))
        if not retry:
            raise
        try:
            return run_attempt(endpoint, req.without_think(), client, sink, timeouts=timeouts,
                               loop_detection=cfg.pacing.loop_detection)
        except RevkaError:
            raise exc from None
