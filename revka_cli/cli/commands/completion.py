"""`revka completion bash|zsh|fish|install`, and the shell classes behind `_REVKA_COMPLETE`.

The scripts are revka's own. Each one is a thin shell function that runs revka with the variables
of the typer/click completion protocol (`_REVKA_COMPLETE=complete_<shell>` plus COMP_WORDS and
COMP_CWORD for bash, `_TYPER_COMPLETE_ARGS` for zsh and fish), so commands, options and values are
completed by the installed revka itself and never go stale. Model and provider names are answered
by `fastcomplete` without importing typer; everything else by the classes registered here.

When revka has no candidates (a file option such as --config, --image, --tools, or a word nothing
matches), every script falls back to the shell's own file-name completion.
"""

from __future__ import annotations

import os
import sys
from typing import Optional

import typer

from revka_cli.cli.fast import complete as fastcomplete
from revka_cli.cli.commands.completion_install import detect_shell, install_completion
from revka_cli.cli.commands.completion_scripts import COMPLETE_VAR, PROG, script
from revka_cli.cli.output import out
from revka_cli.errors import UsageError

SHELLS = fastcomplete.SHELLS


# --- completion callbacks (the cache and the config only, never the network) -------------------

def _config_flag(ctx) -> str | None:
    try:
        return ctx.find_root().params.get("config")
    except AttributeError:
        return None


def complete_model(ctx: typer.Context, incomplete: str) -> list[str]:
    return fastcomplete.candidates("model", incomplete, _config_flag(ctx))


def complete_provider(ctx: typer.Context, incomplete: str) -> list[str]:
    return fastcomplete.candidates("provider", incomplete, _config_flag(ctx))


def complete_path(incomplete: str) -> list[str]:
    """No candidates: every revka completion script then completes file names."""
    return []


def complete_shell(incomplete: str) -> list[str]:
    return [s for s in SHELLS if s.startswith(incomplete)]


complete_model.revka_kind = "model"
complete_provider.revka_kind = "provider"


def completion_kind(param) -> str | None:
    """"model" or "provider" when a click parameter completes with the callbacks above. Typer
    keeps the autocompletion function only inside its wrapper's closure."""
    wrapper = getattr(param, "_custom_shell_complete", None)
    for cell in getattr(wrapper, "__closure__", None) or ():
        kind = getattr(cell.cell_contents, "revka_kind", None)
        if kind:
            return kind
    return None


# --- the typer/click shell classes (the app is built with add_completion=False) -----------------

def install_completion_classes() -> None:
    """Register revka's classes for `_REVKA_COMPLETE=complete_<shell>` / `source_<shell>`. Their
    word handling and output are fastcomplete's, so the typer path and the fast path agree. Help
    text is printed as written (the app has no rich markup), so rich is never imported."""
    from typer._click.shell_completion import add_completion_class
    from typer._completion_classes import BashComplete, FishComplete, ZshComplete

    class RevkaBash(BashComplete):
        request: fastcomplete.BashRequest

        def source(self) -> str:
            return script("bash")

        def get_completion_args(self) -> tuple[list[str], str]:
            self.request = fastcomplete.BashRequest(os.environ)
            return list(self.request.args), self.request.current

        def format_completion(self, item) -> str:
            return self.request.reply(str(item.value)) or ""

        def complete(self) -> str:
            args, incomplete = self.get_completion_args()
            replies = (self.request.reply(str(item.value))
                       for item in self.get_completions(args, incomplete))
            return "\n".join(r for r in replies if r is not None)

    class RevkaZsh(ZshComplete):
        def source(self) -> str:
            return script("zsh")

        def format_completion(self, item) -> str:
            return fastcomplete.zsh_item(str(item.value), item.help)

        def complete(self) -> str:
            args, incomplete = self.get_completion_args()
            items = self.get_completions(args, incomplete)
            return fastcomplete.zsh_reply([self.format_completion(i) for i in items])

    class RevkaFish(FishComplete):
        def source(self) -> str:
            return script("fish")

        def format_completion(self, item) -> str:
            return fastcomplete.fish_item(str(item.value), item.help)

    add_completion_class(RevkaBash, "bash")
    add_completion_class(RevkaZsh, "zsh")
    add_completion_class(RevkaFish, "fish")


if os.environ.get(COMPLETE_VAR):
    install_completion_classes()


# --- the table the fast path reads ---------------------------------------------------------------

def command_table(command=None) -> dict[str, dict]:
    """{"models set": {"options": {opt: kind|None}, "flags": [...], "commands": [...],
    "args": [kind|None, ...]}, ...} for every command of the app."""
    if command is None:
        from revka_cli.cli.app import app

        command = typer.main.get_command(app)
    table: dict[str, dict] = {}

    def walk(cmd, key: str, parent) -> None:
        ctx = typer.Context(cmd, parent=parent, info_name=key.rsplit(" ", 1)[-1] or PROG,
                            **(cmd.context_settings or {}))
        options, flags, args = {}, [], []
        for param in cmd.get_params(ctx):  # with the help option, named as the context says
            if param.param_type_name == "argument":
                kind = completion_kind(param)
                args.extend([kind] * param.nargs if param.nargs > 0 else [None])
            elif param.is_flag or param.count:
                flags.extend([*param.opts, *param.secondary_opts])
            else:
                options.update({name: completion_kind(param) for name in param.opts})
                flags.extend(param.secondary_opts)
        subs = getattr(cmd, "commands", {})
        table[key] = {"options": options, "flags": sorted(set(flags)), "commands": sorted(subs),
                      "args": args}
        for name, sub in sorted(subs.items()):
            walk(sub, f"{key} {name}".strip(), ctx)

    walk(command, "", None)
    return table


def render_table() -> str:
    table = command_table()
    lines = ['"""Generated by scripts/gen_completions.py from the Typer app: do not edit.',
             "",
             "For each command: the options that take a value (with what completes them), the flags,",
             "the subcommands and the positional arguments. `fastcomplete` parses the command line",
             'with it without importing typer (tests/cli/test_completion.py fails when it drifts)."""',
             "",
             "COMMANDS = {"]
    for key, node in table.items():
        lines.append(f"    {key!r}: {{")
        for field in ("options", "flags", "commands", "args"):
            lines.append(f"        {field!r}: {node[field]!r},")
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- commands ------------------------------------------------------------------------------------

app = typer.Typer(help="Shell completion: print the script for a shell, or install it.",
                  no_args_is_help=True)


def _printer(shell: str):
    def command() -> None:
        sys.stdout.write(script(shell))

    command.__doc__ = (f"Print the {shell} completion script (e.g. to save it yourself; "
                       f"'revka completion install {shell}' does it for you).")
    return command


for _shell in SHELLS:
    app.command(_shell)(_printer(_shell))


@app.command("install")
def install(
    shell: Optional[str] = typer.Argument(None, metavar="[SHELL]", autocompletion=complete_shell,
                                          help="bash, zsh or fish (default: the one in $SHELL)."),
    add_rc: bool = typer.Option(False, "--rc", help="Also add the line your shell's startup file "
                                "needs (~/.bashrc without bash-completion, ~/.zshrc without "
                                "~/.zfunc in fpath), if it is missing."),
) -> None:
    """Install the completion script where the shell finds it, without root, and say where:
    bash: ${XDG_DATA_HOME:-~/.local/share}/bash-completion/completions/revka;
    zsh: ~/.zfunc/_revka; fish: ${XDG_CONFIG_HOME:-~/.config}/fish/completions/revka.fish.
    Startup files are changed only with --rc."""
    name = (shell or detect_shell() or "").lower()
    if not name:
        found = os.path.basename(os.environ.get("SHELL", "")) or "unset"
        raise UsageError(f"cannot tell which shell to install for ($SHELL is {found})",
                         "name it: revka completion install bash|zsh|fish")
    if name not in SHELLS:
        raise UsageError(f"no completion for shell '{name}'",
                         "revka completes in bash, zsh and fish")
    for line in install_completion(name, add_rc):
        out(line)
