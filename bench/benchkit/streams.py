"""Streaming benchmarks: revka chat against the httpx parse loop and the httpx floor (wall time,
stdout to /dev/null), peak RSS on a long against a short stream, and time to first token."""

from __future__ import annotations

import resource

from .commands import Commands
from .procs import TIME, BenchError
from .stats import Result, interleaved, summary
from .workload import SMALL_STREAM_CHUNKS, STREAM_CHUNKS, TTFT_PAUSE

PARSE_LOOP_BUDGET = 1.25  # revka chat over the httpx loop that parses every chunk
FLOOR_BUDGET = 1.0  # revka chat over the bare iter_lines() loop (issue 14)


def stream(cmds: Commands, bench_id: str, title: str, key: str, protocol: str) -> list[Result]:
    """Two results from the same rounds: revka over the parse loop (`bench_id`) and revka over
    the floor (`bench_id`-floor). Each round runs all four, the order rotating: the fourth, the
    least parsing client, is reported beside the floor as a bound (what parsing costs)."""
    loop = Result(bench_id, title, PARSE_LOOP_BUDGET, baseline_label="httpx iter_lines loop")
    floor = Result(f"{bench_id}-floor", f"{title}, vs floor", FLOOR_BUDGET,
                   baseline_label="bare httpx iter_lines(), parses nothing")
    try:
        cmds.same_text(key, cmds.chat(key, capture=True), "revka chat")
        cmds.same_text(key, cmds.parse_loop(key, protocol, capture=True), "the httpx loop")
        cmds.floor_read_all(key, cmds.floor(key, capture=True))
        cmds.same_text(key, cmds.least(key, protocol, capture=True), "the least client")
        revka_s, loop_s, floor_s, least_s = interleaved(
            cmds.n_stream, 1, lambda: cmds.chat(key), lambda: cmds.parse_loop(key, protocol),
            lambda: cmds.floor(key), lambda: cmds.least(key, protocol))
    except BenchError as exc:
        return [loop.failed(str(exc)), floor.failed(str(exc))]
    revka_wall = [s.wall for s in revka_s]
    loop.measured(revka_wall, [s.wall for s in loop_s])
    floor.measured(revka_wall, [s.wall for s in floor_s])
    for result, base_s in ((loop, loop_s), (floor, floor_s)):
        result.extra["revka_maxrss_kb"] = summary([s.maxrss_kb for s in revka_s])
        result.extra["baseline_maxrss_kb"] = summary([s.maxrss_kb for s in base_s])
        # CPU seconds too: on a loaded machine wall time also holds the wait for a core
        result.extra["revka_cpu_s"] = summary([s.cpu for s in revka_s])
        result.extra["baseline_cpu_s"] = summary([s.cpu for s in base_s])
        revka_cpu, base_cpu = (result.extra[k]["median"] for k in ("revka_cpu_s", "baseline_cpu_s"))
        if base_cpu:
            result.note = (f"CPU time (user+sys) medians: revka {revka_cpu * 1000:.0f} ms, "
                           f"baseline {base_cpu * 1000:.0f} ms, {revka_cpu / base_cpu:.2f}x")
    floor.extra["least_s"] = summary([s.wall for s in least_s])
    least_wall, floor_wall = floor.extra["least_s"]["median"], floor.baseline["median"]
    floor.note += (f"; the least parsing client (one orjson call per read, no checks): "
                   f"{least_wall * 1000:.0f} ms, {least_wall / floor_wall:.2f}x the floor")
    return [loop, floor]


def rss(cmds: Commands) -> Result:
    result = Result("chat-rss", f"revka chat peak RSS, {STREAM_CHUNKS:,} vs "
                    f"{SMALL_STREAM_CHUNKS:,} chunks", 1.10, unit="KB",
                    baseline_label=f"revka chat, {SMALL_STREAM_CHUNKS:,} chunks")
    try:
        big, small = interleaved(cmds.n_stream, 1, lambda: cmds.chat("sse50k", exact_rss=True),
                                 lambda: cmds.chat("sse5k", exact_rss=True))
    except BenchError as exc:
        return result.failed(str(exc))
    if not TIME.exists():
        result.note = (f"no {TIME}: peak RSS from wait4, never below this process's "
                       f"({resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} KB)")
    return result.measured([s.maxrss_kb for s in big], [s.maxrss_kb for s in small])


def ttft(cmds: Commands) -> Result:
    result = Result("ttft", "time to first token on stdout", 1.3,
                    baseline_label="httpx loop, first byte")
    try:
        probe = cmds.chat("ttft", first_byte=True)
        if probe.first_byte is None or probe.first_byte >= probe.wall - TTFT_PAUSE / 2:
            result.note = "the first token reached stdout only at the end of the stream (buffered)"
        revka_s, base_s = interleaved(cmds.n_start, 1,
                                      lambda: cmds.chat("ttft", first_byte=True),
                                      lambda: cmds.parse_loop("ttft", "openai", first_byte=True))
    except BenchError as exc:
        return result.failed(str(exc))
    for samples, who in ((revka_s, "revka chat"), (base_s, "the httpx loop")):
        if any(s.first_byte is None for s in samples):
            return result.failed(f"{who} printed nothing")
    return result.measured([s.first_byte for s in revka_s], [s.first_byte for s in base_s])
