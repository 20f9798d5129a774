"""The I/O environment of one run (like httpie's `Environment`): stdin, stdout, stderr, whether
each is a terminal, the environment variables and the terminal width.

`entry.main(argv, env)` activates one for the whole run; command code asks `current()` instead of
reading `sys` and `os.environ`, so a run can be driven in-process with other streams and variables
(tests/cli/test_environment.py). Outside `main` (Typer's CliRunner in tests, which swaps
sys.stdout itself), `current()` describes the process's streams at the time of the call."""

from __future__ import annotations

import os
import sys

DEFAULT_WIDTH = 80


def _isatty(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


class Environment:
    __slots__ = ("stdin", "stdout", "stderr", "environ", "_tty", "_width")

    def __init__(self, *, stdin=None, stdout=None, stderr=None, environ=None, tty=None,
                 width: int | None = None) -> None:
        """`tty` forces isatty for all three streams (True/False); None asks the streams."""
        self.stdin = sys.stdin if stdin is None else stdin
        self.stdout = sys.stdout if stdout is None else stdout
        self.stderr = sys.stderr if stderr is None else stderr
        self.environ = os.environ if environ is None else environ
        self._tty, self._width = tty, width

    def _is_tty(self, stream) -> bool:
        return _isatty(stream) if self._tty is None else self._tty

    @property
    def stdin_isatty(self) -> bool:
        return self._is_tty(self.stdin)

    @property
    def stdout_isatty(self) -> bool:
        return self._is_tty(self.stdout)

    @property
    def stderr_isatty(self) -> bool:
        return self._is_tty(self.stderr)

    @property
    def width(self) -> int:
        """The width click formats help for: $COLUMNS, else the terminal's, else 80."""
        if self._width:
            return self._width
        text = self.environ.get("COLUMNS", "")
        if text.isdigit() and int(text) > 0:
            return int(text)
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            return DEFAULT_WIDTH
        return columns if columns > 0 else DEFAULT_WIDTH


_active: list[Environment] = []


def current() -> Environment:
    """The environment of the run in progress (or the process's own streams)."""
    return _active[-1] if _active else Environment()


class activated:
    """`with activated(env):` makes `env` the current environment."""

    def __init__(self, env: Environment) -> None:
        self.env = env

    def __enter__(self) -> Environment:
        _active.append(self.env)
        return self.env

    def __exit__(self, *exc) -> None:
        _active.pop()
