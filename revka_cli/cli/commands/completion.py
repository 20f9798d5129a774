"""`revka completion bash|zsh|fish|install`.

The scripts are revka's own. Each one is a thin shell function that runs revka with the variables
of the typer/click completion protocol (`_REVKA_COMPLETE=complete_<shell>` plus COMP_WORDS and
COMP_CWORD for bash, `_TYPER_COMPLETE_ARGS` for zsh and fish), so commands, options and values are
completed by the installed revka itself and never go stale. `cli/fast/complete.py` answers every
such request from the table generated from the command spec, without importing typer.

When revka has no candidates (a file option such as --config, --image, --tools, or a word nothing
matches), every script falls back to the shell's own file-name completion.
"""

from __future__ import annotations

import os

from revka_cli.cli.environment import current
from revka_cli.cli.fast import complete as fastcomplete
from revka_cli.cli.commands.completion_install import detect_shell, install_completion
from revka_cli.cli.commands.completion_scripts import script
from revka_cli.cli.output import out
from revka_cli.errors import UsageError

SHELLS = fastcomplete.SHELLS


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
