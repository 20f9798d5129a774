"""The wire protocols, one object each: `get(name)` is the only place that maps a protocol name
(a provider row's `protocol`, see `revka_cli.specs`) to behaviour. Each module is imported on
first use, so a command touches only the protocol it speaks."""

from __future__ import annotations

from importlib import import_module

from revka_cli import specs

_MODULES = {specs.OPENAI: "openai", specs.OLLAMA: "ollama", specs.ANTHROPIC: "anthropic"}
_LOADED: dict = {}


def get(name: str):
    """The protocol object for `name` (openai | ollama | anthropic)."""
    protocol = _LOADED.get(name)
    if protocol is None:
        try:
            module = _MODULES[name]
        except KeyError:
            raise ValueError(f"unknown wire protocol {name!r}") from None
        protocol = _LOADED[name] = import_module(f"{__name__}.{module}").PROTOCOL
    return protocol


def for_provider(provider: str):
    """The protocol a provider id or custom URL speaks."""
    if provider.lower().startswith(specs.ANTHROPIC_CUSTOM_PREFIX):
        return get(specs.ANTHROPIC)
    spec = specs.find(provider)
    return get(spec.protocol if spec else specs.OPENAI)


NAMES = tuple(_MODULES)
