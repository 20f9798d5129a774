"""Where revka's files live. Pure functions over an environment mapping; nothing is written.

The lookups work on plain strings (`os.path`) so that completion, which runs at every TAB press,
need not import pathlib; the public functions return `Path` objects built on demand.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing itself would cost more than it saves
if TYPE_CHECKING:  # annotations only: importing collections costs ~4 ms on every TAB press
    from collections.abc import Mapping

from revka_cli.records import Record

CONFIG_TOML = "config.toml"
CONFIG_YAML = "config.yaml"
CONFIG_STAR = "config.star"
# the lookup order in the config folder: the first that exists is used, the others are ignored
CONFIG_NAMES = (CONFIG_TOML, CONFIG_YAML, CONFIG_STAR)


def _path(text: str):
    from pathlib import Path

    return Path(text)


def _home(env: Mapping[str, str]) -> str:
    return env.get("HOME") or os.path.expanduser("~")


def config_dir_str(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    xdg = env.get("XDG_CONFIG_HOME")
    return os.path.join(xdg if xdg else os.path.join(_home(env), ".config"), "revka")


def cache_dir_str(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    if env.get("REVKA_CACHE_DIR"):
        return env["REVKA_CACHE_DIR"]
    xdg = env.get("XDG_CACHE_HOME")
    return os.path.join(xdg if xdg else os.path.join(_home(env), ".cache"), "revka")


def config_dir(env: Mapping[str, str] | None = None):
    return _path(config_dir_str(env))


def cache_dir(env: Mapping[str, str] | None = None):
    return _path(cache_dir_str(env))


def find_config_file(flag_path: str | None, env: Mapping[str, str] | None = None
                     ) -> tuple[str | None, str, tuple[str, ...], str]:
    """(file in use or None, why, the files in the folder it shadows, where a new one goes)."""
    env = os.environ if env is None else env
    if flag_path:
        p = os.path.expanduser(flag_path)
        return p, "from --config", (), p
    if env.get("REVKA_CONFIG"):
        p = os.path.expanduser(env["REVKA_CONFIG"])
        return p, "from $REVKA_CONFIG", (), p
    folder = config_dir_str(env)
    origin = "$XDG_CONFIG_HOME" if env.get("XDG_CONFIG_HOME") else "the default location"
    # lexists: a dangling or looping link, a folder or a pipe there is a config that cannot be
    # used (an error), not a missing one (silent defaults)
    found = [p for p in (os.path.join(folder, name) for name in CONFIG_NAMES) if os.path.lexists(p)]
    if found:
        return found[0], f"from {origin}", tuple(found[1:]), found[0]
    return None, f"no config file in {folder}; using defaults", (), os.path.join(folder, CONFIG_TOML)


class ConfigLocation(Record):
    """Which config file is in effect, and why."""

    path: object  # Path, or None: no file, defaults apply
    reason: str
    exists: bool
    shadowed: object = None  # the first file ignored (config.yaml or .star beside a config.toml)
    default_target: object = None  # Path where a new file would be written
    ignored: tuple = ()  # every file in the folder ignored because an earlier one exists


def locate_config(flag_path: str | None, env: Mapping[str, str] | None = None) -> ConfigLocation:
    """Resolve the config file: --config, then $REVKA_CONFIG, then the XDG folder."""
    path, reason, shadowed, target = find_config_file(flag_path, env)
    ignored = tuple(_path(p) for p in shadowed)
    return ConfigLocation(_path(path) if path else None, reason,
                          bool(path) and os.path.exists(path),
                          ignored[0] if ignored else None, _path(target), ignored)
