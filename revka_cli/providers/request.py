"""A protocol-neutral chat request. Each wire protocol turns it into a body
(`revka_cli.providers.protocols`, `WireProtocol.body`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from revka_cli.errors import UsageError
from revka_cli.providers.images import Image


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
    top_p: float | None = None
    stop: tuple[str, ...] = ()  # stop sequences (Anthropic: stop_sequences)
    response_schema: dict | None = None  # --schema: a JSON Schema the answer must match
    json_object: bool = False  # --json-object: any JSON object
    options: Mapping = field(default_factory=dict)  # -o KEY=VALUE: raw body keys (one revka
    # set from a flag is refused); default_options: [options] and [providers.<id>.options]
    default_options: Mapping = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @property
    def structured(self) -> bool:
        """Whether the answer must be JSON (--schema or --json-object)."""
        return self.response_schema is not None or self.json_object

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
