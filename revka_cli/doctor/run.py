"""Run every provider's probe at once, each within `--timeout`, under one hard deadline.

Each provider gets its own deadline (start + timeout) that every step honours. As a second line of
defence the runner stops waiting at start + timeout + GRACE_SECS: a provider still running then is
reported from what it had recorded, its current step failing with a timeout.
"""

from __future__ import annotations

import copy
import logging
import os
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from revka_cli.config import Config
from revka_cli.doctor.probe import Options, probe_provider, skip_rest
from revka_cli.doctor.results import FAIL, SKIP, Check, DoctorReport, ProviderReport
from revka_cli.doctor.targets import Target
from revka_cli.redact import display_provider
from revka_cli.errors import EXIT_CONNECT

log = logging.getLogger("revka.doctor")
GRACE_SECS = 1.0
MAX_WORKERS = 64


@dataclass
class RunOutcome:
    report: DoctorReport
    warnings: list[str] = field(default_factory=list)  # cache problems, for stderr


def utc_timestamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_doctor(cfg: Config, targets: list[Target], *, timeout: float = 10.0, chat: bool = False,
               cache_write: bool = True, allow_fail: Iterable[str] = (), strict: bool = False,
               env: Mapping[str, str] | None = None, wait: float = 0.0,
               concurrency: int = MAX_WORKERS, max_ttft: float | None = None,
               min_tps: float | None = None, tools: bool = False, schema: bool = False,
               progress=None) -> RunOutcome:
    """Probe `targets` concurrently and return the report. Never raises for a provider problem.
    With `wait`, providers still loading or not answering are probed again until `wait` s pass."""
    env = os.environ if env is None else env
    options = Options(timeout=timeout, chat=chat, max_ttft=max_ttft, min_tps=min_tps,
                      tools=tools, schema=schema)
    allowed = set(allow_fail)
    timestamp, started = utc_timestamp(), time.monotonic()

    def probe(indexes: list[int], round_timeout: float) -> list[ProviderReport]:
        chosen = [targets[i] for i in indexes]
        fresh = [ProviderReport(display_provider(t.provider), allow_fail=t.provider in allowed)
                 for t in chosen]
        return _probe_all(cfg, chosen, fresh, replace(options, timeout=round_timeout), env,
                          concurrency)

    finished = probe(list(range(len(targets))), timeout)
    polls = 1
    if wait > 0 and targets:
        from revka_cli.doctor.wait import wait_until_ready

        left = max(0.0, wait - (time.monotonic() - started))
        result = wait_until_ready(finished, probe, limit=left, timeout=timeout, progress=progress)
        finished, polls = result.reports, result.polls
    elapsed = (time.monotonic() - started) * 1000
    warnings = _write_cache(finished) if cache_write else []
    report = DoctorReport(finished, timestamp, elapsed, strict, wait=wait, polls=polls)
    return RunOutcome(report, warnings)


def _probe_all(cfg: Config, targets: list[Target], reports: list[ProviderReport], options: Options,
               env: Mapping[str, str], concurrency: int = MAX_WORKERS) -> list[ProviderReport]:
    """At most `concurrency` providers at once; each within options.timeout of its own start."""
    if not targets:
        return []
    _prewarm(options.chat or options.tools or options.schema)
    from revka_cli.transport.http import HttpClient
    from revka_cli.transport.policy import RetryPolicy, Timeouts

    started = time.monotonic()
    client = HttpClient(Timeouts(connect=options.timeout, overall=options.timeout),
                        RetryPolicy(retries=0))
    workers = max(1, min(concurrency, len(targets)))
    waves = -(-len(targets) // workers)  # queued providers start when a worker is free
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="revka-doctor")
    futures = [pool.submit(_probe_one, cfg, target, report, options, env, client)
               for target, report in zip(targets, reports)]
    hard = started + waves * options.timeout + GRACE_SECS
    wait(futures, timeout=max(0.0, hard - time.monotonic()))
    pool.shutdown(wait=False, cancel_futures=True)
    if all(f.done() for f in futures):
        client.close()  # else a straggler may still hold it: let it go with the process
    return [_finished(future, report, options) for future, report in zip(futures, reports)]


def _finished(future, report: ProviderReport, options: Options) -> ProviderReport:
    if not future.done():
        return _overrun(report, options, f"no result within the {options.timeout:g} s timeout")
    if future.exception() is not None:  # probe_provider catches everything; this is a backstop
        exc = future.exception()
        return _overrun(report, options, f"internal error: {type(exc).__name__}: {exc}")
    return report


def _prewarm(chat: bool) -> None:
    """Import what every probe needs once, here, rather than in all threads at once under the
    import lock (which would show up as latency of whichever provider came first)."""
    import httpx  # noqa: F401

    import revka_cli.catalog.discover  # noqa: F401
    import revka_cli.providers.error_bodies  # noqa: F401
    import revka_cli.transport.http  # noqa: F401

    if chat:
        import revka_cli.providers.engine  # noqa: F401


def _probe_one(cfg, target, report, options, env, client) -> None:
    probe_provider(cfg, target, report, options, env, client, time.monotonic() + options.timeout)


def _overrun(report: ProviderReport, options: Options, detail: str) -> ProviderReport:
    """A snapshot of a provider that is still running at the hard deadline (or that crashed)."""
    snapshot = copy.copy(report)
    snapshot.checks = [c for c in report.checks if c.status != SKIP]
    snapshot.refreshed = None
    step = options.steps[min(len(snapshot.checks), len(options.steps) - 1)]
    snapshot.checks.append(Check(step, FAIL, options.timeout * 1000, detail,
                                 "raise --timeout, or check the server and the network path",
                                 EXIT_CONNECT))
    snapshot.latency_ms = (options.timeout + GRACE_SECS) * 1000
    skip_rest(snapshot, options.steps, f"not run: the {step} check failed")
    return snapshot


def _write_cache(reports: list[ProviderReport]) -> list[str]:
    """The side effect: every model list fetched successfully refreshes the catalog cache."""
    results = [r.refreshed for r in reports if r.refreshed is not None
               and getattr(r.refreshed, "ok", False)]
    if not results:
        return []
    from revka_cli.catalog.discover import store_results
    from revka_cli.catalog.store import CatalogStore

    warnings: list[str] = []
    try:
        with CatalogStore() as store:
            warnings.extend(store_results(results, store))  # one index rewrite for them all
    except Exception as exc:  # noqa: BLE001 - the cache is a side effect, never a failure
        log.debug("model cache write failed", exc_info=True)
        warnings.append(f"could not update the model cache ({type(exc).__name__}: {exc})")
    return list(dict.fromkeys(warnings))
