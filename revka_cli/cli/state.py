"""Global options, shared by every command through the click context."""

from __future__ import annotations

import os
import sys
from revka_cli.records import Record


class AppState(Record, frozen=False):
    config_path: str | None = None
    debug: bool = False
    quiet: bool = False
    no_color: bool = False

    @property
    def color(self) -> bool:
        return not self.no_color and "NO_COLOR" not in os.environ and sys.stderr.isatty()


def get_state(ctx) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj
