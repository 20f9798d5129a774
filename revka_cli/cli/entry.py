"""Process entry point and its one error boundary. `--version`, `--help` pages, completion and the
fast commands are answered without importing typer; everything else is handed to the Typer app."""

from __future__ import annotations

import sys

from revka_cli.cli.environment import Environment, activated


def fast_help(args: list[str], env: Environment | None = None) -> str | None:
    """The stored help page when `args` is exactly `[command...] --help`, or a group's name alone
    (`revka models`, like bare `revka`), else None."""
    if args and args[-1] in ("--help", "-h") and not any(a.startswith("-") for a in args[:-1]):
        key = " ".join(args[:-1])
    elif not any(a.startswith("-") for a in args):
        from revka_cli.cli.surface.spec import BY_PATH

        key = " ".join(args)
        if key not in BY_PATH or not BY_PATH[key].group:
            return None
    else:
        return None
    from revka_cli.cli.generated.helptext import PAGES, WIDTH

    if key not in PAGES or (env or Environment()).width < WIDTH:
        return None
    return PAGES[key]


def _fast_command(args: list[str], env: Environment) -> int | None:
    """A stored help page, or a command the typer-free fast path answers; None otherwise."""
    page = fast_help(args, env)
    if page is not None:
        env.stdout.write(page)
        return 0
    if "--help" in args or "-h" in args:
        return None
    from revka_cli.cli.fast.run import run_fast

    return run_fast(args)


def _dispatch(args: list[str], env: Environment) -> int:
    if args in (["--version"], ["-V"]):
        from revka_cli import __version__

        env.stdout.write(f"revka {__version__}\n")
        return 0
    if env.environ.get("_REVKA_COMPLETE"):  # a TAB press: answered from the spec's table, no typer
        from revka_cli.cli.fast.complete import answer

        code = answer(env.environ, env.stdout)
    else:
        code = _fast_command(args, env)
    if code is not None:
        return code
    from revka_cli.cli.app import run

    return run(args)


def main(argv: list[str] | None = None, env: Environment | None = None) -> int:
    """Run one command line inside the one error boundary, whichever parser answers it. `env`
    (default: this process's streams and variables) is the run's I/O environment."""
    from revka_cli.cli.boundary import guarded

    args = sys.argv[1:] if argv is None else list(argv)
    env = Environment() if env is None else env
    with activated(env):
        return guarded(lambda: _dispatch(args, env), args, env.environ)
