"""Load, validate and write revka's configuration.

`load_config()` never raises for a bad file: it returns every problem. `require_config()` raises
`ConfigError` on the first error, for commands that need a usable config.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from revka_cli.config.problems import ERROR, WARNING, Problem
from revka_cli.config.settings import Config
from revka_cli.errors import ConfigError
from revka_cli.paths import ConfigLocation, locate_config
from revka_cli.records import Factory, Record
from revka_cli.redact import SESSION

__all__ = ["Config", "LoadResult", "Problem", "load_config", "require_config"]


class LoadResult(Record, frozen=False):
    config: Config
    location: ConfigLocation
    problems: list[Problem] = Factory(list)
    fmt: str | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]


def load_config(flag_path: str | None = None, env: Mapping[str, str] | None = None,
                explicit_path: str | None = None) -> LoadResult:
    """Find, parse, check and overlay the config. `explicit_path` is `config validate PATH`."""
    from revka_cli.config.build import build_config
    from revka_cli.config.env import apply_env
    from revka_cli.config.semantics import check_semantics
    from revka_cli.config.source import parse_file
    from revka_cli.config.validate import Checker

    env = os.environ if env is None else env
    location = locate_config(explicit_path or flag_path, env)
    if explicit_path:
        location = ConfigLocation(location.path, "given on the command line", location.exists,
                                  default_target=location.path)
    problems: list[Problem] = []
    for ignored in location.ignored:
        problems.append(Problem(WARNING, "", f"both {location.path.name} and {ignored.name} "
                                f"exist; using {location.path.name}", str(ignored)))
    data: dict = {}
    fmt = mode = None
    checker = Checker()
    if location.path is not None:
        parsed = parse_file(location.path)
        fmt, mode = parsed.fmt, parsed.mode
        problems.extend(parsed.problems)
        checker = Checker(str(location.path), parsed.locate)
        if parsed.data is not None:
            SESSION.learn_config(parsed.data)  # before any problem can quote a value
            data = checker.check(parsed.data) or {}
    file_values = {k: v for k, v in data.items()}
    origins = _file_origins(data)
    problems.extend(apply_env(data, env, origins))
    SESSION.learn_config(data)
    config = build_config(data, origins)
    check_semantics(config, checker.report, env, file_values, mode)
    problems.extend(checker.problems + checker.unlisted())
    return LoadResult(config, location, problems, fmt)


def _file_origins(data: dict) -> dict[str, str]:
    """Record where provider/model come from, applying `models.default` when it is the only source."""
    origins = {"default_provider": "default", "default_model": "default", "api_url": "default"}
    for key in origins:
        if key in data:
            origins[key] = "file"
    default = (data.get("models") or {}).get("default")
    if default and "/" in default:
        from revka_cli.config.semantics import split_qualified

        qualified = split_qualified(default)
        if qualified and "default_provider" not in data and "default_model" not in data:
            data["default_provider"], data["default_model"] = qualified
            origins["default_provider"] = origins["default_model"] = "file (models.default)"
    return origins


def require_config(flag_path: str | None = None, env: Mapping[str, str] | None = None) -> LoadResult:
    """Load the config; raise ConfigError naming the first error (and how many more)."""
    result = load_config(flag_path, env)
    if result.errors:
        first = result.errors[0]
        more = len(result.errors) - 1
        suffix = f" (and {more} more)" if more else ""
        raise ConfigError(f"invalid config: {first.format()}{suffix}")
    return result
