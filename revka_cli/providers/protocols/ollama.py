"""Ollama's native API: `/api/chat` (NDJSON stream), `/api/tags`, and `/api/show` for details.

A local Ollama takes no key, so none is sent to a loopback URL. Model names match with or
without `:latest`. `:cloud` models need a remote Ollama and a key. A server that refuses the
`think` flag gets the request again without it.
"""

from __future__ import annotations

from revka_cli.providers.protocols.base import StreamReader, WireProtocol

_SUFFIXES = ("/api/chat", "/api/", "/api", "/")
TOP_LEVEL_OPTIONS = ("keep_alive", "format", "think", "tools")  # the rest go in "options"
SOURCES = {"model": "--model", "messages": "the prompt", "stream": "--no-stream",
           "temperature": "--temperature", "num_predict": "--max-tokens", "seed": "--seed",
           "top_p": "--top-p", "stop": "--stop", "tools": "--tools",
           "think": "[runtime] reasoning_enabled", "format": "--schema or --json-object"}


def normalise_ollama_url(url: str) -> str:
    """The server root from any of the URLs users paste (…/api/chat, …/api, trailing /)."""
    url = url.strip()
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if url.endswith(suffix) and len(url) > len(suffix) + 8:
                url, changed = url[: -len(suffix)], True
    return url


def ollama_body(req) -> dict:
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
    if req.top_p is not None:
        options["top_p"] = req.top_p
    if req.stop:
        options["stop"] = list(req.stop)
    if options:
        body["options"] = options
    if req.tools:
        body["tools"] = [{"type": "function", "function": fn} for fn in req.tools]
    if req.reasoning_enabled is not None:
        body["think"] = req.reasoning_enabled
    if req.response_schema is not None:
        body["format"] = req.response_schema
    elif req.json_object:
        body["format"] = "json"
    return body


def _bare(model: str) -> str:
    return model[: -len(":latest")] if model.endswith(":latest") else model


class OllamaProtocol(WireProtocol):
    name = "ollama"
    sends_key_to_loopback = False
    has_model_details = True
    retries_without_think = True
    option_sources = SOURCES

    def option_target(self, body: dict, key: str) -> dict:
        if key in TOP_LEVEL_OPTIONS:
            return body
        return body.setdefault("options", {})

    def urls(self, base: str, api_path: str | None) -> tuple[str, str, str]:
        root = normalise_ollama_url(base).rstrip("/")
        return root, f"{root}/api/chat", f"{root}/api/tags"

    def accept(self, stream: bool) -> str:
        return "application/json"  # it streams NDJSON whatever Accept says

    def body(self, req) -> dict:
        body = self.with_options(ollama_body(req), req)
        if body.get("options") == {}:  # only null -o values were given
            del body["options"]
        return body

    def stream_reader(self) -> StreamReader:
        from revka_cli.providers.protocols.ndjson import NDJSONDecoder
        from revka_cli.providers.protocols.ollama_stream import OllamaStreamParser

        decoder, parser = NDJSONDecoder(json_runs=True), OllamaStreamParser()
        return StreamReader(decoder.feed, decoder.flush, parser.feed_line, parser.finish,
                            parser.feed_lines)

    def parse_answer(self, obj: dict) -> list:
        from revka_cli.providers.protocols.ollama_stream import parse_ollama_response

        return parse_ollama_response(obj)

    def parse_models(self, provider: str, obj: object) -> list:
        from revka_cli.providers.protocols import model_list

        if isinstance(obj, dict) and "data" in obj:  # an OpenAI-style list behind an Ollama URL
            return model_list.parse_openai_models(provider, obj)
        return model_list.parse_ollama_tags(provider, obj)

    def serves(self, model: str, names: list[str]) -> bool:
        bare = _bare(model)
        return model in names or bare in names or f"{bare}:latest" in names

    def preflight(self, endpoint, model: str) -> None:
        from revka_cli.errors import ConfigError

        if not model.endswith(":cloud"):
            return
        if endpoint.local:
            raise ConfigError(f"'{model}' is an Ollama cloud model, but {endpoint.display_url} is local",
                              "point api_url at a remote Ollama (e.g. https://ollama.com) and set "
                              "OLLAMA_API_KEY")
        if endpoint.credential.key is None:
            raise ConfigError(f"'{model}' is an Ollama cloud model and needs an API key",
                              "set OLLAMA_API_KEY or api_key")


PROTOCOL = OllamaProtocol()
