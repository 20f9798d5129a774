"""Human messages from error bodies of every protocol, and "is this error worth a retry?".

Shapes handled (see tests/fixtures/conformance, CHECKLIST items 25, 32, 37):
- OpenAI / vLLM / llama.cpp: {"error": {"message", "type", "param", "code"}} (code: str, int or null)
- OpenRouter: the same with an integer code and "metadata" (provider_name, raw upstream text)
- Anthropic: {"type": "error", "error": {"type", "message"}, "request_id"}
- Ollama: {"error": "..."}; older vLLM: {"object": "error", "message", ...}; FastAPI: {"detail": ...}
- anything else (HTML error pages, plain text): a short cleaned snippet.
"""

from __future__ import annotations

import html
import json
import re

MAX_SNIPPET = 200

_RETRYABLE_WORDS = (
    "overloaded", "rate_limit", "ratelimit", "rate limit", "too_many_requests", "too many requests",
    "server_error", "api_error", "internal_error", "service_unavailable", "unavailable", "timeout",
)
_RETRYABLE_MESSAGE_WORDS = ("overloaded", "rate limit", "too many requests", "server busy")
_TAG = re.compile(r"<[^>]*>")
_DROP_BLOCKS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TITLE = re.compile(r"<(title|h1)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"\s+")


def error_message(body: bytes, content_type: str | None) -> str:
    """The human-readable message in a non-2xx response body ("" for an empty body)."""
    text = body.decode("utf-8", "replace").lstrip("\ufeff").strip()
    if not text:
        return ""
    looks_json = text[:1] in "{[" or "json" in (content_type or "").lower()
    if looks_json:
        try:
            message = message_from_json(json.loads(text))
        except (ValueError, RecursionError):
            message = ""
        if message:
            return message
    return clean_snippet(text)


def message_from_json(obj: object) -> str:
    """The message inside a parsed error object of any protocol, or "" when there is none."""
    if isinstance(obj, list) and obj and isinstance(obj[0], dict):  # e.g. Google's [{"error": ...}]
        obj = obj[0]
    if not isinstance(obj, dict):
        return obj.strip() if isinstance(obj, str) else ""
    error = obj.get("error")
    if isinstance(error, str) and error.strip():
        return error.strip()
    if isinstance(error, dict):
        return _nested_message(error)
    if obj.get("object") == "error" or obj.get("type") == "error":
        return _nested_message(obj)
    detail = obj.get("detail")
    if isinstance(detail, str):
        return detail.strip()
    if isinstance(detail, list):
        parts = [str(d.get("msg")) for d in detail if isinstance(d, dict) and d.get("msg")]
        return "; ".join(parts)
    message = obj.get("message")
    return message.strip() if isinstance(message, str) else ""


def _nested_message(error: dict) -> str:
    message = error.get("message")
    text = message.strip() if isinstance(message, str) else ""
    if not text:
        for key in ("type", "code"):
            if isinstance(error.get(key), (str, int)) and not isinstance(error.get(key), bool):
                text = str(error[key])
                break
    metadata = error.get("metadata")
    if isinstance(metadata, dict):  # OpenRouter: which upstream failed, and its own words
        raw = metadata.get("raw")
        if isinstance(raw, str) and raw.strip() and raw.strip() not in text:
            text = f"{text}: {clean_snippet(raw)}" if text else clean_snippet(raw)
        provider = metadata.get("provider_name")
        if isinstance(provider, str) and provider:
            text = f"{text} (provider: {provider})"
    return text


def clean_snippet(text: str) -> str:
    """Plain text or HTML reduced to one short line: the page title when there is one."""
    if "<" in text and ">" in text:
        title = _TITLE.search(text)
        text = title.group(2) if title and _TAG.sub("", title.group(2)).strip() else text
        text = html.unescape(_TAG.sub(" ", _DROP_BLOCKS.sub(" ", text)))
    text = _SPACES.sub(" ", text).strip()
    if len(text) > MAX_SNIPPET:
        text = text[: MAX_SNIPPET - 1].rstrip() + "…"
    return text


def stream_error_is_retryable(obj: object) -> bool:
    """True when an error object says "overloaded", "rate limited" or "server error" (429, 5xx):
    the kind of failure a retry or a fallback provider can fix. Accepts the whole frame
    ({"error": {...}}), the inner error object, or a bare message string (Ollama)."""
    if isinstance(obj, str):
        lowered = obj.lower()
        return any(word in lowered for word in _RETRYABLE_MESSAGE_WORDS)
    if not isinstance(obj, dict):
        return False
    inner = obj.get("error")
    objects = [obj, inner] if isinstance(inner, dict) else [obj]
    words: list[str] = []
    for item in objects:
        for key in ("code", "status_code", "status"):
            number = _as_status(item.get(key))
            if number is not None and (number == 429 or 500 <= number <= 599):
                return True
        words.extend(str(item[k]).lower() for k in ("type", "code") if isinstance(item.get(k), str))
    if isinstance(inner, str):
        return stream_error_is_retryable(inner)
    return any(word in text for text in words for word in _RETRYABLE_WORDS)


def _as_status(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) == 3:
        return int(value)
    return None
