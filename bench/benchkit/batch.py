"""The batch benchmarks (issue 15): `revka batch` against a fake server answering after 50 ms.

- wall: 2,000 prompts at --concurrency 32, against the ideal 2,000 x 0.05 / 32 s (budget 1.15x);
- throughput: items/s of revka over items/s of a minimal asyncio/httpx client
  (bench/batch_client.py), same input, same concurrency, same server, interleaved rounds
  (budget >= 0.95x);
- RSS: peak RSS of a run over 200,000 input lines over that of a run over 2,000. Both send the same
  2,000 requests: the large input's output file already answers the other 198,000 (a resume), so
  the large run also reads 200,000 lines twice, 198,000 output records, and keeps the resume
  index (budget <= 1.1x).

Each round also runs bench/batch_bound.py, a bare threaded httpx client in one process per core:
reported beside the wall figure as the least ratio to the ideal that an httpx client reaches here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .procs import BenchError, excerpt, spawn
from .stats import interleaved, summary

DELAY, ITEMS, CONCURRENCY, BIG = 0.05, 2_000, 32, 200_000
IDEAL = ITEMS * DELAY / CONCURRENCY
BOUND_PROCESSES = os.cpu_count() or 1  # one bare httpx client process per core
BENCH = Path(__file__).resolve().parent.parent


def answered_record(i: int) -> str:
    body = {"id": f"chatcmpl-{i}", "object": "chat.completion", "model": "bench-model",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "a short answer"}}],
            "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}}
    return json.dumps({"id": f"batch_req_{i}", "custom_id": f"id-{i}", "response": {
        "status_code": 200, "request_id": str(i), "body": body}, "error": None}) + "\n"


class BatchBench:
    def __init__(self, venv: Path, tmp: Path) -> None:
        self.venv, self.tmp = venv, tmp
        self.python, self.revka = venv / "bin" / "python", venv / "bin" / "revka"
        self.server = subprocess.Popen([str(self.python), str(BENCH / "batch_server.py"),
                                        str(DELAY)], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE)
        self.url = json.loads(self.server.stdout.readline())["url"]
        self.config = tmp / "batch.toml"
        self.config.write_text(f'default_provider = "vllm"\ndefault_model = "bench-model"\n'
                               f'[providers.vllm]\napi_url = "{self.url}/v1"\n')
        self.config.chmod(0o600)
        self.small, self.big = tmp / "in2k.jsonl", tmp / "in200k.jsonl"
        self._write_inputs()

    def _write_inputs(self) -> None:
        with open(self.small, "w") as small, open(self.big, "w") as big, \
                open(self.tmp / "answered.jsonl", "w") as done:
            for i in range(BIG):
                line = json.dumps({"custom_id": f"id-{i}", "prompt": f"prompt {i}"}) + "\n"
                big.write(line)
                if i < ITEMS:
                    small.write(line)
                else:
                    done.write(answered_record(i))

    def close(self) -> None:
        self.server.stdin.close()
        self.server.wait(10)

    def env(self) -> dict:
        return {"PATH": f"{self.venv / 'bin'}:/usr/bin:/bin", "HOME": str(self.tmp),
                "XDG_CONFIG_HOME": str(self.tmp / "cfg"), "XDG_CACHE_HOME": str(self.tmp / "cache"),
                "LANG": "C.UTF-8", "NO_PROXY": "127.0.0.1,localhost", "NO_COLOR": "1"}

    def revka_run(self, source: Path, out: Path, exact_rss: bool = False):
        sample = spawn([str(self.revka), "--config", str(self.config), "-q", "batch", str(source),
                        "-o", str(out), "-c", str(CONCURRENCY)], self.env(), capture=False,
                       exact_rss=exact_rss)
        lines = sum(1 for _ in open(out))
        expected = BIG if source == self.big else ITEMS
        if sample.rc != 0 or lines != expected:
            raise BenchError(f"revka batch: exit {sample.rc}, {lines} records of {expected}: "
                             f"{excerpt(sample.err)}")
        return sample

    def small_run(self, exact_rss: bool = False):
        out = self.tmp / "out-small.jsonl"
        out.unlink(missing_ok=True)
        return self.revka_run(self.small, out, exact_rss)

    def big_run(self):
        out = self.tmp / "out-big.jsonl"
        shutil.copyfile(self.tmp / "answered.jsonl", out)
        return self.revka_run(self.big, out, exact_rss=True)

    def bound_run(self):
        """bench/batch_bound.py: the least an httpx client does, one process per core."""
        out = self.tmp / "out-bound.jsonl"
        sample = spawn([str(self.python), str(BENCH / "batch_bound.py"),
                        f"{self.url}/v1/chat/completions", str(self.small), str(CONCURRENCY),
                        str(BOUND_PROCESSES), str(out)], self.env(), capture=False)
        if sample.rc != 0 or sum(1 for _ in open(out)) != ITEMS:
            raise BenchError(f"bound client failed: {excerpt(sample.err)}")
        return sample

    def baseline_run(self):
        out = self.tmp / "out-base.jsonl"
        sample = spawn([str(self.python), str(BENCH / "batch_client.py"),
                        f"{self.url}/v1/chat/completions", str(self.small), str(CONCURRENCY),
                        str(out)], self.env(), capture=False)
        if sample.rc != 0 or sum(1 for _ in open(out)) != ITEMS:
            raise BenchError(f"baseline client failed: {excerpt(sample.err)}")
        return sample


def run_batch_benchmarks(venv: Path, tmp: Path, rounds: int) -> dict:
    bench = BatchBench(venv, tmp)
    try:
        revka, base, bound = interleaved(rounds, 1, bench.small_run, bench.baseline_run,
                                         bench.bound_run)
        small_rss, big_rss = interleaved(max(2, rounds // 2), 0,
                                         lambda: bench.small_run(exact_rss=True), bench.big_run)
    finally:
        bench.close()
    wall, base_wall = summary([s.wall for s in revka]), summary([s.wall for s in base])
    rss_small = summary([s.maxrss_kb for s in small_rss])
    rss_big = summary([s.maxrss_kb for s in big_rss])
    results = {
        "batch-wall": {"value": wall["median"], "ideal": IDEAL, "ratio": wall["median"] / IDEAL,
                       "budget": 1.15, "revka": wall},
        "batch-throughput": {"ratio": base_wall["median"] / wall["median"], "budget": 0.95,
                             "revka": wall, "baseline": base_wall,
                             "revka_cpu_s": summary([s.cpu for s in revka]),
                             "baseline_cpu_s": summary([s.cpu for s in base])},
        "batch-rss": {"ratio": rss_big["median"] / rss_small["median"], "budget": 1.1,
                      "big_kb": rss_big, "small_kb": rss_small},
    }
    bound_wall = summary([s.wall for s in bound])
    results["batch-wall"]["bound"] = {  # a reference, not judged: see bench/batch_bound.py
        "what": f"bare threaded httpx.Client, {BOUND_PROCESSES} processes", "wall": bound_wall,
        "ratio": bound_wall["median"] / IDEAL}
    for key in ("batch-wall", "batch-rss"):
        results[key]["pass"] = results[key]["ratio"] <= results[key]["budget"]
    results["batch-throughput"]["pass"] = results["batch-throughput"]["ratio"] >= 0.95
    return results


def main() -> int:
    import tempfile

    venv = Path(os.environ.get("REVKA_BENCH_VENV", BENCH.parent / ".venv"))
    rounds = 2 if "--quick" in sys.argv else 5
    with tempfile.TemporaryDirectory(prefix="revka-bench-batch-") as tmp:
        results = run_batch_benchmarks(venv, Path(tmp), rounds)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (nproc {os.cpu_count()})")
    for name, r in results.items():
        print(f"{name:17s} ratio {r['ratio']:.2f} budget {r['budget']} "
              f"{'PASS' if r['pass'] else 'FAIL'}")
    w, t = results["batch-wall"], results["batch-throughput"]
    print(f"revka wall median {w['value']:.2f}s (ideal {w['ideal']:.3f}s), baseline median "
          f"{t['baseline']['median']:.2f}s; CPU revka {t['revka_cpu_s']['median']:.2f}s, "
          f"baseline {t['baseline_cpu_s']['median']:.2f}s")
    b = w["bound"]
    print(f"bound ({b['what']}): wall median {b['wall']['median']:.2f}s, "
          f"{b['ratio']:.2f}x the ideal")
    r = results["batch-rss"]
    print(f"peak RSS 200k lines {r['big_kb']['median'] / 1024:.1f} MB, 2k lines "
          f"{r['small_kb']['median'] / 1024:.1f} MB")
    out = BENCH / "results" / "batch.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if all(r["pass"] for r in results.values()) else 1
