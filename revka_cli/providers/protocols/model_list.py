"""Pure parsers for model-list answers: Ollama `/api/tags` and `/api/show`, OpenAI-style
`/v1/models` (llama.cpp, vLLM, SGLang, LM Studio, LiteLLM, hosted), and Anthropic `/v1/models`.

Only a model's name is required; every other field is optional and unknown fields are ignored
(CHECKLIST items 39-40). An answer that is not a model list raises `ProviderError`.
"""

from __future__ import annotations

import json

from revka_cli.errors import ProviderError
from revka_cli.records import Factory, Record

LIVE, DECLARED, MANUAL = "live", "declared", "manual"
NOT_A_LIST = "the models endpoint answered something that is not a model list"
NOT_A_LIST_HINT = ("check the provider URL (revka config show): it should be the API root, e.g. "
                   "http://host:8080/v1, or http://host:11434 for Ollama")

# Where OpenAI-compatible servers put a context length, best first (llama.cpp's meta is read apart).
_CONTEXT_KEYS = ("max_model_len", "context_length", "context_window", "max_context_length",
                 "max_input_tokens", "n_ctx", "num_ctx", "max_sequence_length")
_MAX_FIELD_JSON = 2000  # keep server fields small in the cache


class ModelInfo(Record):
    provider: str
    name: str
    context_window: int | None = None
    size: int | None = None  # bytes on disk, when the server says
    family: str | None = None
    parameter_size: str | None = None
    quantization: str | None = None
    source: str = LIVE  # live | declared | manual
    fields: dict = Factory(dict)  # the server's other fields
    _eq_ignored = ("fields",)

    @property
    def qualified(self) -> str:
        return f"{self.provider}/{self.name}"


    @classmethod
    def from_dict(cls, data: dict) -> "ModelInfo":
        known = {k: data[k] for k in cls._fields if k in data}
        return cls(**known)


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def positive_int(value: object) -> int | None:
    """An int > 0 from an int, an integral float or a digit string; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and value > 0 else None


def _small(value: object) -> bool:
    try:
        return len(json.dumps(value)) <= _MAX_FIELD_JSON
    except (TypeError, ValueError):
        return False


def _extra_fields(entry: dict, consumed: tuple[str, ...]) -> dict:
    return {k: v for k, v in entry.items() if k not in consumed and _small(v)}


def not_a_list(detail: str = "") -> ProviderError:
    return ProviderError(f"{NOT_A_LIST}{f' ({detail})' if detail else ''}", NOT_A_LIST_HINT)


def decode_json(body: bytes) -> object:
    """JSON from a response body, or the 'not a model list' error with a short excerpt."""
    from revka_cli.providers.errors_map import MAX_JSON_VALUES, too_many_json_values

    if too_many_json_values(body):
        raise not_a_list(f"more than {MAX_JSON_VALUES:,} JSON values")
    text = body.decode("utf-8", "replace").lstrip("\ufeff").strip()
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        excerpt = " ".join(text[:80].split())
        raise not_a_list(f"not JSON: {excerpt!r}" if excerpt else "an empty body") from None


def _unique(infos) -> list[ModelInfo]:
    """The parsed entries, the first of each name kept, unparseable ones (None) dropped."""
    out: list[ModelInfo] = []
    seen: set[str] = set()
    for info in infos:
        if info is not None and info.name not in seen:
            seen.add(info.name)
            out.append(info)
    return out


# --- Ollama ---------------------------------------------------------------------------------

def parse_ollama_tags(provider: str, obj: object) -> list[ModelInfo]:
    """`GET /api/tags`: {"models": [{name, model, size, digest, details{...}, remote_host?}]}."""
    if not isinstance(obj, dict) or not isinstance(obj.get("models"), list):
        raise not_a_list("expected an object with a 'models' list")
    return _unique(_ollama_entry(provider, entry) for entry in obj["models"])


def _ollama_entry(provider: str, entry: object) -> ModelInfo | None:
    if not isinstance(entry, dict):
        return None
    name = _text(entry.get("name")) or _text(entry.get("model"))
    if name is None:
        return None
    details = entry.get("details") if isinstance(entry.get("details"), dict) else {}
    extra = _extra_fields(entry, ("name", "size", "details"))
    if entry.get("remote_host") or entry.get("remote_model"):
        extra["cloud"] = True
    return ModelInfo(provider, name, size=positive_int(entry.get("size")),
                     family=_text(details.get("family")),
                     parameter_size=_text(details.get("parameter_size")),
                     quantization=_text(details.get("quantization_level")), fields=extra)


def parse_ollama_show(obj: object) -> int | None:
    """Context length from `POST /api/show`: model_info["<arch>.context_length"]."""
    if not isinstance(obj, dict) or not isinstance(obj.get("model_info"), dict):
        return None
    info = obj["model_info"]
    arch = _text(info.get("general.architecture"))
    if arch and positive_int(info.get(f"{arch}.context_length")):
        return positive_int(info[f"{arch}.context_length"])
    for key, value in info.items():
        if isinstance(key, str) and key.endswith(".context_length") and positive_int(value):
            return positive_int(value)
    return None


# --- OpenAI-compatible and Anthropic --------------------------------------------------------

def parse_openai_models(provider: str, obj: object) -> list[ModelInfo]:
    """`GET /v1/models`: {"data": [{"id", ...}]}; a bare list of such objects is accepted too.

    llama.cpp: context from meta.n_ctx (runtime) or meta.n_ctx_train; its parallel Ollama-style
    `models[]` array only adds names that `data` lacks. vLLM: max_model_len. LM Studio (native
    /api/v0): max_context_length, arch, quantization. Anthropic: display_name.
    """
    entries = obj if isinstance(obj, list) else obj.get("data") if isinstance(obj, dict) else None
    if not isinstance(entries, list):
        raise not_a_list("expected an object with a 'data' list")
    extra = obj.get("models") if isinstance(obj, dict) else None
    extra = extra if isinstance(extra, list) else []
    return _unique([*(_openai_entry(provider, entry) for entry in entries),
                    *(_ollama_entry(provider, entry) for entry in extra)])


def _openai_entry(provider: str, entry: object) -> ModelInfo | None:
    if not isinstance(entry, dict):
        return None
    name = _text(entry.get("id"))
    if name is None:
        return None
    meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
    context = positive_int(meta.get("n_ctx")) or positive_int(meta.get("n_ctx_train"))
    for key in _CONTEXT_KEYS:
        context = context or positive_int(entry.get(key))
    top = entry.get("top_provider")  # OpenRouter
    if context is None and isinstance(top, dict):
        context = positive_int(top.get("context_length"))
    params = positive_int(meta.get("n_params"))
    return ModelInfo(
        provider, name, context_window=context, size=positive_int(meta.get("size")),
        family=_text(entry.get("arch")),
        parameter_size=_format_params(params) if params else None,
        quantization=_text(meta.get("ftype")) or _text(entry.get("quantization")),
        fields=_extra_fields(entry, ("id",)))


def _format_params(count: int) -> str:
    for unit, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if count >= scale:
            return f"{count / scale:.1f}{unit}"
    return str(count)


def parse_model_list(provider: str, protocol, body: bytes) -> list[ModelInfo]:
    """Parse a models-endpoint body with `protocol`'s parser (a WireProtocol object)."""
    obj = decode_json(body)
    if isinstance(obj, dict) and not isinstance(obj.get("data"), list) \
            and isinstance(obj.get("models"), list):
        return parse_ollama_tags(provider, obj)  # an Ollama-style list, whatever the protocol
    return protocol.parse_models(provider, obj)


def declared_models(provider: str, available: dict) -> list[ModelInfo]:
    """The `models.custom` catalog from the config: name -> context window."""
    return [ModelInfo(provider, name, context_window=positive_int(ctx), source=DECLARED)
            for name, ctx in available.items()]
