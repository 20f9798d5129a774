"""Time to first token on stdout: `revka chat` against a raw httpx streaming loop, on the real
llama-server (SmolLM2-135M-Instruct).

    .venv/bin/python bench/ttft_real_server.py [--url http://127.0.0.1:PORT] [--runs 5]

Both sides are separate processes started the same way, and the clock is the parent's: from
spawning the process to the first byte on its stdout pipe.  So both include interpreter start-up
and imports; the difference is what revka adds (config, provider resolution, its client, the
stream parser).  The raw side sends the same request body as revka (stream, include_usage, the
same max_tokens and temperature) and prints the first non-empty content delta.  Runs alternate
between the two after one warm-up each; medians are reported.  Without --url a server is started
with scripts/llama_server.py (reusing the cached build) and stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from benchkit.llama import load_llama_server  # noqa: E402
PROMPT = "Say hello."
MODEL = "smollm2-135m-instruct"


def raw_child(url: str, model: str, max_tokens: int, prompt: str) -> int:
    """The baseline: a plain httpx SSE loop printing content deltas as they arrive."""
    import httpx

    body = {"model": model, "messages": [{"role": "user", "content": prompt}], "stream": True,
            "stream_options": {"include_usage": True}, "max_tokens": max_tokens, "temperature": 0}
    out = sys.stdout.buffer
    with httpx.Client(timeout=120) as client:
        with client.stream("POST", f"{url}/v1/chat/completions", json=body) as resp:
            resp.raise_for_status()
            for line in resp.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                for choice in json.loads(data).get("choices") or ():
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        out.write(text.encode())
                        out.flush()
    out.write(b"\n")
    out.flush()
    return 0


def time_first_byte(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds to the first stdout byte, seconds to exit), measured from the spawn."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    first = os.read(proc.stdout.fileno(), 1)
    ttft = time.perf_counter() - start
    rest, err = proc.communicate(timeout=300)
    total = time.perf_counter() - start
    if proc.returncode != 0 or not first:
        raise SystemExit(f"{cmd[:4]}... failed (exit {proc.returncode}): {err.decode()[-500:]}")
    return ttft, total


def revka_cmd(config: Path, max_tokens: int) -> list[str]:
    script = Path(sys.executable).parent / "revka"  # the installed entry point, as users run it
    head = [str(script)] if script.exists() else [sys.executable, "-m", "revka_cli"]
    return [*head, "--config", str(config), "chat", "--temperature", "0",
            "--max-tokens", str(max_tokens), PROMPT]


def bench(url: str, model: str, runs: int, max_tokens: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="revka-ttft-"))
    try:
        config = tmp / "config.toml"
        config.write_text(f'default_provider = "llamacpp"\ndefault_model = "{model}"\n'
                          f'[providers.llamacpp]\napi_url = "{url}/v1"\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith("REVKA_")}
        env["REVKA_CACHE_DIR"] = str(tmp / "cache")
        sides = {
            "revka": revka_cmd(config, max_tokens),
            "httpx": [sys.executable, __file__, "_raw", url, model, str(max_tokens), PROMPT],
        }
        for cmd in sides.values():  # warm-up: page cache, server prompt cache
            time_first_byte(cmd, env)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        for i in range(runs):
            order = list(sides) if i % 2 == 0 else list(reversed(sides))  # no order bias
            for name in order:
                samples[name].append(time_first_byte(sides[name], env))
        return samples
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(samples: dict, runs: int, max_tokens: int) -> None:
    ms = lambda s: f"{s * 1000:7.1f} ms"  # noqa: E731
    med = {name: statistics.median(t for t, _ in vals) for name, vals in samples.items()}
    print(f"time to first token on stdout, median of {runs} (after 1 warm-up), "
          f"max_tokens {max_tokens}, load average {os.getloadavg()[0]:.2f}")
    for name, vals in samples.items():
        firsts = ", ".join(f"{t * 1000:.0f}" for t, _ in vals)
        total = statistics.median(tot for _, tot in vals)
        print(f"  {name:<6} {ms(med[name])}   (runs: {firsts} ms; whole run median {ms(total)})")
    print(f"  ratio revka/httpx: {med['revka'] / med['httpx']:.2f}x "
          f"(revka adds {(med['revka'] - med['httpx']) * 1000:+.1f} ms)")


def main(argv: list[str]) -> int:
    if argv[:1] == ["_raw"]:
        url, model, max_tokens, prompt = argv[1:5]
        return raw_child(url, model, int(max_tokens), prompt)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running llama-server (default: start one)")
    parser.add_argument("--model", default=MODEL)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=8)
    args = parser.parse_args(argv)
    if args.url:
        report(bench(args.url.rstrip("/"), args.model, args.runs, args.max_tokens),
               args.runs, args.max_tokens)
        return 0
    ls = load_llama_server()
    with ls.LlamaServer() as server:
        report(bench(server.base_url, server.model, args.runs, args.max_tokens),
               args.runs, args.max_tokens)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
