"""Where revka's files live. Pure functions over an environment mapping; nothing touches disk."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from revka_cli.records import Record

CONFIG_TOML = "config.toml"
CONFIG_YAML = "config.yaml"


def _home(env: Mapping[str, str]) -> Path:
    return Path(env.get("HOME") or os.path.expanduser("~"))


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    xdg = env.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg else _home(env) / ".config"
    return base / "revka"


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("REVKA_CACHE_DIR"):
        return Path(env["REVKA_CACHE_DIR"])
    xdg = env.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else _home(env) / ".cache"
    return base / "revka"


class ConfigLocation(Record):
    """Which config file is in effect, and why."""

    path: Path | None  # None: no file, defaults apply
    reason: str
    exists: bool
    shadowed: Path | None = None  # a config.yaml ignored because config.toml exists
    default_target: Path | None = None  # where a new file would be written


def locate_config(flag_path: str | None, env: Mapping[str, str] | None = None) -> ConfigLocation:
    """Resolve the config file: --config, then $REVKA_CONFIG, then the XDG folder."""
    env = os.environ if env is None else env
    if flag_path:
        p = Path(flag_path).expanduser()
        return ConfigLocation(p, "from --config", p.exists(), default_target=p)
    if env.get("REVKA_CONFIG"):
        p = Path(env["REVKA_CONFIG"]).expanduser()
        return ConfigLocation(p, "from $REVKA_CONFIG", p.exists(), default_target=p)
    folder = config_dir(env)
    origin = "$XDG_CONFIG_HOME" if env.get("XDG_CONFIG_HOME") else "the default location"
    toml, yaml = folder / CONFIG_TOML, folder / CONFIG_YAML
    has_toml, has_yaml = toml.exists(), yaml.exists()
    if has_toml:
        return ConfigLocation(toml, f"from {origin}", True, yaml if has_yaml else None, toml)
    if has_yaml:
        return ConfigLocation(yaml, f"from {origin}", True, None, yaml)
    return ConfigLocation(None, f"no config file in {folder}; using defaults", False, None, toml)
