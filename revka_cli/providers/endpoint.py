"""Resolve a provider name into a concrete endpoint: URLs, credential, headers, capabilities."""

from __future__ import annotations

import os
from collections.abc import Mapping

from revka_cli import specs
from revka_cli.config import Config
from revka_cli.config.env import merge_headers
from revka_cli.config.settings import EMPTY
from revka_cli.errors import ConfigError, UsageError
from revka_cli.providers.credentials import Credential, key_mismatch, resolve_credential
from revka_cli.providers import protocols
from revka_cli.providers.keycmd import KEY_CMD_TIMEOUT_SECS
from revka_cli.records import Record
from revka_cli.redact import SESSION, display_provider
from revka_cli.urls import is_loopback_url, is_plain_http, redact_url, url_problem



class Endpoint(Record):
    provider: str  # canonical id, "custom", "custom:<url>" or "anthropic-custom:<url>"
    protocol: str  # the name; `wire` is the object
    base_url: str
    chat_url: str
    models_url: str | None
    credential: Credential
    headers: Mapping[str, str] = EMPTY
    vision: bool = False
    schemas: bool = True  # accepts a JSON Schema for structured output (spec `schemas`)
    discovery: bool = True
    local: bool = False
    timeout_secs: float | None = None
    warnings: tuple[str, ...] = ()
    _repr_hidden = ("credential", "headers")

    @property
    def display_url(self) -> str:
        return redact_url(self.base_url)

    @property
    def wire(self):
        """The protocol object (`revka_cli.providers.protocols`) this endpoint speaks."""
        return protocols.get(self.protocol)


def canonical_provider(name: str) -> str:
    """Catalog aliases become ids; custom URLs and the declared `custom` catalog pass through."""
    name = name.strip()
    custom = specs.split_custom(name)
    if custom:
        return f"{custom[0]}:{custom[1]}"
    if name.lower() == specs.DECLARED_CUSTOM:
        return specs.DECLARED_CUSTOM
    spec = specs.find(name)
    if spec is None:
        guess = specs.suggest(name)
        tip = f"did you mean '{guess}'? " if guess else ""
        raise UsageError(f"unknown provider '{name}'", f"{tip}see 'revka models list' or the "
                         "provider catalog in the README")
    return spec.id


def _base_url(cfg: Config, provider: str, spec, is_primary: bool) -> str:
    if provider.startswith(("custom:", "anthropic-custom:")):
        return provider.split(":", 1)[1]
    if provider == specs.DECLARED_CUSTOM:
        if not cfg.models.custom.url:
            raise ConfigError("custom provider not configured: set models.custom.url",
                              "add url = \"http://host:port/v1\" under [models.custom]")
        return cfg.models.custom.url
    table = cfg.providers.get(provider)
    if table and table.api_url:
        return table.api_url
    if is_primary and cfg.api_url:
        return cfg.api_url
    return spec.default_url


def resolve_endpoint(cfg: Config, name: str, *, is_primary: bool, flag_key: str | None = None,
                     env: Mapping[str, str] | None = None, stream: bool = True,
                     key_cmd_timeout: float = KEY_CMD_TIMEOUT_SECS) -> Endpoint:
    """Everything needed to talk to provider `name`. Raises ConfigError/UsageError when it can't.
    `key_cmd_timeout` bounds an api_key_cmd: a caller passes what is left of its deadline."""
    env = os.environ if env is None else env
    provider = canonical_provider(name)
    spec = specs.find(provider)
    base = _base_url(cfg, provider, spec, is_primary)
    problem = url_problem(base)
    if problem:
        raise ConfigError(f"{display_provider(provider)}: {problem}: '{redact_url(base)}'",
                          "custom: and anthropic-custom: need an http:// or https:// URL with a host")
    wire = protocols.for_provider(provider)
    table = cfg.providers.get(provider)
    api_path = (table.api_path if table and table.api_path else None) or (cfg.api_path if is_primary else None)
    root, chat, models = wire.urls(base, api_path)
    credential = resolve_credential(cfg, provider, is_primary=is_primary, flag_key=flag_key, env=env,
                                    key_cmd_timeout=key_cmd_timeout)
    warnings = _credential_checks(cfg, provider, wire, chat, credential, table)
    headers = _headers(cfg, wire, chat, credential, table, stream)
    custom = provider == specs.DECLARED_CUSTOM or specs.is_custom_url(provider)
    SESSION.learn_request(headers, base, chat, key=credential.key,
                          placeholder=credential.is_placeholder)
    return Endpoint(
        provider, wire.name, root, chat, models, credential, headers,
        vision=table.vision if table and table.vision is not None else custom or bool(spec and spec.vision),
        schemas=True if custom or spec is None else spec.schemas,
        discovery=bool(spec.discovery) if spec else provider != specs.DECLARED_CUSTOM,
        local=is_loopback_url(chat),
        timeout_secs=table.timeout_secs if table else None,
        warnings=tuple(warnings))


def api_root(cfg: Config, name: str, *, is_primary: bool) -> str:
    """The API root the config gives provider `name` (no credentials resolved, no commands run).
    Raises ConfigError/UsageError like resolve_endpoint."""
    provider = canonical_provider(name)
    spec = specs.find(provider)
    base = _base_url(cfg, provider, spec, is_primary)
    return protocols.for_provider(provider).urls(base, None)[0]


def _sends_key(wire, url: str, credential: Credential) -> bool:
    if credential.key is None:
        return False
    return wire.sends_key_to_loopback or not is_loopback_url(url)


def _credential_checks(cfg, provider, wire, url, credential, table) -> list[str]:
    warnings = []
    if not _sends_key(wire, url, credential) or credential.is_placeholder:
        return warnings
    if is_plain_http(url) and not is_loopback_url(url):
        allowed = table.allow_insecure_http if table and table.allow_insecure_http is not None \
            else cfg.allow_insecure_http
        host = redact_url(url)
        if not allowed:
            raise ConfigError(f"refusing to send the API key for {display_provider(provider)} over "
                              f"plain http to {host}",
                              "use https://, or set allow_insecure_http = true if this network is trusted")
        warnings.append(f"sending the API key for {display_provider(provider)} over plain http "
                        f"to {host}")
    if not specs.is_custom_url(provider):
        mismatch = key_mismatch(provider, credential.key)
        if mismatch:
            warnings.append(f"{mismatch} (from {credential.source})")
    return warnings


def _headers(cfg, wire, url, credential, table, stream) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "Accept": wire.accept(stream),
               **wire.version_headers()}
    if _sends_key(wire, url, credential):
        headers.update(wire.auth_headers(credential.key, credential.source))
    headers = merge_headers(headers, {k: v for k, v in cfg.extra_headers.items()
                                      if k not in cfg.env_headers})
    if table:
        headers = merge_headers(headers, table.extra_headers)
    return merge_headers(headers, cfg.env_headers)
