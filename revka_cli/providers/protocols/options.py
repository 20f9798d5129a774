"""Where `-o KEY=VALUE` and the config's option tables go in a request body, shared by the
protocol objects: each says which container a key belongs in (`WireProtocol.option_target`) and
which flag sets the keys revka writes itself (`WireProtocol.option_sources`).

Order: the body revka built from its own flags first; then `-o` options (a key revka already
set is refused, so the two never fight silently; a null value drops a config default); then the
config tables' options, only where nothing else set the key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from revka_cli.errors import UsageError

Target = Callable[[dict, str], dict]


def place_options(body: dict, flag_options: Mapping, config_options: Mapping, target: Target,
                  sources: Mapping[str, str]) -> dict:
    """`body` with the options merged in place (see the module docstring)."""
    dropped = set()
    for key, value in flag_options.items():
        where = target(body, key)
        if key in where:
            source = sources.get(key, "another option")
            raise UsageError(f"option '{key}' is also set by revka (from {source})",
                             f"drop -o {key}=…, or use {source}")
        if value is None:
            dropped.add(key)
        else:
            where[key] = value
    for key, value in config_options.items():
        where = target(body, key)
        if key not in where and key not in dropped and value is not None:
            where[key] = value
    return body
