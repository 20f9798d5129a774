"""The typer/click shell classes behind `_REVKA_COMPLETE` on the Typer path (the app is built with
add_completion=False); the fast path (`cli/fast/complete.py`) answers model and provider names
without them. Typer has no public API for completion classes, so this module (and only this one)
imports `typer._click`: the reason typer stays pinned (see pyproject.toml)."""

from __future__ import annotations

from revka_cli.cli.commands.completion_scripts import script
from revka_cli.cli.environment import current
from revka_cli.cli.fast import complete as fastcomplete


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
