"""What a server's error body means, beyond its HTTP status: data, not code paths.

Gateways and servers say "wrong key", "unknown model" or "prompt too long" with a 400 and a
`type`, `code` or message (LiteLLM answers a wrong key with 400 `no_db_connection`). Each rule
below was read off a real body, kept as a fixture in tests/fixtures/gateways/ (or the
conformance corpus). The first rule that matches decides the exit code and the hint.
"""

from __future__ import annotations

import json

from revka_cli.errors import AuthError, NotFoundError, RevkaError, StreamError, UsageError

CONTEXT, AUTH, MODEL = "context", "auth", "model"
CONTEXT_HINT = "shorten the input or lower --max-tokens"
MODEL_HINT = "run 'revka models list' to see the models this provider serves"
AUTH_HINT = ("the server refused the key: set the key it expects (a LiteLLM proxy with a master_key "
             "accepts only that key or keys from its database); see 'revka config show'")
UPSTREAM_404_HINT = ("the gateway routed the model, and its upstream answered 404: check that "
                     "deployment's api_base and model name in the gateway's config (LiteLLM: "
                     "model_list → litellm_params)")
PARTIAL_KEPT = "the partial answer above is kept; "
# A 404's hint from its message (lower case), first match wins; else the protocol's own hint.
NOT_FOUND_HINTS: tuple[tuple[str, str], ...] = (
    ("received model group=", UPSTREAM_404_HINT),  # LiteLLM: the group exists, upstream failed
    ("model", MODEL_HINT),
)
EMPTY_STREAM_HINT = ("the prompt may not fit the model's context window (llama-cpp-python answers "
                     "that with an empty stream): shorten the input, or use --no-stream to see the "
                     "server's own error")

# (field, lower-case text it contains, kind). field "message" is the human message.
RULES: tuple[tuple[str, str, str], ...] = (
    ("type", "exceed_context_size_error", CONTEXT),  # llama-server
    ("message", "exceeds the available context size", CONTEXT),  # llama-server, via LiteLLM
    ("message", "maximum context length", CONTEXT),  # llama-cpp-python, vLLM, OpenAI
    ("message", "contextwindowexceedederror", CONTEXT),  # LiteLLM's mapped exception
    ("code", "context_length_exceeded", CONTEXT),  # OpenAI
    ("type", "no_db_connection", AUTH),  # LiteLLM, master key set, other key, no database
    ("type", "auth_error", AUTH),  # LiteLLM
    ("code", "invalid_api_key", AUTH),  # OpenAI
    ("message", "invalid model name passed", MODEL),  # LiteLLM
    ("code", "model_not_found", MODEL),  # OpenAI
)

# The most characters one token covers on average in real text: BPE tokenizers (Llama, SmolLM2,
# Qwen, GPT) average 3-5 on prose and code; 8 is a bound no measured prompt came near (a
# 10,011-character prompt was 1,534 tokens for SmolLM2: 6.5 per token).
MAX_CHARS_PER_TOKEN = 8


def fewest_tokens(chars: int) -> int:
    """A lower bound on the tokens in `chars` characters of prompt: refuse only above it."""
    return chars // MAX_CHARS_PER_TOKEN


def classify(body: bytes, message: str) -> str | None:
    """The kind of failure an error body names (CONTEXT, AUTH, MODEL), or None."""
    fields = _fields(body)
    fields["message"] = message.lower()
    for name, needle, kind in RULES:
        if needle in fields.get(name, ""):
            return kind
    return None


def reclassify(exc: RevkaError, body: bytes, message: str) -> RevkaError:
    """`exc` (made from the HTTP status) replaced by what the body says, when it says more."""
    kind = classify(body, message)
    if kind is None or (kind == AUTH and isinstance(exc, AuthError)):
        return exc
    factory = {CONTEXT: (UsageError, CONTEXT_HINT), AUTH: (AuthError, AUTH_HINT),
               MODEL: (NotFoundError, MODEL_HINT)}[kind]
    if kind == CONTEXT:
        text = f"the prompt does not fit the model's context window: {exc.message}"
    else:
        text = exc.message
    new = factory[0](text, factory[1])
    new.server_message = exc.server_message
    return new


def _fields(body: bytes) -> dict[str, str]:
    try:
        obj = json.loads(body)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return {}
    inner = obj.get("error") if isinstance(obj, dict) else None
    source = inner if isinstance(inner, dict) else obj if isinstance(obj, dict) else {}
    return {key: str(source[key]).lower() for key in ("type", "code") if source.get(key) is not None}


def not_found_hint(body_message: str, wire) -> str | None:
    """A 404 hint that fits the case (NOT_FOUND_HINTS), else the protocol object `wire`'s: the
    path revka appends."""
    low = body_message.lower()
    for needle, hint in NOT_FOUND_HINTS:
        if needle in low:
            return hint
    return wire.not_found_hint()


def explain_failure(exc: RevkaError) -> RevkaError:
    """Hints that fit what reached the user: no "partial answer above" when nothing was printed;
    an empty 200 stream (llama-cpp-python's answer to an over-long prompt) named as such."""
    from revka_cli.providers.errors_map import TRUNCATED

    partial = exc.partial
    if exc.output_started:
        return exc
    if isinstance(exc, StreamError) and TRUNCATED in exc.message and partial is not None \
            and not (partial.text or partial.reasoning or partial.tool_calls or partial.finish_reason):
        exc.message = f"the server sent an empty stream ({exc.message})"
        exc.hint = EMPTY_STREAM_HINT
    elif exc.hint and exc.hint.startswith(PARTIAL_KEPT):
        exc.hint = exc.hint[len(PARTIAL_KEPT):]
    return exc
