"""`revka doctor models`: the CI gate for every configured provider."""

from __future__ import annotations

from revka_cli.cli.environment import current
from revka_cli.cli.output import out, out_json, warn
from revka_cli.errors import UsageError

_STYLES = {"ok": "green", "warn": "yellow", "fail": "bold red", "fail (allowed)": "red",
           "skip": "dim"}


def _canonical_flag(name: str, flag: str) -> str:
    from revka_cli.providers.endpoint import canonical_provider

    try:
        return canonical_provider(name)
    except UsageError as exc:
        raise UsageError(f"{flag} {name}: {exc.message}", exc.hint) from None


FORMATS = ("text", "json", "github")


def _output_format(opts) -> str:
    chosen = (opts.format or ("json" if opts.as_json else "text")).strip().lower()
    if chosen not in FORMATS:
        raise UsageError(f"--format {opts.format}: not one of {', '.join(FORMATS)}",
                         "use --format text, json or github")
    if opts.as_json and chosen != "json":
        raise UsageError(f"--json and --format {chosen} disagree", "pass one of them")
    return chosen


def _progress(state):
    def show(status) -> None:
        if not state.quiet:
            from revka_cli.redact import scrub
            from revka_cli.textsafe import visible

            current().stderr.write(visible(scrub(status.line())) + "\n")
            current().stderr.flush()
    return show


def models(state, opts) -> int:
    """The body of `revka doctor models` (options: the spec's doctor models entry)."""
    from revka_cli.config import require_config
    from revka_cli.doctor.run import run_doctor
    from revka_cli.doctor.targets import build_targets

    timeout = opts.timeout
    if not 0 < timeout <= 3600:
        raise UsageError(f"--timeout must be between 0 and 3600 seconds, not {timeout:g}")
    form = _output_format(opts)
    loaded = require_config(state.config_path)
    for problem in loaded.warnings:
        warn(state, problem.format())
    only = [_canonical_flag(n, "--provider") for n in opts.provider or []]
    allowed = [_canonical_flag(n, "--allow-fail") for n in opts.allow_fail or []]
    targets = build_targets(loaded.config, only, opts.all_local)
    for name in sorted(set(allowed) - {t.provider for t in targets}):
        warn(state, f"--allow-fail {name}: not among the providers checked")
    if (opts.max_ttft is not None or opts.min_tps is not None) and not opts.chat:
        warn(state, "--max-ttft and --min-tps apply to the --chat probe: add --chat")
    outcome = run_doctor(loaded.config, targets, timeout=timeout, chat=opts.chat,
                         cache_write=not opts.no_cache_write, allow_fail=allowed,
                         strict=opts.strict, wait=opts.wait or 0.0,
                         concurrency=opts.concurrency, max_ttft=opts.max_ttft,
                         min_tps=opts.min_tps, tools=opts.tools, schema=opts.schema,
                         progress=_progress(state))
    for message in outcome.warnings:
        warn(state, message)
    report = outcome.report
    _print(report, form, state)
    if opts.junit:
        _write_junit(report, opts.junit)
    return report.exit_code


def _print(report, form: str, state) -> None:
    from revka_cli.doctor.report import plain_lines, to_json

    if form == "json":
        out_json(to_json(report))
        return
    if form == "github":
        _print_github(report, state)
    if current().stdout_isatty and form == "text":
        render_table(report, current().stdout, color=not state.no_color)
    else:
        for line in plain_lines(report):
            out(line)


def _print_github(report, state) -> None:
    """Workflow commands on stdout; the job summary appended to $GITHUB_STEP_SUMMARY."""
    import os

    from revka_cli.doctor.github import job_summary, workflow_commands

    for line in workflow_commands(report):
        out(line)
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write(job_summary(report) + "\n")
    except OSError as exc:
        warn(state, "cannot append the job summary to $GITHUB_STEP_SUMMARY "
                    f"({exc.strerror or exc})")


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
