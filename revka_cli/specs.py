"""The provider catalog as data: one row per provider id.

A leaf module (it imports only revka_cli.records) so that config validation, the providers, completion
and the docs generators all read the same table. Ids and aliases match case-insensitively.
"""

from __future__ import annotations

from revka_cli.records import Record

OPENAI = "openai"
ANTHROPIC = "anthropic"
OLLAMA = "ollama"

CUSTOM_PREFIX = "custom:"
ANTHROPIC_CUSTOM_PREFIX = "anthropic-custom:"
DECLARED_CUSTOM = "custom"  # the [models.custom] catalog: models named custom/<name>


class ProviderSpec(Record):
    id: str
    name: str
    protocol: str
    default_url: str
    key_env: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    placeholder_key: str | None = None
    vision: bool = False
    schemas: bool = True  # False: documents a JSON mode only (no JSON Schema in response_format)
    discovery: bool = True
    local: bool = False
    key_prefixes: tuple[str, ...] = ()

    @property
    def needs_key(self) -> bool:
        """Hosted providers always need a real key; local ones work without."""
        return not self.local


def _local(id_, name, protocol, url, key_env, **kw) -> ProviderSpec:
    return ProviderSpec(id_, name, protocol, url, key_env, local=True, **kw)


def _hosted(id_, name, url, key_env, prefixes=(), protocol=OPENAI, **kw) -> ProviderSpec:
    return ProviderSpec(id_, name, protocol, url, key_env, key_prefixes=prefixes, **kw)


PROVIDERS: tuple[ProviderSpec, ...] = (
    _local("ollama", "Ollama", OLLAMA, "http://localhost:11434", ("OLLAMA_API_KEY",), vision=True),
    _local("llamacpp", "llama.cpp", OPENAI, "http://localhost:8080/v1", ("LLAMACPP_API_KEY",),
           aliases=("llama.cpp",), placeholder_key="llama.cpp", vision=True),
    _local("vllm", "vLLM", OPENAI, "http://localhost:8000/v1", ("VLLM_API_KEY",)),
    _local("sglang", "SGLang", OPENAI, "http://localhost:30000/v1", ("SGLANG_API_KEY",)),
    _local("lmstudio", "LM Studio", OPENAI, "http://localhost:1234/v1", ("LMSTUDIO_API_KEY",),
           aliases=("lm-studio",), placeholder_key="lm-studio", discovery=False),
    _local("osaurus", "Osaurus", OPENAI, "http://localhost:1337/v1", ("OSAURUS_API_KEY",),
           placeholder_key="osaurus"),
    _local("litellm", "LiteLLM", OPENAI, "http://localhost:4000/v1", ("LITELLM_API_KEY",),
           aliases=("lite-llm",), vision=True),
    _hosted("openai", "OpenAI", "https://api.openai.com/v1", ("OPENAI_API_KEY",),
            ("sk-proj-", "sk-"), vision=True),
    _hosted("anthropic", "Anthropic", "https://api.anthropic.com",
            ("ANTHROPIC_OAUTH_TOKEN", "ANTHROPIC_API_KEY"), ("sk-ant-",), protocol=ANTHROPIC,
            vision=True),
    _hosted("openrouter", "OpenRouter", "https://openrouter.ai/api/v1", ("OPENROUTER_API_KEY",),
            ("sk-or-",), vision=True),
    _hosted("gemini", "Google Gemini", "https://generativelanguage.googleapis.com/v1beta/openai",
            ("GEMINI_API_KEY", "GOOGLE_API_KEY"), ("AIza",), aliases=("google", "google-gemini"),
            vision=True),
    _hosted("groq", "Groq", "https://api.groq.com/openai/v1", ("GROQ_API_KEY",), ("gsk_",)),
    _hosted("mistral", "Mistral", "https://api.mistral.ai/v1", ("MISTRAL_API_KEY",)),
    _hosted("deepseek", "DeepSeek", "https://api.deepseek.com/v1", ("DEEPSEEK_API_KEY",), ("sk-",),
            schemas=False),
    _hosted("xai", "xAI", "https://api.x.ai/v1", ("XAI_API_KEY",), ("xai-",), aliases=("grok",)),
    _hosted("together", "Together AI", "https://api.together.xyz/v1", ("TOGETHER_API_KEY",),
            aliases=("together-ai",)),
    _hosted("fireworks", "Fireworks AI", "https://api.fireworks.ai/inference/v1",
            ("FIREWORKS_API_KEY",), ("fw_",), aliases=("fireworks-ai",)),
    _hosted("perplexity", "Perplexity", "https://api.perplexity.ai", ("PERPLEXITY_API_KEY",),
            ("pplx-",)),
    _hosted("nvidia", "NVIDIA NIM", "https://integrate.api.nvidia.com/v1", ("NVIDIA_API_KEY",),
            ("nvapi-",), aliases=("nvidia-nim", "build.nvidia.com")),
)

_BY_NAME: dict[str, ProviderSpec] = {}
for _spec in PROVIDERS:
    _BY_NAME[_spec.id] = _spec
    for _alias in _spec.aliases:
        _BY_NAME[_alias] = _spec


def find(name: str) -> ProviderSpec | None:
    """The spec for a catalog id or alias (case-insensitive), else None."""
    return _BY_NAME.get(name.strip().lower())


def all_names() -> list[str]:
    """Every id and alias, for suggestions and completion."""
    return sorted(_BY_NAME)


def local_specs() -> list[ProviderSpec]:
    return [s for s in PROVIDERS if s.local]


def is_custom_url(name: str) -> bool:
    low = name.lower()
    return low.startswith(CUSTOM_PREFIX) or low.startswith(ANTHROPIC_CUSTOM_PREFIX)


def split_custom(name: str) -> tuple[str, str] | None:
    """`custom:<url>` -> ("custom", url); `anthropic-custom:<url>` -> ("anthropic-custom", url)."""
    low = name.lower()
    if low.startswith(ANTHROPIC_CUSTOM_PREFIX):
        return "anthropic-custom", name[len(ANTHROPIC_CUSTOM_PREFIX):]
    if low.startswith(CUSTOM_PREFIX):
        return "custom", name[len(CUSTOM_PREFIX):]
    return None


def is_known_provider(name: str) -> bool:
    """True for catalog ids/aliases, the declared `custom` catalog, and custom URL prefixes."""
    return find(name) is not None or name.strip().lower() == DECLARED_CUSTOM or is_custom_url(name)


def suggest(name: str, choices: list[str] | None = None) -> str | None:
    """The closest known name, for 'did you mean' messages."""
    import difflib

    pool = choices if choices is not None else all_names() + [DECLARED_CUSTOM]
    match = difflib.get_close_matches(name.lower(), pool, n=1, cutoff=0.6)
    return match[0] if match else None


PROVIDER_KEY_ENV_VARS: tuple[str, ...] = tuple(v for s in PROVIDERS for v in s.key_env)
