"""A protocol-neutral chat request, and its body in each wire protocol."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from revka_cli import specs
from revka_cli.errors import UsageError
from revka_cli.providers.images import Image

ANTHROPIC_DEFAULT_MAX_TOKENS = 4096


@dataclass(frozen=True)
class Message:
    role: str  # user | assistant
    content: str
    images: tuple[Image, ...] = ()


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: tuple[Message, ...]
    system: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    stream: bool = True
    tools: tuple[dict, ...] = ()  # {"name", "description", "parameters"} function definitions
    reasoning_enabled: bool | None = None
    reasoning_effort: str | None = None
    seed: int | None = None  # sampling seed (OpenAI-compatible and Ollama; Anthropic has none)
    extra: dict = field(default_factory=dict)

    def without_think(self) -> "ChatRequest":
        return replace(self, reasoning_enabled=None)

    @property
    def images(self) -> list[Image]:
        return [img for m in self.messages for img in m.images]


def load_tools(path: str) -> tuple[dict, ...]:
    """An OpenAI-style JSON list of function definitions (bare or wrapped in {"type":"function"})."""
    try:
        raw = json.loads(Path(path).expanduser().read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"tools file not found: {path}", "pass a JSON file with a list of "
                         "function definitions") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"tools file {path} cannot be read ({exc})", "check the file") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"tools file {path} is not valid JSON (line {exc.lineno}, column "
                         f"{exc.colno}: {exc.msg})", "fix the JSON") from None
    if isinstance(raw, dict) and "tools" in raw:
        raw = raw["tools"]
    if not isinstance(raw, list) or not raw:
        raise UsageError(f"tools file {path} must hold a non-empty JSON list of functions",
                         '[{"type": "function", "function": {"name": ..., "parameters": {...}}}]')
    return tuple(_function(item, path, i) for i, item in enumerate(raw))


def _function(item, path: str, index: int) -> dict:
    fn = item.get("function", item) if isinstance(item, dict) else None
    if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"]:
        raise UsageError(f"tools file {path}: entry {index} has no function name",
                         'each entry needs {"name": ..., "parameters": {...}}')
    params = fn.get("parameters") or {"type": "object", "properties": {}}
    if not isinstance(params, dict):
        raise UsageError(f"tools file {path}: '{fn['name']}' parameters must be a JSON object")
    return {"name": fn["name"], "description": fn.get("description") or "", "parameters": params}


def _openai_content(message: Message):
    if not message.images:
        return message.content
    parts = [{"type": "text", "text": message.content}] if message.content else []
    parts += [{"type": "image_url", "image_url": {"url": img.data_url}} for img in message.images]
    return parts


def openai_body(req: ChatRequest) -> dict:
    messages = [{"role": "system", "content": req.system}] if req.system else []
    messages += [{"role": m.role, "content": _openai_content(m)} for m in req.messages]
    body: dict = {"model": req.model, "messages": messages, "stream": req.stream}
    if req.stream:
        body["stream_options"] = {"include_usage": True}
    if req.temperature is not None:
        body["temperature"] = req.temperature
    if req.max_tokens is not None:
        body["max_tokens"] = req.max_tokens
    if req.seed is not None:
        body["seed"] = req.seed
    if req.tools:
        body["tools"] = [{"type": "function", "function": fn} for fn in req.tools]
    if req.reasoning_effort:
        body["reasoning_effort"] = req.reasoning_effort
    return body


def ollama_body(req: ChatRequest) -> dict:
    messages = [{"role": "system", "content": req.system}] if req.system else []
    for m in req.messages:
        item = {"role": m.role, "content": m.content}
        if m.images:
            item["images"] = [img.b64 for img in m.images]
        messages.append(item)
    body: dict = {"model": req.model, "messages": messages, "stream": req.stream}
    options = {}
    if req.temperature is not None:
        options["temperature"] = req.temperature
    if req.max_tokens is not None:
        options["num_predict"] = req.max_tokens
    if req.seed is not None:
        options["seed"] = req.seed
    if options:
        body["options"] = options
    if req.tools:
        body["tools"] = [{"type": "function", "function": fn} for fn in req.tools]
    if req.reasoning_enabled is not None:
        body["think"] = req.reasoning_enabled
    return body


def _anthropic_content(message: Message):
    if not message.images:
        return message.content
    parts = [{"type": "image", "source": {"type": "base64", "media_type": img.media_type,
                                          "data": img.b64}} for img in message.images]
    if message.content:
        parts.append({"type": "text", "text": message.content})
    return parts


_EFFORT_BUDGET = {"minimal": 1024, "low": 2048, "medium": 4096, "high": 8192, "xhigh": 16384}


def anthropic_body(req: ChatRequest) -> dict:
    """The Messages API body. It has no seed parameter (an unknown field is a 400), so
    `req.seed` is not sent."""
    max_tokens = req.max_tokens or ANTHROPIC_DEFAULT_MAX_TOKENS
    body: dict = {"model": req.model, "max_tokens": max_tokens, "stream": req.stream,
                  "messages": [{"role": m.role, "content": _anthropic_content(m)} for m in req.messages]}
    if req.system:
        body["system"] = req.system
    if req.tools:
        body["tools"] = [{"name": fn["name"], "description": fn["description"],
                          "input_schema": fn["parameters"]} for fn in req.tools]
    if req.reasoning_enabled:
        budget = _EFFORT_BUDGET.get(req.reasoning_effort or "medium", 4096)
        budget = min(budget, max(1024, max_tokens - 1024))
        if budget < max_tokens:  # the API wants budget_tokens < max_tokens, and no temperature
            body["thinking"] = {"type": "enabled", "budget_tokens": budget}
            return body
    if req.temperature is not None:
        body["temperature"] = req.temperature
    return body


def request_body(protocol: str, req: ChatRequest) -> dict:
    if protocol == specs.OLLAMA:
        return ollama_body(req)
    if protocol == specs.ANTHROPIC:
        return anthropic_body(req)
    return openai_body(req)
