"""`revka batch --concurrency 4` against 32 sequential `revka chat` calls, on the real
llama-server started with `--parallel 4` (SmolLM2-135M-Instruct). Budget: batch >= 2x the
sequential throughput, as output tokens per second, measured in the same run.

    .venv/bin/python bench/batch_real_server.py [--url http://127.0.0.1:PORT] [--prompts 32]

Both sides send the same 32 short prompts with the same --max-tokens and --temperature 0 to the
same server; each side's tokens/s is its output tokens (the usage the server reported) over its
wall time, spawn to exit (for the sequential side: the sum over its 32 processes, as a `while read`
loop would spend). One warm-up request first. Without --url a server is started with
scripts/llama_server.py (--parallel 4, reusing the cached build) and stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from benchkit.llama import load_llama_server  # noqa: E402
MODEL = "smollm2-135m-instruct"
TOPICS = ["the sea", "a cat", "rain", "bread", "a train", "snow", "music", "a garden"]


def prompts(n: int) -> list[str]:
    return [f"Write one sentence about {TOPICS[i % len(TOPICS)]} ({i})." for i in range(n)]


def revka_head() -> list[str]:
    script = Path(sys.executable).parent / "revka"
    return [str(script)] if script.exists() else [sys.executable, "-m", "revka_cli"]


def sequential(config: Path, texts: list[str], max_tokens: int, env: dict) -> tuple[float, int]:
    wall = tokens = 0
    for text in texts:
        start = time.perf_counter()
        proc = subprocess.run([*revka_head(), "--config", str(config), "chat", "--json",
                               "--temperature", "0", "--max-tokens", str(max_tokens), text],
                              capture_output=True, env=env, timeout=300)
        wall += time.perf_counter() - start
        if proc.returncode != 0:
            raise SystemExit(f"revka chat failed: {proc.stderr.decode()[-500:]}")
        tokens += (json.loads(proc.stdout)["usage"] or {}).get("completion_tokens") or 0
    return wall, tokens


def batched(config: Path, texts: list[str], max_tokens: int, env: dict, tmp: Path):
    src, out, summary = tmp / "in.jsonl", tmp / "out.jsonl", tmp / "summary.json"
    src.write_text("".join(json.dumps({"prompt": t}) + "\n" for t in texts))
    start = time.perf_counter()
    proc = subprocess.run([*revka_head(), "--config", str(config), "-q", "batch", str(src), "-o",
                           str(out), "--restart", "--concurrency", "4", "--temperature", "0",
                           "--max-tokens", str(max_tokens), "--summary-json", str(summary)],
                          capture_output=True, env=env, timeout=600)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"revka batch failed: {proc.stderr.decode()[-500:]}")
    facts = json.loads(summary.read_text())
    if facts["ok"] != len(texts):
        raise SystemExit(f"revka batch answered {facts['ok']} of {len(texts)}")
    return wall, facts["output_tokens"]


def bench(url: str, model: str, n: int, max_tokens: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="revka-batch-real-"))
    try:
        config = tmp / "config.toml"
        config.write_text(f'default_provider = "llamacpp"\ndefault_model = "{model}"\n'
                          f'[providers.llamacpp]\napi_url = "{url}/v1"\n')
        config.chmod(0o600)
        env = {k: v for k, v in os.environ.items() if not k.startswith("REVKA_")}
        env["REVKA_CACHE_DIR"] = str(tmp / "cache")
        texts = prompts(n)
        sequential(config, texts[:1], max_tokens, env)  # warm-up
        seq_wall, seq_tokens = sequential(config, texts, max_tokens, env)
        batch_wall, batch_tokens = batched(config, texts, max_tokens, env, tmp)
        return {"sequential_s": seq_wall, "sequential_tokens": seq_tokens,
                "batch_s": batch_wall, "batch_tokens": batch_tokens}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(r: dict) -> int:
    seq, bat = r["sequential_tokens"] / r["sequential_s"], r["batch_tokens"] / r["batch_s"]
    ratio = bat / seq if seq else float("inf")
    print(f"load average {os.getloadavg()[0]:.2f} (nproc {os.cpu_count()})")
    print(f"32 sequential revka chat: {r['sequential_tokens']} tokens in {r['sequential_s']:.1f}s "
          f"= {seq:.1f} tokens/s")
    print(f"revka batch -c 4:         {r['batch_tokens']} tokens in {r['batch_s']:.1f}s "
          f"= {bat:.1f} tokens/s")
    print(f"ratio {ratio:.2f}x (budget >= 2x): {'PASS' if ratio >= 2 else 'FAIL'}")
    return 0 if ratio >= 2 else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running llama-server started with --parallel 4")
    parser.add_argument("--model", default=MODEL)
    parser.add_argument("--prompts", type=int, default=32)
    parser.add_argument("--max-tokens", type=int, default=32)
    args = parser.parse_args(argv)
    if args.url:
        return report(bench(args.url.rstrip("/"), args.model, args.prompts, args.max_tokens))
    with load_llama_server().LlamaServer(parallel=4) as server:
        return report(bench(server.base_url, server.model, args.prompts, args.max_tokens))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
