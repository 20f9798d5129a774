"""`revka config validate`, without typer: shared by the Typer command and the start-up fast path."""

from __future__ import annotations

from revka_cli.cli.output import out, out_json
from revka_cli.errors import ConfigError


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def run_validate(state, path: str | None, *, as_json: bool, strict: bool) -> int:
    """Print the verdict; return 0, or 3 with --json. Raises ConfigError when invalid (plain)."""
    from revka_cli.config import load_config

    result = load_config(state.config_path, explicit_path=path)
    problems = sorted(result.problems, key=lambda p: (p.file or "", p.line or 0, p.column or 0))
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    valid = not errors and not (strict and warnings)
    shown = str(result.location.path) if result.location.path else None
    if as_json:
        out_json({"valid": valid, "file": shown, "errors": [p.to_dict() for p in errors],
                  "warnings": [p.to_dict() for p in warnings]})
        return 0 if valid else ConfigError.exit_code
    for problem in problems:
        out(f"{problem.severity}: {problem.format()}")
    label = shown or "no config file (defaults)"
    if valid:
        suffix = f" ({_plural(len(warnings), 'warning')})" if warnings else ""
        out(f"valid: {label}{suffix}")
        return 0
    counts = _plural(len(errors), "error")
    if strict and warnings:
        counts += f", {_plural(len(warnings), 'warning')} (--strict)"
    raise ConfigError(f"invalid config: {label}: {counts}", "fix the problems listed above")
