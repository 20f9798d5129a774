"""Helpers shared by the tests that drive revka against the real llama-server.

The model is SmolLM2-135M-Instruct. The tests here assert on the plumbing (exit codes, JSON shape,
usage, finish_reason); test_real_answers.py asserts on what the model says.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

MAX_TOKENS = 8  # small: the 2 cores are shared, and these tests check the plumbing
TIMEOUT = 180  # generous: the real model is slow when the machine is busy
FINISH_REASONS = {"stop", "length"}

# A real, well-formed OpenAI function definition.
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city, e.g. Paris"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
}


def write_config(folder: Path, text: str, name: str = "config.toml") -> Path:
    path = folder / name
    path.write_text(text)
    path.chmod(0o600)
    return path


def provider_config(folder: Path, base_url: str, model: str, *, default: str = "llamacpp",
                    providers: tuple[str, ...] = ("llamacpp", "vllm", "sglang", "lmstudio"),
                    extra: str = "") -> Path:
    """A config pointing every named provider at the real server's /v1."""
    lines = [f'default_provider = "{default}"', f'default_model = "{model}"', extra]
    for pid in providers:
        lines += [f"[providers.{pid}]", f'api_url = "{base_url}/v1"']
    return write_config(folder, "\n".join(lines) + "\n")


def load_json(stdout: str) -> dict:
    try:
        return json.loads(stdout)
    except ValueError as exc:  # pragma: no cover - the message is the point
        raise AssertionError(f"revka did not print valid JSON: {exc}\n{stdout!r}") from None


def assert_real_answer(doc: dict, *, provider: str, model: str, max_tokens: int = MAX_TOKENS) -> None:
    """The shape of a successful `revka chat --json` against the real server."""
    assert doc["error"] is None, doc["error"]
    assert doc["provider"] == provider
    assert doc["model"] == model
    assert isinstance(doc["text"], str) and doc["text"].strip(), doc
    assert doc["finish_reason"] in FINISH_REASONS, doc
    usage = doc["usage"]
    assert usage is not None, doc
    assert usage["prompt_tokens"] > 0
    assert 0 < usage["completion_tokens"] <= max_tokens
    assert doc["latency"]["first_token_s"] is not None and doc["latency"]["total_s"] is not None
    assert [a["exit_code"] for a in doc["attempts"]] == [0]


def health(base_url: str) -> int:
    return httpx.get(f"{base_url}/health", timeout=10).status_code


def wait_until_idle(base_url: str, timeout: float = 20.0) -> bool:
    """True once no llama-server slot is generating (it cancels a task whose client went away)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        slots = httpx.get(f"{base_url}/slots", timeout=10).json()
        if not any(slot.get("is_processing") for slot in slots):
            return True
        time.sleep(0.2)
    return False
