"""`revka config validate | show | path`."""

from __future__ import annotations

from typing import Optional

import typer

from revka_cli.cli.commands.config_validate import run_validate
from revka_cli.cli.output import err, out, out_json, warn
from revka_cli.cli.state import get_state

app = typer.Typer(help="Check and inspect the configuration.", no_args_is_help=True)


def print_warnings(state, problems) -> None:
    for problem in problems:
        warn(state, problem.format())


@app.command()
def validate(
    ctx: typer.Context,
    path: Optional[str] = typer.Argument(None, metavar="[PATH]",
                                         help="File to check (default: the config in use)."),
    as_json: bool = typer.Option(False, "--json", help="Print the verdict as JSON."),
    strict: bool = typer.Option(False, "--strict", help="Fail on warnings (e.g. unknown keys)."),
) -> None:
    """Check a config file: syntax, types, providers, URLs, models. Exit 3 when invalid."""
    code = run_validate(get_state(ctx), path, as_json=as_json, strict=strict)
    if code:
        raise typer.Exit(code)


@app.command()
def show(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Print the effective config (file + env overrides), with secrets redacted."""
    from revka_cli.config import require_config
    from revka_cli.config.render import config_to_dict, dict_to_toml

    state = get_state(ctx)
    result = require_config(state.config_path)
    print_warnings(state, result.warnings)
    data = config_to_dict(result.config)
    if as_json:
        out_json(data)
        return
    where = result.location.path or "defaults (no config file)"
    out(f"# effective config: {where}, with environment overrides; secrets redacted")
    origins = result.config.origins
    out("# " + ", ".join(f"{key} from {origins.get(key, 'default')}"
                         for key in ("default_provider", "default_model", "api_url")))
    out(dict_to_toml(data), end="")


@app.command()
def path(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Print which config file is in use and why."""
    from revka_cli.config.source import detect_format
    from revka_cli.paths import locate_config

    state = get_state(ctx)
    loc = locate_config(state.config_path)
    target = loc.path or loc.default_target
    if as_json:
        out_json({"path": str(target), "exists": loc.exists, "reason": loc.reason,
                  "format": detect_format(target) if target else None,
                  "shadowed": str(loc.shadowed) if loc.shadowed else None})
        return
    out(str(target))
    if loc.path is None:
        err(f"revka: {loc.reason}; 'revka models set' creates {target}")
    elif not loc.exists:
        err(f"revka: {loc.reason}, but the file does not exist")
    else:
        err(f"revka: {loc.reason}")
    if loc.shadowed:
        warn(state, f"{loc.shadowed} is ignored because {loc.path} exists")
