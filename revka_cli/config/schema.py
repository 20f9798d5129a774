"""The config schema: one table that drives validation, `config show`, and the docs.

Every leaf is a `Field`; `Table` nests fixed keys; `MapOf` is a table whose keys the user chooses.
"""

from __future__ import annotations

from revka_cli.config.numbers import MAX_COUNT, MAX_SECONDS
from revka_cli.records import Record

REASONING_EFFORTS = ("minimal", "low", "medium", "high", "xhigh")


class Field(Record):
    kind: str  # str | url | bool | int | number | str_list | enum | argv | any (JSON value)
    default: object = None
    doc: str = ""
    env: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    clamp: tuple[float, float] | None = None
    choices: tuple[str, ...] = ()
    secret: bool = False


class Table(Record):
    fields: dict[str, object]
    doc: str = ""


class MapOf(Record):
    value: object  # a Field or a Table
    doc: str = ""
    key_kind: str = "name"  # name | provider | header | model | option


def _options(doc: str) -> MapOf:
    return MapOf(Field("any", doc="any value: number, string, boolean, array or table"), doc,
                 key_kind="option")


_HEADERS = MapOf(Field("str", doc="header value"), "extra HTTP headers sent on every request",
                 key_kind="header")

PROVIDER_TABLE = Table({
    "api_url": Field("url", doc="base URL of this provider"),
    "default_model": Field("str", doc="model used with this provider (fallbacks, doctor)"),
    "api_key": Field("str", doc="API key for this provider", secret=True),
    "api_key_cmd": Field("argv", doc="command (no shell) whose stdout is the API key"),
    "api_path": Field("str", doc="replaces the /chat/completions suffix"),
    "extra_headers": _HEADERS,
    "timeout_secs": Field("number", doc="overall request timeout for this provider", minimum=0.001,
                          maximum=MAX_SECONDS),
    "allow_insecure_http": Field("bool", doc="allow sending the key over plain http to a remote host"),
    "vision": Field("bool", doc="accept images (a server running a vision model); default: the "
                    "provider catalog's"),
    "doctor": Table({
        "max_ttft": Field("number", doc="doctor --chat fails this provider when the first token "
                          "takes longer (seconds; --max-ttft wins)", minimum=0.000001,
                          maximum=MAX_SECONDS),
        "min_tps": Field("number", doc="doctor --chat fails this provider below this many tokens "
                         "per second (--min-tps wins)", minimum=0, maximum=MAX_COUNT),
    }, "SLO thresholds for `revka doctor models --chat`"),
    "options": _options("request options for this provider, as chat -o (they override [options])"),
}, "settings for one provider: its own URL, key and headers")

SCHEMA = Table({
    "default_provider": Field("str", "ollama", "provider id, alias, custom:<url> or anthropic-custom:<url>",
                              env="REVKA_PROVIDER"),
    "default_model": Field("str", None, "model for the default provider", env="REVKA_MODEL"),
    "api_key": Field("str", None, "API key for the default provider", secret=True),
    "api_url": Field("url", None, "base URL for the default provider", env="REVKA_PROVIDER_URL"),
    "api_path": Field("str", None, "path replacing /chat/completions (OpenAI-compatible providers)"),
    "default_temperature": Field("number", None, "sampling temperature", minimum=0, maximum=2),
    "provider_timeout_secs": Field("number", 120, "overall request timeout in seconds",
                                   env="REVKA_PROVIDER_TIMEOUT_SECS", minimum=0.001,
                                   maximum=MAX_SECONDS),
    "provider_max_tokens": Field("int", None, "default max tokens per answer", minimum=1,
                                 maximum=MAX_COUNT),
    "allow_insecure_http": Field("bool", False, "allow sending keys over plain http to remote hosts"),
    "extra_headers": MapOf(Field("str"), "extra HTTP headers on every request (env REVKA_EXTRA_HEADERS)",
                           key_kind="header"),
    "options": _options("request options sent with every chat, as chat -o (e.g. top_k = 40)"),
    "runtime": Table({
        "reasoning_enabled": Field("bool", None, "ask the model to think (Ollama: think)",
                                   env="REVKA_REASONING_ENABLED"),
        "reasoning_effort": Field("enum", None, "reasoning effort", env="REVKA_REASONING_EFFORT",
                                  choices=REASONING_EFFORTS),
    }),
    "reliability": Table({
        "fallback_providers": Field("str_list", (), "providers tried in order after the primary"),
        "provider_retries": Field("int", 2, "retries per provider on transient errors", minimum=0,
                                  maximum=10),
        "provider_backoff_ms": Field("int", 500, "first retry delay, doubling, capped at 10 s",
                                     minimum=0, maximum=MAX_COUNT),
        "model_fallbacks": MapOf(Field("str_list"), "model -> substitute models, tried in order"),
    }),
    "multimodal": Table({
        "allow_remote_fetch": Field("bool", False, "fetch http(s) image URLs"),
        "max_images": Field("int", 4, "images per request (oldest dropped)", clamp=(1, 16)),
        "max_image_size_mb": Field("number", 5, "largest image accepted, in MB", clamp=(1, 20)),
    }),
    "pacing": Table({
        "connect_timeout_secs": Field("number", 10, "TCP/TLS connect timeout", minimum=0.001,
                                      maximum=MAX_SECONDS),
        "first_token_timeout_secs": Field("number", None, "longest wait for the first token",
                                          minimum=0.001, maximum=MAX_SECONDS),
        "step_timeout_secs": Field("number", None, "longest silence between stream chunks",
                                   minimum=0.001, maximum=MAX_SECONDS),
        "loop_detection": Field("bool", True, "stop a stream that repeats itself"),
    }),
    "models": Table({
        "default": Field("str", None, "qualified default model, provider/name"),
        "custom": Table({
            "url": Field("url", None, "base URL (the /v1 root) of the declared custom provider"),
            "api_key": Field("str", None, "Bearer token for the custom provider", secret=True),
            "available_models": MapOf(Field("int", minimum=1, maximum=MAX_COUNT),
                                      "model name -> context window (tokens)",
                                      key_kind="model"),
        }),
    }),
    "providers": MapOf(PROVIDER_TABLE, "per-provider settings, keyed by provider id",
                       key_kind="provider"),
})


def iter_fields(node: object = SCHEMA, prefix: str = ""):
    """Yield (dotted key, Field|MapOf) for every documented key; `<id>` stands for a map key."""
    if isinstance(node, Table):
        for name, child in node.fields.items():
            yield from iter_fields(child, f"{prefix}.{name}" if prefix else name)
    elif isinstance(node, MapOf) and isinstance(node.value, Table):
        placeholder = {"provider": "<id>", "model": "<model>"}.get(node.key_kind, "<name>")
        yield from iter_fields(node.value, f"{prefix}.{placeholder}")
    else:
        yield prefix, node
