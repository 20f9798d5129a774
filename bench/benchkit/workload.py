"""What the benchmarks run and how often: every size, count and path bench/run uses."""

from __future__ import annotations

from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent.parent  # bench/
ROOT = BENCH_DIR.parent  # the checkout
FULL_CONFIG_FIXTURE = ROOT / "tests" / "fixtures" / "configs" / "good_full.toml"
HTTPX_LOOP = BENCH_DIR / "httpx_loop.py"  # the baseline clients (parse loop and floor)
SEED_CACHE = BENCH_DIR / "seed_cache.py"

RUN_LIMIT = 3600.0  # seconds the whole run (and every server) may take
STREAM_CHUNKS = 50_000
SMALL_STREAM_CHUNKS = 5_000
TTFT_CHUNKS = 200
TTFT_PAUSE = 0.25  # seconds the TTFT server waits after the first token
CACHE_MODELS = 500
DOCTOR_PROVIDERS = 10
DOCTOR_FLEET = 50  # the scale benchmark: 50 providers, each its own server
DOCTOR_DELAY = 1.0
PROMPT = "Say something long."
COMPLETION_WORDS = "revka models set lla"
OPTION_LINE = "revka chat --"  # zsh: option names with their help, from the generated table


def rounds(quick: bool) -> tuple[int, int]:
    """Measured rounds for (start-up and TTFT, streams/RSS/doctor)."""
    return (5, 2) if quick else (15, 5)
