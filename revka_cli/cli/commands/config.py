"""`revka config validate | show | path` (bodies: the options record comes from the spec)."""

from __future__ import annotations

from revka_cli.cli.commands.config_validate import run_validate
from revka_cli.cli.output import err, out, out_json, warn


def print_warnings(state, problems) -> None:
    for problem in problems:
        warn(state, problem.format())


def validate(state, opts) -> int:
    return run_validate(state, opts.path, as_json=opts.as_json, strict=opts.strict)


def show(state, opts) -> None:
    from revka_cli.cli.commands.config_show import provider_rows, render_rows
    from revka_cli.cli.environment import current
    from revka_cli.config import require_config
    from revka_cli.config.render import config_to_dict, dict_to_toml

    result = require_config(state.config_path)
    print_warnings(state, result.warnings)
    data = config_to_dict(result.config)
    rows = provider_rows(result.config, current().environ)
    if opts.as_json:
        out_json({**data, "effective_providers": rows})
        return
    where = result.location.path or "defaults (no config file)"
    out(f"# effective config: {where}, with environment overrides; secrets redacted")
    origins = result.config.origins
    out("# " + ", ".join(f"{key} from {origins.get(key, 'default')}"
                         for key in ("default_provider", "default_model")))
    out(dict_to_toml(data), end="")
    out("")
    for line in render_rows(rows):
        out(line)


def path(state, opts) -> None:
    from revka_cli.config.source import detect_format
    from revka_cli.paths import locate_config

    loc = locate_config(state.config_path)
    target = loc.path or loc.default_target
    if opts.as_json:
        out_json({"path": str(target), "exists": loc.exists, "reason": loc.reason,
                  "format": detect_format(target) if target else None,
                  "shadowed": str(loc.shadowed) if loc.shadowed else None,
                  "ignored": [str(p) for p in loc.ignored]})
        return
    out(str(target))
    if loc.path is None:
        err(f"revka: {loc.reason}; 'revka models set' creates {target}")
    elif not loc.exists:
        err(f"revka: {loc.reason}, but the file does not exist")
    else:
        err(f"revka: {loc.reason}")
    for ignored in loc.ignored:
        warn(state, f"{ignored} is ignored because {loc.path} exists")
