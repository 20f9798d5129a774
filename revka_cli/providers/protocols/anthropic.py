"""The Anthropic Messages API: `<root>/v1/messages` (SSE with named events), `<root>/v1/models`.

Auth is `x-api-key`, except an OAuth token, which goes as a Bearer token; every request carries
`anthropic-version`. The API has no seed (an unknown field is a 400), so none is sent.
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
    if req.reasoning_enabled:
        budget = _EFFORT_BUDGET.get(req.reasoning_effort or "medium", 4096)
        budget = min(budget, max(1024, max_tokens - 1024))
        if budget < max_tokens:  # the API wants budget_tokens < max_tokens, and no temperature
            body["thinking"] = {"type": "enabled", "budget_tokens": budget}
            return body
    if req.temperature is not None:
        body["temperature"] = req.temperature
    return body


class AnthropicProtocol(WireProtocol):
    name = "anthropic"

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
        return anthropic_body(req)

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
