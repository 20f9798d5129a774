"""The validated, effective configuration as frozen records (see revka_cli.records)."""

from __future__ import annotations

from types import MappingProxyType
from collections.abc import Mapping

from revka_cli.records import Record

EMPTY: Mapping = MappingProxyType({})


def frozen_map(d: dict | None) -> Mapping:
    return MappingProxyType(dict(d or {}))


class DoctorThresholds(Record):
    max_ttft: float | None = None  # seconds
    min_tps: float | None = None  # tokens per second


class ProviderSettings(Record):
    api_url: str | None = None
    default_model: str | None = None
    api_key: str | None = None
    api_key_cmd: tuple[str, ...] | None = None
    api_path: str | None = None
    extra_headers: Mapping[str, str] = EMPTY
    timeout_secs: float | None = None
    allow_insecure_http: bool | None = None
    vision: bool | None = None  # None: the catalog's
    doctor: DoctorThresholds | None = None
    options: Mapping[str, object] = EMPTY


class Runtime(Record):
    reasoning_enabled: bool | None = None
    reasoning_effort: str | None = None


class Reliability(Record):
    fallback_providers: tuple[str, ...] = ()
    provider_retries: int = 2
    provider_backoff_ms: int = 500
    model_fallbacks: Mapping[str, tuple[str, ...]] = EMPTY


class Multimodal(Record):
    allow_remote_fetch: bool = False
    max_images: int = 4
    max_image_size_mb: float = 5


class Pacing(Record):
    connect_timeout_secs: float = 10
    first_token_timeout_secs: float | None = None
    step_timeout_secs: float | None = None
    loop_detection: bool = True


class CustomModels(Record):
    url: str | None = None
    api_key: str | None = None
    available_models: Mapping[str, int] = EMPTY


class Models(Record):
    default: str | None = None
    custom: CustomModels = CustomModels()


class Config(Record):
    default_provider: str = "ollama"
    default_model: str | None = None
    api_key: str | None = None
    api_url: str | None = None
    api_path: str | None = None
    default_temperature: float | None = None
    provider_timeout_secs: float = 120
    provider_max_tokens: int | None = None
    allow_insecure_http: bool = False
    extra_headers: Mapping[str, str] = EMPTY
    env_headers: Mapping[str, str] = EMPTY  # REVKA_EXTRA_HEADERS
    options: Mapping[str, object] = EMPTY  # [options]; [providers.<id>.options] override them
    runtime: Runtime = Runtime()
    reliability: Reliability = Reliability()
    multimodal: Multimodal = Multimodal()
    pacing: Pacing = Pacing()
    models: Models = Models()
    providers: Mapping[str, ProviderSettings] = EMPTY
    # where default_provider / default_model / api_url came from: "file", "env NAME", "default"
    origins: Mapping[str, str] = EMPTY

    def provider_settings(self, provider_id: str) -> ProviderSettings:
        return self.providers.get(provider_id, ProviderSettings())

    def options_for(self, provider_id: str) -> dict:
        """The config's request options for a provider: its own table over the top-level one."""
        return {**self.options, **self.provider_settings(provider_id).options}
