"""The doctor benchmark: `revka doctor models` over 10 slow providers against one of them."""

from __future__ import annotations

from .commands import Commands
from .procs import BenchError, excerpt, spawn
from .stats import Result, interleaved
from .workload import DOCTOR_DELAY, DOCTOR_PROVIDERS


def _asks_every_server(cmds: Commands, argv: list[str], env: dict) -> list[int]:
    """Run doctor once; the requests each server had during that run (all must be >= 1)."""
    hits = cmds.ws.doctor_hits()
    probe = spawn([cmds.revka, *argv], env)
    if probe.rc != 0:
        raise BenchError(f"revka doctor models exited {probe.rc}: "
                         f"{excerpt(probe.out + probe.err.encode())}")
    asked = [after - before for before, after in zip(hits, cmds.ws.doctor_hits())]
    if min(asked) < 1:
        raise BenchError(f"doctor did not ask every server (requests per server: {asked})")
    return asked


def doctor(cmds: Commands, available: bool) -> Result:
    result = Result("doctor", f"revka doctor models, {DOCTOR_PROVIDERS} providers x "
                    f"{DOCTOR_DELAY:g} s", 1.5, baseline_label="one provider (--provider llamacpp)")
    if not available:
        result.status, result.note = "SKIP", "skipped (doctor not available)"
        return result
    env = cmds.ws.env("doctor10", cache="cache-doctor")
    argv = ["doctor", "models"]
    one = argv + ["--provider", "llamacpp"]
    try:
        result.extra["requests_per_server"] = _asks_every_server(cmds, argv, env)
        revka_s, base_s = interleaved(
            cmds.n_stream, 1, lambda: cmds.revka_cli(argv, env, "revka doctor models"),
            lambda: cmds.revka_cli(one, env, "revka doctor models --provider llamacpp"))
    except BenchError as exc:
        return result.failed(str(exc))
    return result.measured([s.wall for s in revka_s], [s.wall for s in base_s])
