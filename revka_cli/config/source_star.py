"""Evaluate a config.star (Starlark) in a child process: hermetic, and bounded in time and memory.

The file's value is its top-level `config` dict, with the same keys as config.toml. A file that
is only `"key": value,` entries (the form of the product page's examples) is read as the body of
that dict. The child (star_child.py) runs starlark-pyo3 with `load()` disabled and the standard
built-ins only (no print, no file or network access); it is killed after STAR_DEADLINE_S seconds
and may use at most STAR_MEMORY bytes. Nothing in revka imports `starlark` itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from revka_cli.config.limits import MAX_CONFIG_BYTES, MAX_DEPTH, MAX_VALUES
from revka_cli.config.problems import ERROR, Problem
from revka_cli.config.star_lines import is_entries_form, star_key_lines
from revka_cli.errors import ConfigError

STAR_DEADLINE_S = 5
STAR_MEMORY = 512 * 1024 * 1024
ENTRIES_PREFIX = "config = {"
INSTALL_HINT = "pip install 'revka[star]'"
_POS = re.compile(r"^\s*--> (?P<file>.*):(?P<line>\d+):(?P<col>\d+)\s*$", re.M)
_EXPECTED = re.compile(r",? expected one of .*$")
PLAIN_TYPES = " (use a string, number, boolean, None, list or dict)"


def parse_star(text: str, name: str):
    """(data or None, a Problem or None, key lines): the same contract as parse_toml."""
    entries = is_entries_form(text)
    source = f"{ENTRIES_PREFIX}{text}\n}}\n" if entries else text
    reply = _run_child(source, name)
    if "missing" in reply:
        raise ConfigError(f"{name} is a Starlark config, and Starlark support is not installed",
                          hint=INSTALL_HINT)
    if "timeout" in reply:
        return None, Problem(ERROR, "", f"took longer than {STAR_DEADLINE_S} s to evaluate (an "
                             f"endless loop?); revka stops a config.star after {STAR_DEADLINE_S} s",
                             name), {}
    if "crash" in reply:
        return None, Problem(ERROR, "", reply["crash"], name), {}
    key_lines = star_key_lines(text, entries)
    if "error" in reply:
        return None, _error_problem(reply["error"], name, text, entries), {}
    if "no_config" in reply:
        return None, Problem(ERROR, "", "sets no top-level `config`; write config = {...} with the "
                             "same keys as config.toml", name), {}
    if "bad" in reply:
        return None, _bad_problem(reply["bad"], name, key_lines), {}
    data = reply.get("data")
    if not isinstance(data, dict):
        line, col = _config_line(text, entries)
        what = "nothing (None)" if data is None else f"a {type(data).__name__}"
        return None, Problem(ERROR, "config", f"must be a dict of settings, got {what}", name,
                             line, col), {}
    return data, None, key_lines


_REPLIES: dict[tuple[str, str], dict] = {}  # one evaluation per file text and process


def _run_child(source: str, name: str) -> dict:
    """The child's reply; a command that loads the config twice evaluates it once (the file is
    hermetic, so the same text always gives the same reply)."""
    key = (name, source)
    if key not in _REPLIES:
        _REPLIES.clear()
        _REPLIES[key] = _evaluate(source, name)
    return json.loads(json.dumps(_REPLIES[key]))  # a fresh copy: callers may change the data


def _evaluate(source: str, name: str) -> dict:
    import os
    import subprocess
    import sys

    script = Path(__file__).with_name("star_child.py").read_text(encoding="utf-8")
    argv = [sys.executable, "-c", script, name, str(STAR_MEMORY), str(MAX_VALUES),
            str(MAX_DEPTH), str(MAX_CONFIG_BYTES)]
    env = dict(os.environ, RUST_BACKTRACE="0", PYTHONDONTWRITEBYTECODE="1")
    try:
        done = subprocess.run(argv, input=source.encode("utf-8"), capture_output=True,
                              timeout=STAR_DEADLINE_S, env=env, check=False)
    except subprocess.TimeoutExpired:  # run() has killed the child
        return {"timeout": True}
    except OSError as exc:
        return {"crash": f"cannot start the Starlark evaluator ({exc.strerror or exc})"}
    try:
        reply = json.loads(done.stdout[:4 * MAX_CONFIG_BYTES])
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        return {"crash": _crash_text(done.returncode, done.stderr)}
    return reply


def _crash_text(code: int, stderr: bytes) -> str:
    import signal

    killed = code in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV)
    if killed or b"memory allocation" in stderr or b"out of memory" in stderr:
        return (f"ran out of memory while evaluating (revka gives a config.star "
                f"{STAR_MEMORY // (1024 * 1024)} MiB)")
    last = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
    return f"the Starlark evaluator failed (exit {code}): {last[0][:200]}"


def _error_problem(text: str, name: str, source: str, entries: bool) -> Problem:
    """starlark's `error: what` and ` --> file:L:C` as one located Problem."""
    lines = text.strip().splitlines() or ["error"]
    first = next((x for x in lines if x.startswith("error: ")), lines[0])  # after any traceback
    message = first.removeprefix("error: ").strip()
    if len(message) > 120:
        message = _EXPECTED.sub("", message)
    if "`load` is not allowed" in message:
        message = "load() is not allowed: a config.star is evaluated on its own, hermetically"
    m = _POS.search(text, text.find(first))
    line = col = None
    if m:
        line, col = int(m.group("line")), int(m.group("col"))
        if entries and line == 1:
            col = max(1, col - len(ENTRIES_PREFIX))
        last_line = source.count("\n") + (0 if source.endswith("\n") else 1)
        if line > last_line:  # the closing brace added around entries
            line, col = max(last_line, 1), None
    return Problem(ERROR, "", f"Starlark error: {message}", name, line, col)


def _bad_problem(bad: list, name: str, key_lines: dict) -> Problem:
    from revka_cli.config.source import locate

    key, message = bad[0]
    parts = re.sub(r"\[\d+\]", "", key).split(".") if key else []
    line, col = locate(key_lines, parts)
    more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
    hint = PLAIN_TYPES if message.endswith("not a config value") else ""
    return Problem(ERROR, key, f"{message}{hint}{more}", name, line, col)


def _config_line(text: str, entries: bool) -> tuple[int | None, int | None]:
    if entries:
        return 1, 1
    m = re.search(r"^config\b", text, re.M)
    if not m:
        return None, None
    return text.count("\n", 0, m.start()) + 1, 1
