"""One provider, step by step: config -> connect -> ready -> auth -> model (-> context, chat).

A failed step stops the provider; the steps after it are recorded as `skip`. Checks are appended
to the report as they finish (secrets already scrubbed), so the runner can take a snapshot of a
provider that overruns the hard deadline. Nothing here raises.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from revka_cli import specs
from revka_cli.config import Config
from revka_cli.doctor import checks
from revka_cli.doctor.chat_probe import DEEP_MAX_TOKENS, ChatProbe, chat_probe
from revka_cli.doctor.listing import Listing, fetch_listing
from revka_cli.doctor.netcheck import check_connect
from revka_cli.doctor.context import context_check
from revka_cli.doctor.readiness import ready_check
from revka_cli.doctor.results import FAIL, SKIP, STEPS, Check, ProviderReport
from revka_cli.doctor.targets import Target
from revka_cli.errors import EXIT_NOT_FOUND, EXIT_PROVIDER
from revka_cli.providers.endpoint import Endpoint
from revka_cli.redact import SESSION
from revka_cli.urls import redact_url


@dataclass(frozen=True)
class Options:
    timeout: float = 10.0  # seconds, total per provider
    chat: bool = False
    max_ttft: float | None = None  # seconds (--max-ttft)
    min_tps: float | None = None  # tokens per second (--min-tps)
    tools: bool = False  # --tools: a tool-call probe
    schema: bool = False  # --schema: a structured-output probe

    @property
    def steps(self) -> tuple[str, ...]:
        return STEPS if self.chat else STEPS[:-1]


class Recorder:
    """Appends checks to a report, scrubbing every secret the endpoint knows of first."""

    def __init__(self, report: ProviderReport) -> None:
        self.report = report
        self.chat: ChatProbe | None = None  # a chat request made on the way, for reuse

    @staticmethod
    def scrub(text: str) -> str:
        return SESSION.scrub(text)  # resolve_endpoint taught it the endpoint's secrets

    def add(self, check: Check) -> bool:
        """Record a check; False when it failed (the provider stops there)."""
        check.detail = checks.clip(self.scrub(check.detail))
        check.hint = checks.clip(self.scrub(check.hint))
        self.report.checks.append(check)
        return check.status != FAIL


def skip_rest(report: ProviderReport, steps: tuple[str, ...], reason: str) -> None:
    done = {c.name for c in report.checks}
    for step in steps:
        if step not in done:
            report.checks.append(Check(step, SKIP, None, reason))


def probe_provider(cfg: Config, target: Target, report: ProviderReport, options: Options,
                   env: Mapping[str, str], client, deadline: float) -> None:
    """Fill `report` for `target`, with the shared HttpClient `client`. Never raises."""
    started = time.monotonic()
    recorder = Recorder(report)
    try:
        _steps(cfg, target, recorder, options, env, client, deadline)
    except Exception as exc:  # noqa: BLE001 - a result, never a crash
        step = options.steps[min(len(report.checks), len(options.steps) - 1)]
        recorder.add(Check(step, FAIL, None, checks.one_line(
            f"internal error: {type(exc).__name__}: {exc}"), "rerun with --debug", EXIT_PROVIDER))
    finally:
        report.latency_ms = (time.monotonic() - started) * 1000
        failed = report.first(FAIL)
        skip_rest(report, options.steps, f"not run: the {failed.name} check failed" if failed
                  else "not run")


def _steps(cfg: Config, target: Target, rec: Recorder, options: Options,
           env: Mapping[str, str], client, deadline: float) -> None:
    report = rec.report
    report.model = target.model
    config, endpoint = checks.config_check(cfg, target, env)
    if endpoint is not None:
        report.url = endpoint.display_url
    elif target.provider.startswith(("custom:", "anthropic-custom:")):
        report.url = redact_url(target.provider.split(":", 1)[1])
    if not rec.add(config) or endpoint is None:
        return
    if not rec.add(check_connect(endpoint.models_url or endpoint.chat_url, deadline)):
        return
    model = target.model or (target.declared[0] if target.declared else None)
    ready, signal = ready_check(endpoint, model, client, deadline)
    if not rec.add(ready):
        return
    listing = _http_steps(target, endpoint, client, rec, options, deadline)
    if listing is None:
        return
    context = context_check(cfg, endpoint.provider, model, signal, listing.windows)
    if context is not None:
        rec.add(context)
    if options.chat:
        _chat_step(cfg, endpoint, model, client, rec, options, deadline)
    if options.tools:
        from revka_cli.doctor.tools_probe import tools_check

        check, verdict = tools_check(endpoint, model, client, deadline)
        rec.report.figures["tools"] = verdict
        rec.add(check)
    if options.schema:
        from revka_cli.doctor.schema_probe import schema_check

        check, verdict = schema_check(endpoint, model, client, deadline)
        rec.report.figures["schema"] = verdict
        rec.add(check)


def _chat_step(cfg: Config, endpoint: Endpoint, model: str | None, client, rec: Recorder,
               options: Options, deadline: float) -> None:
    from revka_cli.doctor.slo import chat_check, figures, thresholds_for

    chat = rec.chat
    if (chat is None or not chat.deep) and model:
        chat = chat_probe(endpoint, model, client, deadline, max_tokens=DEEP_MAX_TOKENS)
    limits = thresholds_for(cfg, endpoint.provider, options.max_ttft, options.min_tps)
    rec.report.figures = figures(chat)
    rec.add(chat_check(endpoint.provider, chat, model, limits))


def _probe_chat(endpoint: Endpoint, model: str, client, rec: Recorder, options: Options,
                deadline: float) -> ChatProbe:
    """A chat request standing in for a missing list: the deep one under --chat (reused)."""
    size = DEEP_MAX_TOKENS if options.chat else 1
    rec.chat = chat_probe(endpoint, model, client, deadline, max_tokens=size)
    return rec.chat


def _http_steps(target: Target, endpoint: Endpoint, client, rec: Recorder, options: Options,
                deadline: float) -> Listing | None:
    """auth and model; the listing when both passed, else None."""
    report = rec.report
    listing = fetch_listing(endpoint, client, deadline)
    report.refreshed = listing.refreshed
    auth = checks.auth_from_listing(endpoint, listing)
    model = target.model or (target.declared[0] if target.declared else None)
    if auth is None:  # no models endpoint: a 1-token request proves the key (and the model)
        chat = _probe_chat(endpoint, model, client, rec, options, deadline) if model else None
        if not rec.add(checks.auth_from_chat(endpoint, chat)):
            return None
        return listing if rec.add(checks.model_from_chat(target, chat, model)) else None
    if not rec.add(auth):
        return None
    return listing if _model_step(target, endpoint, listing, client, rec, options,
                                  deadline) else None


def _model_step(target: Target, endpoint: Endpoint, listing: Listing, client, rec: Recorder,
                options: Options, deadline: float) -> bool:
    """The model in the live list. A custom server's list is not the last word (llama.cpp
    serves any name you send): an unlisted model there gets a 1-token request before failing."""
    if listing.names is None:
        return rec.add(checks.model_unreadable(listing))
    rec.report.model_count = len(listing.names)
    check = checks.model_from_listing(target, endpoint, listing.names)
    if check.exit_code == EXIT_NOT_FOUND and specs.find(endpoint.provider) is None:
        model = target.model or target.declared[0]
        chat = _probe_chat(endpoint, model, client, rec, options, deadline)
        check = checks.model_confirmed(check, chat, model)
    return rec.add(check)
