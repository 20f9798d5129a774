"""The Anthropic Messages API: `<root>/v1/messages` (SSE with named events), `<root>/v1/models`.

Auth is `x-api-key`, except an OAuth token, which goes as a Bearer token; every request carries
`anthropic-version`. The API has no seed (an unknown field is a 400), so none is sent.

Structured output (--schema, --json-object): the Messages API has no response format, so revka
sends one tool, `answer`, whose `input_schema` is the schema, and forces it with `tool_choice`;
the tool's input is the answer. A schema whose root is not an object is wrapped as the `value`
property of one (the API wants an object) and unwrapped again. Extended thinking is not sent with
a forced tool (the API refuses the pair).
"""

from __future__ import annotations

from revka_cli.providers.protocols.base import StreamReader, WireProtocol

ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 4096  # the API requires max_tokens
OAUTH_SOURCE = "ANTHROPIC_OAUTH_TOKEN"
NOT_FOUND_HINT = ("the server may not offer the Anthropic Messages API: revka appends "
                  "/v1/messages to the URL's root; check the URL, or use the provider's "
                  "OpenAI-compatible form")
_EFFORT_BUDGET = {"minimal": 1024, "low": 2048, "medium": 4096, "high": 8192, "xhigh": 16384}
ANSWER_TOOL = "answer"
SOURCES = {"model": "--model", "messages": "the prompt", "stream": "--no-stream",
           "max_tokens": "--max-tokens", "temperature": "--temperature", "system": "--system",
           "top_p": "--top-p", "stop_sequences": "--stop", "tools": "--tools or --schema",
           "tool_choice": "--schema or --json-object", "thinking": "[runtime] reasoning_enabled"}


def _content(message):
    if not message.images:
        return message.content
    parts = [{"type": "image", "source": {"type": "base64", "media_type": img.media_type,
                                          "data": img.b64}} for img in message.images]
    if message.content:
        parts.append({"type": "text", "text": message.content})
    return parts


def anthropic_body(req) -> dict:
    """The Messages API body; `req.seed` is not sent (the API has none)."""
    max_tokens = req.max_tokens or DEFAULT_MAX_TOKENS
    body: dict = {"model": req.model, "max_tokens": max_tokens, "stream": req.stream,
                  "messages": [{"role": m.role, "content": _content(m)} for m in req.messages]}
    if req.system:
        body["system"] = req.system
    if req.tools:
        body["tools"] = [{"name": fn["name"], "description": fn["description"],
                          "input_schema": fn["parameters"]} for fn in req.tools]
    if req.top_p is not None:
        body["top_p"] = req.top_p
    if req.stop:
        body["stop_sequences"] = list(req.stop)
    if req.structured:
        body["tools"] = [_answer_tool(req)]
        body["tool_choice"] = {"type": "tool", "name": ANSWER_TOOL}
    elif req.reasoning_enabled:
        budget = _EFFORT_BUDGET.get(req.reasoning_effort or "medium", 4096)
        budget = min(budget, max(1024, max_tokens - 1024))
        if budget < max_tokens:  # the API wants budget_tokens < max_tokens, and no temperature
            body["thinking"] = {"type": "enabled", "budget_tokens": budget}
            return body
    if req.temperature is not None:
        body["temperature"] = req.temperature
    return body


def _wraps(schema: dict | None) -> bool:
    return schema is not None and schema.get("type") != "object"


def _answer_tool(req) -> dict:
    schema = req.response_schema if req.response_schema is not None else {"type": "object"}
    if _wraps(schema):
        schema = {"type": "object", "properties": {"value": schema}, "required": ["value"]}
    return {"name": ANSWER_TOOL, "description": "Give your whole answer as this tool's input.",
            "input_schema": schema}


class AnthropicProtocol(WireProtocol):
    name = "anthropic"
    option_sources = SOURCES

    def urls(self, base: str, api_path: str | None) -> tuple[str, str, str]:
        root = base.rstrip("/")
        for suffix in ("/v1/messages", "/v1"):
            if root.endswith(suffix):
                root = root[: -len(suffix)]
                break
        return root, f"{root}/v1/messages", f"{root}/v1/models"

    def auth_headers(self, key: str, source: str) -> dict[str, str]:
        if source == OAUTH_SOURCE:
            return {"Authorization": f"Bearer {key}"}
        return {"x-api-key": key}

    def version_headers(self) -> dict[str, str]:
        return {"anthropic-version": ANTHROPIC_VERSION}

    def body(self, req) -> dict:
        return self.with_options(anthropic_body(req), req)

    def check_request(self, req) -> None:
        if req.structured and req.tools:
            from revka_cli.errors import UsageError

            raise UsageError("with Anthropic, --schema and --json-object use a forced tool, so "
                             "they cannot be combined with --tools",
                             "drop --tools, or --schema/--json-object")

    def structured_result(self, result, req):
        """The forced tool's input as the answer text; the tool call itself is not shown."""
        import json
        from dataclasses import replace

        calls = [c for c in result.tool_calls if c.name == ANSWER_TOOL]
        if not calls:
            return result
        text = calls[0].arguments
        if _wraps(req.response_schema):
            try:
                text = json.dumps(json.loads(text)["value"], ensure_ascii=False)
            except (ValueError, KeyError, TypeError):
                pass  # validation reports what came
        return replace(result, text=text, tool_calls=[c for c in result.tool_calls
                                                      if c.name != ANSWER_TOOL])

    def stream_reader(self) -> StreamReader:
        from revka_cli.providers.protocols.anthropic_stream import AnthropicStreamParser
        from revka_cli.providers.protocols.sse import SSEDecoder

        decoder, parser = SSEDecoder(), AnthropicStreamParser()
        return StreamReader(decoder.feed, decoder.flush, parser.feed_event, parser.finish)

    def parse_answer(self, obj: dict) -> list:
        from revka_cli.providers.protocols.anthropic_stream import parse_anthropic_response

        return parse_anthropic_response(obj)

    def parse_models(self, provider: str, obj: object) -> list:
        from revka_cli.providers.protocols.model_list import parse_openai_models

        return parse_openai_models(provider, obj)  # {"data": [{"id", "display_name"}, ...]}

    def not_found_hint(self) -> str | None:
        return NOT_FOUND_HINT


PROTOCOL = AnthropicProtocol()
