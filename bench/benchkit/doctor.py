"""The doctor benchmarks: `revka doctor models` over 10, and over 50, slow providers (each its own
server, answering after 1 s) against one of them: the run must take about one probe, not many."""

from __future__ import annotations

from .commands import Commands
from .procs import BenchError, excerpt, spawn
from .stats import Result, interleaved
from .workload import DOCTOR_DELAY, DOCTOR_FLEET, DOCTOR_PROVIDERS

RUNS = {  # id -> (providers, config, budget)
    "doctor": (DOCTOR_PROVIDERS, "doctor10", 1.5),
    "doctor50": (DOCTOR_FLEET, "doctor50", 1.3),
}


def _asks_every_server(cmds: Commands, argv: list[str], env: dict, count: int) -> list[int]:
    """Run doctor once; the requests each server had during that run (all must be >= 1)."""
    hits = cmds.ws.doctor_hits(count)
    probe = spawn([cmds.revka, *argv], env)
    if probe.rc != 0:
        raise BenchError(f"revka doctor models exited {probe.rc}: "
                         f"{excerpt(probe.out + probe.err.encode())}")
    asked = [after - before for before, after in zip(hits, cmds.ws.doctor_hits(count))]
    if min(asked) < 1:
        raise BenchError(f"doctor did not ask every server (requests per server: {asked})")
    return asked


def doctor(cmds: Commands, available: bool, bench_id: str = "doctor") -> Result:
    count, config, budget = RUNS[bench_id]
    result = Result(bench_id, f"revka doctor models, {count} providers x {DOCTOR_DELAY:g} s",
                    budget, baseline_label="one provider (--provider llamacpp)")
    if not available:
        result.status, result.note = "SKIP", "skipped (doctor not available)"
        return result
    env = cmds.ws.env(config, cache=f"cache-{config}")
    argv = ["doctor", "models"]
    one = argv + ["--provider", "llamacpp"]
    try:
        result.extra["requests_per_server"] = _asks_every_server(cmds, argv, env, count)
        revka_s, base_s = interleaved(
            cmds.n_stream, 1, lambda: cmds.revka_cli(argv, env, f"revka doctor models ({count})"),
            lambda: cmds.revka_cli(one, env, "revka doctor models --provider llamacpp"))
    except BenchError as exc:
        return result.failed(str(exc))
    return result.measured([s.wall for s in revka_s], [s.wall for s in base_s])
