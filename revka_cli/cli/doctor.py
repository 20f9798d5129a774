"""`revka doctor models`: the CI gate for every configured provider."""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

from revka_cli.cli.number_flags import check_seconds
from revka_cli.cli.output import out, out_json, warn
from revka_cli.cli.state import get_state
from revka_cli.errors import UsageError

app = typer.Typer(help="Check that providers work: reachable, key accepted, model served.",
                  no_args_is_help=True)

_STYLES = {"ok": "green", "warn": "yellow", "fail": "bold red", "fail (allowed)": "red",
           "skip": "dim"}


def _canonical_flag(name: str, flag: str) -> str:
    from revka_cli.providers.endpoint import canonical_provider

    try:
        return canonical_provider(name)
    except UsageError as exc:
        raise UsageError(f"{flag} {name}: {exc.message}", exc.hint) from None


@app.command()
def models(
    ctx: typer.Context,
    provider: Optional[List[str]] = typer.Option(
        None, "--provider", "-p", metavar="NAME",
        help="Check only this provider (repeatable). Default: every configured provider."),
    all_local: bool = typer.Option(False, "--all-local",
                                   help="Also check every local provider at its default URL."),
    timeout: float = typer.Option(10.0, "--timeout", metavar="SECONDS", callback=check_seconds,
                                  help="Time limit per provider, all checks included."),
    chat: bool = typer.Option(False, "--chat", help="Also send a real 1-token request and time "
                              "the first token."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    junit: Optional[str] = typer.Option(None, "--junit", metavar="PATH",
                                        help="Also write a JUnit XML report to PATH."),
    strict: bool = typer.Option(False, "--strict", help="Fail on warnings too."),
    allow_fail: Optional[List[str]] = typer.Option(
        None, "--allow-fail", metavar="NAME",
        help="This provider may fail without failing the run (repeatable)."),
    no_cache_write: bool = typer.Option(False, "--no-cache-write",
                                        help="Do not refresh the model cache with what was found."),
) -> None:
    """Check every configured provider: config, connectivity (DNS, TCP, TLS), authentication,
    model presence, and with --chat a 1-token completion. Exit 0 when all pass, 1 when any fails,
    3 when the config is invalid."""
    from revka_cli.config import require_config
    from revka_cli.doctor.run import run_doctor
    from revka_cli.doctor.targets import build_targets

    state = get_state(ctx)
    if not 0 < timeout <= 3600:
        raise UsageError(f"--timeout must be between 0 and 3600 seconds, not {timeout:g}")
    loaded = require_config(state.config_path)
    for problem in loaded.warnings:
        warn(state, problem.format())
    only = [_canonical_flag(n, "--provider") for n in provider or []]
    allowed = [_canonical_flag(n, "--allow-fail") for n in allow_fail or []]
    targets = build_targets(loaded.config, only, all_local)
    for name in sorted(set(allowed) - {t.provider for t in targets}):
        warn(state, f"--allow-fail {name}: not among the providers checked")
    outcome = run_doctor(loaded.config, targets, timeout=timeout, chat=chat,
                         cache_write=not no_cache_write, allow_fail=allowed, strict=strict)
    for message in outcome.warnings:
        warn(state, message)
    report = outcome.report
    _print(report, as_json, state)
    if junit:
        _write_junit(report, junit)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def _print(report, as_json: bool, state) -> None:
    from revka_cli.doctor.report import plain_lines, to_json

    if as_json:
        out_json(to_json(report))
    elif sys.stdout.isatty():
        render_table(report, sys.stdout, color=not state.no_color)
    else:
        for line in plain_lines(report):
            out(line)


def render_table(report, file, *, color: bool = True, width: int | None = None) -> None:
    """The terminal form: a rich table, the hints, then the summary line."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from revka_cli.doctor.report import COLUMNS, hint_lines, row

    console = Console(file=file, no_color=not color, highlight=False, width=width,
                      force_terminal=True if width else None)
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    for name in COLUMNS:
        table.add_column(name.capitalize() if name != "URL" else name,
                         no_wrap=name in ("STATUS", "LATENCY", "MODELS"),
                         justify="right" if name in ("LATENCY", "MODELS") else "left",
                         overflow="fold")
    for provider in report.providers:
        cells = row(provider)
        styled = [Text(cell) for cell in cells]
        styled[2] = Text(cells[2], style=_STYLES.get(cells[2], ""))
        table.add_row(*styled)
    console.print(table)
    for line in hint_lines(report):
        console.print(Text(line, style="dim"))
    console.print(Text(report.summary(), style="bold green" if report.ok else "bold red"))


def _write_junit(report, path: str) -> None:
    from pathlib import Path

    from revka_cli.doctor.report import junit_xml

    target = Path(path).expanduser()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(junit_xml(report), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the JUnit report to {path} ({exc.strerror or exc})",
                         "pass a writable --junit PATH") from None
