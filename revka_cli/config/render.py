"""Render the effective config for `config show`, with every secret redacted."""

from __future__ import annotations

from collections.abc import Mapping

from revka_cli.records import Record
from revka_cli.redact import redact_headers as _headers
from revka_cli.redact import redact_location
from revka_cli.redact import redact_secret as redact


def _plain(value):
    if isinstance(value, Record):
        return {name: _plain(getattr(value, name)) for name in value._fields}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def config_to_dict(config) -> dict:
    """The config as plain data: secrets redacted, unset values dropped, origins kept."""
    data = _plain(config)
    data.pop("origins", None)
    data.pop("env_headers", None)
    _redact_urls(data)
    data["api_key"] = redact(data.get("api_key"))
    data["extra_headers"] = _headers(data.get("extra_headers") or {})
    custom = data["models"]["custom"]
    custom["api_key"] = redact(custom.get("api_key"))
    for table in data["providers"].values():
        table["api_key"] = redact(table.get("api_key"))
        table["extra_headers"] = _headers(table.get("extra_headers") or {})
    return _drop_none(data)


def _redact_urls(data: dict) -> None:
    """URLs and provider ids lose their userinfo (a password) and secret query values."""
    def shown(value):
        return redact_location(value) if isinstance(value, str) and value else value

    for table, key in ((data, "default_provider"), (data, "api_url"), (data["models"], "default"),
                       (data["models"]["custom"], "url")):
        table[key] = shown(table.get(key))
    reliability = data.get("reliability") or {}
    if reliability.get("fallback_providers"):
        reliability["fallback_providers"] = [shown(p) for p in reliability["fallback_providers"]]
    data["providers"] = {shown(name): table for name, table in data["providers"].items()}
    for table in data["providers"].values():
        table["api_url"] = shown(table.get("api_url"))


def _drop_none(value):
    if isinstance(value, dict):
        pruned = {k: _drop_none(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v is not None and v != {}}
    return value


def dict_to_toml(data: dict) -> str:
    import tomlkit

    return tomlkit.dumps(data)
