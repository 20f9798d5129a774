"""Helpers for batch tests: a chat server that echoes each prompt, input files, output reading."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.servers import Reply

PATH = "/v1/chat/completions"


def echo_answer(rec) -> str:
    body = rec.json()
    return "echo: " + body["messages"][-1]["content"]


def echo_handler(delay: float = 0.0, fail_when=None):
    """A chat.completions handler answering "echo: <last user message>" (whole or SSE)."""
    def handle(rec):
        if delay:
            time.sleep(delay)
        body = rec.json()
        if fail_when is not None and fail_when(body):
            return Reply.json({"error": {"message": "no such thing"}}, 400)
        text = echo_answer(rec)
        usage = {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}
        if body.get("stream"):
            chunks = [{"choices": [{"index": 0, "delta": {"content": text}}]},
                      {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                      {"choices": [], "usage": usage}]
            data = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
            return Reply.sse(data + b"data: [DONE]\n\n")
        return Reply.json({"id": "x", "object": "chat.completion", "model": body["model"],
                           "choices": [{"index": 0, "finish_reason": "stop",
                                        "message": {"role": "assistant", "content": text}}],
                           "usage": usage})
    return handle


def config_for(write_config, *urls: str, model: str = "m") -> Path:
    """vllm at the first URL (the default provider), sglang and lmstudio at the next ones."""
    names = ["vllm", "sglang", "lmstudio"]
    lines = [f'default_provider = "vllm"', f'default_model = "{model}"']
    for name, url in zip(names, urls):
        lines += [f"[providers.{name}]", f'api_url = "{url}/v1"']
    lines += ["[reliability]", "provider_retries = 0"]
    return write_config("\n".join(lines) + "\n")


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def simple_rows(n: int, start: int = 0):
    return [{"custom_id": f"id-{i}", "prompt": f"prompt {i}"} for i in range(start, start + n)]


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def by_id(records) -> dict:
    return {r["custom_id"]: r for r in records}


def answer_of(record: dict) -> str | None:
    """The answer text of a record in either output form."""
    if "response" in record:
        resp = record["response"]
        return None if resp is None else resp["body"]["choices"][0]["message"]["content"]
    return record["text"] if record["error"] is None else None
