"""The validated, effective configuration as frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

EMPTY: Mapping = MappingProxyType({})


def frozen_map(d: dict | None) -> Mapping:
    return MappingProxyType(dict(d or {}))


@dataclass(frozen=True)
class ProviderSettings:
    api_url: str | None = None
    default_model: str | None = None
    api_key: str | None = None
    api_key_cmd: tuple[str, ...] | None = None
    api_path: str | None = None
    extra_headers: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    timeout_secs: float | None = None
    allow_insecure_http: bool | None = None


@dataclass(frozen=True)
class Runtime:
    reasoning_enabled: bool | None = None
    reasoning_effort: str | None = None


@dataclass(frozen=True)
class Reliability:
    fallback_providers: tuple[str, ...] = ()
    provider_retries: int = 2
    provider_backoff_ms: int = 500
    model_fallbacks: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: EMPTY)


@dataclass(frozen=True)
class Multimodal:
    allow_remote_fetch: bool = False
    max_images: int = 4
    max_image_size_mb: float = 5


@dataclass(frozen=True)
class Pacing:
    connect_timeout_secs: float = 10
    first_token_timeout_secs: float | None = None
    step_timeout_secs: float | None = None
    loop_detection: bool = True


@dataclass(frozen=True)
class CustomModels:
    url: str | None = None
    api_key: str | None = None
    available_models: Mapping[str, int] = field(default_factory=lambda: EMPTY)


@dataclass(frozen=True)
class Models:
    default: str | None = None
    custom: CustomModels = field(default_factory=CustomModels)


@dataclass(frozen=True)
class Config:
    default_provider: str = "ollama"
    default_model: str | None = None
    api_key: str | None = None
    api_url: str | None = None
    api_path: str | None = None
    default_temperature: float | None = None
    provider_timeout_secs: float = 120
    provider_max_tokens: int | None = None
    allow_insecure_http: bool = False
    extra_headers: Mapping[str, str] = field(default_factory=lambda: EMPTY)
    env_headers: Mapping[str, str] = field(default_factory=lambda: EMPTY)  # REVKA_EXTRA_HEADERS
    runtime: Runtime = field(default_factory=Runtime)
    reliability: Reliability = field(default_factory=Reliability)
    multimodal: Multimodal = field(default_factory=Multimodal)
    pacing: Pacing = field(default_factory=Pacing)
    models: Models = field(default_factory=Models)
    providers: Mapping[str, ProviderSettings] = field(default_factory=lambda: EMPTY)
    # where default_provider / default_model / api_url came from: "file", "env NAME", "default"
    origins: Mapping[str, str] = field(default_factory=lambda: EMPTY)

    def provider_settings(self, provider_id: str) -> ProviderSettings:
        return self.providers.get(provider_id, ProviderSettings())
