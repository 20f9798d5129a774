"""The OpenAI Chat Completions protocol: llama-server, vLLM, SGLang, LM Studio, Osaurus, LiteLLM,
`custom:` URLs and the hosted OpenAI-compatible APIs.

URLs: `<root>/chat/completions` (or `api_path`), `<root>/models`; a base that already ends in
`/chat/completions` is taken as the chat URL. Streams are SSE (`data: {...}`, `data: [DONE]`).
"""

from __future__ import annotations

from revka_cli.providers.protocols.base import StreamReader, WireProtocol
from revka_cli.urls import join_path

_CHAT_SUFFIX = "/chat/completions"
SCHEMA_NAME = "answer"  # response_format.json_schema.name: OpenAI requires one
SOURCES = {"model": "--model", "messages": "the prompt", "stream": "--no-stream",
           "stream_options": "streaming", "temperature": "--temperature", "max_tokens": "--max-tokens",
           "seed": "--seed", "top_p": "--top-p", "stop": "--stop", "tools": "--tools",
           "reasoning_effort": "[runtime] reasoning_effort",
           "response_format": "--schema or --json-object"}


def _content(message):
    if not message.images:
        return message.content
    parts = [{"type": "text", "text": message.content}] if message.content else []
    parts += [{"type": "image_url", "image_url": {"url": img.data_url}} for img in message.images]
    return parts


def openai_body(req) -> dict:
    messages = [{"role": "system", "content": req.system}] if req.system else []
    messages += [{"role": m.role, "content": _content(m)} for m in req.messages]
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
    _sampling(body, req)
    return body


def _sampling(body: dict, req) -> None:
    """top_p, stop and the structured-output request, all top-level keys."""
    if req.top_p is not None:
        body["top_p"] = req.top_p
    if req.stop:
        body["stop"] = list(req.stop)
    if req.response_schema is not None:
        body["response_format"] = {"type": "json_schema", "json_schema": {
            "name": SCHEMA_NAME, "schema": req.response_schema, "strict": True}}
    elif req.json_object:
        body["response_format"] = {"type": "json_object"}


class OpenAIProtocol(WireProtocol):
    name = "openai"
    option_sources = SOURCES

    def urls(self, base: str, api_path: str | None) -> tuple[str, str, str]:
        base = base.rstrip("/")
        if base.endswith(_CHAT_SUFFIX):
            root = base[: -len(_CHAT_SUFFIX)]
            return root, base, join_path(root, "models")
        chat = join_path(base, api_path) if api_path else join_path(base, "chat/completions")
        return base, chat, join_path(base, "models")

    def body(self, req) -> dict:
        return self.with_options(openai_body(req), req)

    def stream_reader(self) -> StreamReader:
        from revka_cli.providers.protocols.openai_stream import OpenAIStreamParser
        from revka_cli.providers.protocols.sse import SSEDecoder

        decoder, parser = SSEDecoder(json_runs=True), OpenAIStreamParser()
        return StreamReader(decoder.feed, decoder.flush, parser.feed_event, parser.finish,
                            parser.feed_events)

    def parse_answer(self, obj: dict) -> list:
        from revka_cli.providers.protocols.openai_answer import parse_openai_response

        return parse_openai_response(obj)

    def parse_models(self, provider: str, obj: object) -> list:
        from revka_cli.providers.protocols.model_list import parse_openai_models

        return parse_openai_models(provider, obj)


PROTOCOL = OpenAIProtocol()
