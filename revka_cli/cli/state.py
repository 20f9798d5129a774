"""Global options, shared by every command through the click context."""

from __future__ import annotations

import sys
from revka_cli.records import Record


class AppState(Record, frozen=False):
    config_path: str | None = None
    debug: bool = False
    quiet: bool = False
    no_color: bool = False

    @property
    def color(self) -> bool:
        from revka_cli.cli.environment import current

        env = current()
        return not self.no_color and "NO_COLOR" not in env.environ and env.stderr_isatty


def get_state(ctx) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


def apply_globals(state: AppState, opts) -> AppState:
    """The global options record (the spec's "" entry) into `state`; debug logs on or off."""
    state.config_path, state.debug = opts.config_path, opts.debug
    state.quiet, state.no_color = opts.quiet, opts.no_color
    if opts.debug:
        from revka_cli.cli.boundary import enable_debug_log

        enable_debug_log()
    elif "logging" in sys.modules:
        sys.modules["logging"].getLogger("revka").setLevel("WARNING")
    return state
