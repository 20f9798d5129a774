"""`revka batch`: options -> the batch engine (revka_cli.batch) -> records, progress, summary."""

from __future__ import annotations

from revka_cli.cli.environment import current
from revka_cli.cli.output import warn
from revka_cli.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_PROVIDER, UsageError

FORMATS = ("openai", "results")
MAX_WARNINGS = 20  # distinct warnings shown; the rest are counted in one last line


def base_spec(opts):
    from revka_cli.chat.turn import TurnSpec
    from revka_cli.cli.surface.options import request_fields

    request = {dest: getattr(opts, field) for field, dest in request_fields("batch").items()
               if getattr(opts, field) is not None}
    return TurnSpec(system=opts.system, temperature=opts.temperature, max_tokens=opts.max_tokens,
                    stream=opts.stream, timeout=opts.timeout, request=request)


class Warnings:
    """Each distinct warning once (thousands of items must not flood stderr)."""

    def __init__(self, state) -> None:
        import threading

        self.state, self.seen, self.dropped = state, set(), 0
        self._lock = threading.Lock()

    def __call__(self, message: str) -> None:
        with self._lock:
            if message in self.seen:
                return
            if len(self.seen) >= MAX_WARNINGS:
                self.dropped += 1
                return
            self.seen.add(message)
        warn(self.state, message)

    def finish(self) -> None:
        if self.dropped:
            warn(self.state, f"{self.dropped} more distinct warnings not shown")


def results_record(item, outcome, error) -> dict:
    """--format results: the `chat --json` document plus custom_id and index."""
    from revka_cli.cli.commands.chat_output import json_document
    from revka_cli.providers.events import ChatResult

    if outcome is not None:
        doc = json_document(provider=outcome.provider, model=outcome.model, result=outcome.result,
                            timing=outcome.timing, attempts=outcome.attempts,
                            parsed=outcome.parsed)
    else:
        last = error.attempts[-1] if error.attempts else None
        doc = json_document(provider=last.provider if last else None,
                            model=last.model if last else None,
                            result=error.partial or ChatResult(), timing=error.timing,
                            attempts=error.attempts, error=error)
        doc["error"]["code"] = type(error).__name__
    return {"custom_id": item.custom_id, "index": item.index, **doc}


def _check_options(opts) -> None:
    import os

    if opts.format not in FORMATS:
        raise UsageError(f"--format must be openai or results, not {opts.format!r}",
                         "revka batch prompts.jsonl -o out.jsonl --format results")
    if opts.restart and not opts.output:
        raise UsageError("--restart needs -o FILE", "revka batch in.jsonl -o out.jsonl --restart")
    if opts.output and opts.input != "-" and os.path.exists(opts.output) and \
            os.path.exists(opts.input) and os.path.samefile(opts.output, opts.input):
        raise UsageError("-o is the input file", "write the records to another file")


def _sessions(loaded, opts, warnings):
    """The rotation's targets, and a cache for items naming their own model (no -p/-m given)."""
    from revka_cli.batch.targets import SessionCache, Target, TargetPool, target_pairs
    from revka_cli.catalog.lookup import CachedFacts
    from revka_cli.chat.session import ChatSession

    spec, facts = base_spec(opts), CachedFacts(loaded.config)

    def make(provider, model):
        return ChatSession(loaded.config, spec.replace(provider=provider, model=model),
                           facts=facts, warn=warnings)

    pairs = target_pairs(list(opts.provider or ()), list(opts.model or ()))
    sessions = [make(p, m) for p, m in pairs]
    flags_given = bool(opts.provider or opts.model)
    return sessions, TargetPool([Target(s) for s in sessions]), (None if flags_given
                                                                 else SessionCache(make))


def _resume(opts):
    from revka_cli.batch.journal import Resume, keep_answered, read_resume

    if not opts.output or opts.restart:
        return Resume()
    resume = read_resume(opts.output, opts.format)
    if resume.failed or resume.torn:
        keep_answered(opts.output)
    return resume


def batch(state, opts) -> int:
    """The body of `revka batch`: the exit code (0, 1 or 130), or a raised RevkaError."""
    from revka_cli.batch.journal import Journal
    from revka_cli.batch.source import BatchInput
    from revka_cli.config import require_config

    _check_options(opts)
    loaded = require_config(state.config_path)
    for problem in loaded.warnings:
        warn(state, problem.format())
    warnings = Warnings(state)
    sessions, pool, cache = _sessions(loaded, opts, warnings)
    source = BatchInput(opts.input, lines_mode=opts.lines, stdin=current().stdin)
    try:
        resume = _resume(opts)  # read before the scan, which counts what it lets us skip
        scan = source.scan(done=resume.done)
        _note_scan(state, scan, resume)
        journal = Journal(opts.output, restart=opts.restart, stream=current().stdout)
        return _run(state, opts, sessions, pool, cache, source, journal, scan, warnings)
    finally:
        source.close()


def _note_scan(state, scan, resume) -> None:
    for key, count in sorted(scan.ignored.items()):
        warn(state, f"ignored {key!r} in {count} item(s): revka does not use it")
    if resume.torn:
        warn(state, "the output's last line was cut short (killed mid-write); redoing that item")


def _run(state, opts, sessions, pool, cache, source, journal, scan, warnings) -> int:
    from contextlib import ExitStack

    from revka_cli.batch.run import WORKERS_PER_POOL, BatchPlan, Engine
    from revka_cli.batch.slots import default_concurrency
    from revka_cli.batch.openai_form import openai_record
    from revka_cli.batch.stats import BatchStats
    from revka_cli.cli.commands.batch_progress import Progress, report_summary

    concurrency = opts.concurrency or default_concurrency(sessions)[0]
    stats = BatchStats(scan.items, scan.skipped)
    render = results_record if opts.format == "results" else openai_record
    with ExitStack() as stack:
        pools = -(-concurrency // WORKERS_PER_POOL)  # one keep-alive pool per 4 workers
        clients = [stack.enter_context(sessions[0].new_client(keepalive=WORKERS_PER_POOL))
                   for _ in range(pools)]
        engine = Engine(BatchPlan(source=source, journal=journal, pool=pool, item_sessions=cache,
                                  clients=clients, concurrency=concurrency, render=render,
                                  done=scan.done, stats=stats, warn=warnings))
        with Progress(state, stats):
            engine.run()
    warnings.finish()
    summary = stats.summary(pool.targets + _item_targets(cache), interrupted=engine.interrupted,
                            stopped=engine.stopped)
    summary["concurrency"] = concurrency
    report_summary(state, summary, opts.summary_json)
    if engine.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_PROVIDER if summary["failed"] or engine.stopped else EXIT_OK


def _item_targets(cache) -> list:
    if cache is None:
        return []
    return [t for pool in cache.pools.values() for t in pool.targets]
