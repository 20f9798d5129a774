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

from revka_cli.cli.environment import current
from revka_cli.cli.fast import complete as fastcomplete
from revka_cli.cli.commands.completion_install import detect_shell, install_completion
from revka_cli.cli.commands.completion_scripts import COMPLETE_VAR, PROG, script
from revka_cli.cli.output import out
from revka_cli.errors import UsageError

SHELLS = fastcomplete.SHELLS


# --- completion callbacks (the cache and the config only, never the network) -------------------

def _config_flag(ctx) -> str | None:
    try:
        return ctx.find_root().params.get("config_path")
    except AttributeError:
        return None


def complete_model(ctx, incomplete: str) -> list[str]:
    return fastcomplete.candidates("model", incomplete, _config_flag(ctx))


def complete_provider(ctx, incomplete: str) -> list[str]:
    return fastcomplete.candidates("provider", incomplete, _config_flag(ctx))


def complete_path(incomplete: str) -> list[str]:
    """No candidates: every revka completion script then completes file names."""
    return []


def complete_shell(incomplete: str) -> list[str]:
    return [s for s in SHELLS if s.startswith(incomplete)]


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
            self.request = fastcomplete.BashRequest(current().environ)
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


# --- commands ------------------------------------------------------------------------------------

def printer(shell: str):
    """The body of `revka completion SHELL`."""
    def command(state, opts) -> None:
        current().stdout.write(script(shell))

    return command


def install(state, opts) -> None:
    """The body of `revka completion install [SHELL]`."""
    shell, add_rc = opts.shell, opts.add_rc
    name = (shell or detect_shell() or "").lower()
    if not name:
        found = os.path.basename(current().environ.get("SHELL", "")) or "unset"
        raise UsageError(f"cannot tell which shell to install for ($SHELL is {found})",
                         "name it: revka completion install bash|zsh|fish")
    if name not in SHELLS:
        raise UsageError(f"no completion for shell '{name}'",
                         "revka completes in bash, zsh and fish")
    for line in install_completion(name, add_rc):
        out(line)
