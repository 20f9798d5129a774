"""One input line -> one `BatchItem`, for the three input forms (detected per line).

- the simple form: {"custom_id", "prompt", "system", "model", "provider", "max_tokens",
  "temperature", "images", "options": {...}}, plus any ChatRequest option at the top level;
- the OpenAI Batch API request form: {"custom_id", "method", "url", "body": {chat.completions}},
  the file OpenAI's Batch API and vLLM's run-batch take;
- plain text (`--lines`): the line is the prompt.

A missing custom_id is the 1-based line number. A malformed line raises `LineError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields

from revka_cli.providers.request import ChatRequest

SIMPLE, OPENAI, LINES = "simple", "openai", "lines"
CHAT_URLS = ("/v1/chat/completions", "/chat/completions")
# ChatRequest fields an item may set through `options` (or a body field of the same name).
_CORE_FIELDS = {"model", "messages", "system", "temperature", "max_tokens", "stream", "tools",
                "reasoning_enabled", "reasoning_effort", "extra"}
REQUEST_OPTIONS = frozenset(f.name for f in fields(ChatRequest)) - _CORE_FIELDS
# Body fields that mean nothing to revka's chat core but are harmless to drop.
IGNORED_BODY = frozenset({"stream", "stream_options", "n", "user", "metadata", "store"})
# Body fields revka does not pass on: tools come from definitions revka does not take per item.
NOT_PASSED = frozenset({"tools", "tool_choice", "functions", "function_call", "parallel_tool_calls"})
STRUCTURED_KEYS = frozenset({"schema", "json_object", "response_format"})


class LineError(ValueError):
    """A line that is not a batch item; the message says why (the caller adds the line number)."""


@dataclass
class BatchItem:
    index: int  # 0-based position among the input's items
    line_no: int  # 1-based line of the input
    custom_id: str
    form: str
    messages: list = field(default_factory=list)  # [(role, text, image refs)]
    system: str | None = None
    model: str | None = None
    provider: str | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    options: dict = field(default_factory=dict)  # ChatRequest fields by name (seed, ...)
    raw_options: dict = field(default_factory=dict)  # body keys, as chat -o KEY=VALUE
    schema: dict | None = None  # the answer must match this JSON Schema (as chat --schema)
    json_object: bool = False  # the answer must be a JSON object (as chat --json-object)
    ignored: tuple = ()  # keys the item carried that revka does not use


def structured_options(source: dict, item: BatchItem) -> None:
    """An item's structured output, as chat --schema / --json-object: the simple form's "schema"
    (a JSON Schema object, or a path or inline text as --schema takes) or "json_object": true;
    the OpenAI form's body "response_format" ({"type": "json_schema", "json_schema": {"schema"}}
    or {"type": "json_object"}). A bad schema is a LineError (exit 2 before any request)."""
    fmt = source.get("response_format")
    if fmt is not None:
        kind = fmt.get("type") if isinstance(fmt, dict) else None
        if kind == "json_object":
            item.json_object = True
        elif kind == "json_schema" and isinstance(fmt.get("json_schema"), dict):
            item.schema = checked_schema(fmt["json_schema"].get("schema"))
        elif kind != "text":
            raise LineError('response_format must be {"type": "json_schema", "json_schema": '
                            '{"schema": ...}} or {"type": "json_object"}')
    if source.get("schema") is not None:
        item.schema = checked_schema(source["schema"])
    if source.get("json_object") is True:
        item.json_object = True
    if item.schema is not None and item.json_object:
        raise LineError("give schema or json_object, not both")


_SCHEMAS: dict[str, dict] = {}  # one check per distinct schema text, however many lines share it
_MAX_SCHEMAS = 1000


def checked_schema(value) -> dict:
    from revka_cli.chat.structured import load_schema
    from revka_cli.errors import UsageError

    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    schema = _SCHEMAS.get(text)
    if schema is None:
        try:
            schema = load_schema(text)
        except UsageError as exc:
            raise LineError(exc.message.replace("--schema", "schema")) from None
        if len(_SCHEMAS) < _MAX_SCHEMAS:
            _SCHEMAS[text] = schema
    return schema


def raw_options(source: dict, item: BatchItem) -> None:
    """Keys that are not ChatRequest fields, sent in the body as chat -o sends them (checked the
    same way: a key revka sets from its own flags, or a value it cannot send, is a LineError)."""
    from revka_cli.config.request_options import reserved_problem, value_problem

    for key, value in source.items():
        problem = reserved_problem(key) or value_problem(value)
        if problem:
            raise LineError(f"option {key}: {problem}")
        item.raw_options[key] = value


def parse_line(text: str, *, line_no: int, index: int, lines_mode: bool) -> BatchItem:
    if lines_mode:
        return BatchItem(index, line_no, str(line_no), LINES, [("user", text, ())])
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LineError(f"not valid JSON ({exc.msg}, column {exc.colno}); plain text needs "
                        "--lines") from None
    if not isinstance(obj, dict):
        raise LineError("a JSON line must be an object")
    custom_id = _custom_id(obj, line_no)
    if "body" in obj:
        return _openai_item(obj, BatchItem(index, line_no, custom_id, OPENAI))
    if "prompt" in obj:
        return _simple_item(obj, BatchItem(index, line_no, custom_id, SIMPLE))
    raise LineError('neither the simple form (a "prompt") nor the OpenAI Batch form (a "body")')


def _custom_id(obj: dict, line_no: int) -> str:
    value = obj.get("custom_id")
    if value is None:
        return str(line_no)
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        raise LineError("custom_id must be a non-empty string (or a number)")
    return str(value)


def _number(obj: dict, key: str, kind):
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            kind is int and not float(value).is_integer()):
        raise LineError(f"{key} must be a number")
    return kind(value)


def _text(obj: dict, key: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise LineError(f"{key} must be a string")
    return value


def _options(source: dict, item: BatchItem, taken: set) -> list[str]:
    """ChatRequest options from `source` into item.options; the keys left over."""
    left = []
    for key, value in source.items():
        if key in taken:
            continue
        if key in REQUEST_OPTIONS:
            item.options[key] = value
        else:
            left.append(key)
    return left


def _simple_item(obj: dict, item: BatchItem) -> BatchItem:
    prompt = obj.get("prompt")
    if not isinstance(prompt, str):
        raise LineError("prompt must be a string")
    images = obj.get("images") or []
    if not isinstance(images, list) or not all(isinstance(i, str) for i in images):
        raise LineError("images must be a list of paths or URLs")
    item.messages = [("user", prompt, tuple(images))]
    item.system, item.model, item.provider = _text(obj, "system"), _text(obj, "model"), \
        _text(obj, "provider")
    item.max_tokens, item.temperature = _number(obj, "max_tokens", int), \
        _number(obj, "temperature", float)
    options = obj.get("options") or {}
    if not isinstance(options, dict):
        raise LineError("options must be an object")
    taken = {"custom_id", "prompt", "images", "system", "model", "provider", "max_tokens",
             "temperature", "options", *STRUCTURED_KEYS}
    left = _options(obj, item, taken)
    raw_options({k: options[k] for k in _options(options, item, set())}, item)
    structured_options(obj, item)
    item.ignored = tuple(left)
    return item


def _openai_item(obj: dict, item: BatchItem) -> BatchItem:
    body, url = obj.get("body"), obj.get("url", CHAT_URLS[0])
    if not isinstance(body, dict):
        raise LineError("body must be an object")
    if url not in CHAT_URLS or str(obj.get("method", "POST")).upper() != "POST":
        raise LineError(f"only POST {CHAT_URLS[0]} is supported, not {obj.get('method')} {url}")
    if body.get("n") not in (None, 1):
        raise LineError("n must be 1 (one answer per item)")
    systems, item.messages = _body_messages(body.get("messages"))
    item.system = "\n\n".join(systems) or None
    item.model = _text(body, "model")
    item.max_tokens = _number(body, "max_completion_tokens", int) or _number(body, "max_tokens", int)
    item.temperature = _number(body, "temperature", float)
    taken = {"messages", "model", "max_tokens", "max_completion_tokens", "temperature",
             *IGNORED_BODY, *STRUCTURED_KEYS}
    left = _options(body, item, taken)
    item.ignored = tuple(k for k in left if k in NOT_PASSED)
    raw_options({k: body[k] for k in left if k not in NOT_PASSED}, item)  # top_k, min_p, ...
    structured_options(body, item)
    return item


def _body_messages(raw) -> tuple[list[str], list]:
    if not isinstance(raw, list) or not raw:
        raise LineError("body.messages must be a non-empty list")
    systems, messages = [], []
    for message in raw:
        role = message.get("role") if isinstance(message, dict) else None
        text, images = _content(message.get("content") if role else None)
        if role in ("system", "developer"):
            systems.append(text)
        elif role in ("user", "assistant"):
            messages.append((role, text, images))
        else:
            raise LineError(f"message role {role!r} is not supported (system, user, assistant)")
    if not messages or messages[-1][0] != "user":
        raise LineError("the last message must be the user's")
    return systems, messages


def _content(content) -> tuple[str, tuple]:
    """A message's text and image URLs, from a string or a list of parts."""
    if isinstance(content, str):
        return content, ()
    if not isinstance(content, list):
        raise LineError("message content must be a string or a list of parts")
    texts, images = [], []
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and isinstance(part.get("text"), str):
            texts.append(part["text"])
        elif kind == "image_url":
            url = part.get("image_url")
            url = url.get("url") if isinstance(url, dict) else url
            if not isinstance(url, str):
                raise LineError("an image_url part needs a url")
            images.append(url)
        else:
            raise LineError(f"content part {kind!r} is not supported (text, image_url)")
    return "\n".join(texts), tuple(images)
