"""How much a config file may make revka do: its size, its nesting, its number of values.

A config is small text, nested a few levels deep. These bounds keep every file up to the size
limit loadable, or refused, in well under a second and a few MB, whatever it holds. The checks run
before the parsers, which recurse once per level and cost a few microseconds per value:

- `MAX_CONFIG_BYTES`: larger files are refused unread.
- `MAX_DEPTH`: arrays, tables and dotted keys nested deeper are refused.
- `MAX_VALUES`: more keys and values than this are refused. In YAML each alias (and `<<` merge)
  counts as all the values it stands for, so an "alias bomb" (a few hundred bytes that expand to
  billions of values) is refused, as is an alias inside the node it names.

Each check returns `(message, line, column)` or None; `problem_at` turns it into a `Problem`.
"""

from __future__ import annotations

import re
from itertools import accumulate

from revka_cli.config.problems import ERROR, Problem

MAX_CONFIG_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 20_000

TOO_DEEP = f"nested too deeply (more than {MAX_DEPTH} levels of arrays or tables)"
TOO_MANY = (f"holds too many values (more than {MAX_VALUES:,} keys, values and brackets); "
            "a config file is small")
TOO_MANY_YAML = (f"holds too many values (more than {MAX_VALUES:,} keys and values, counting what "
                 "each alias stands for); a config file is small")

Finding = tuple[str, "int | None", "int | None"]

# TOML text that can hold brackets, dots or commas which are not structure: strings, comments.
# Every alternative matches once started (an unterminated string runs to the end of its line or
# of the text), so scanning is linear whatever the text.
_TOML_SKIP = (r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*(?:"""|\Z)'
              r"|'''[\s\S]*?(?:'''|\Z)"
              r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"?'
              r"|'[^'\n]*'?"
              r"|#[^\n]*")
_TOML_STRINGS = re.compile(_TOML_SKIP)
_TOML_TOKEN = re.compile(_TOML_SKIP + r"|[\[\]{}.=,]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_DEPTH_WINDOW = 256 * 1024
# MAX_DEPTH dots with no separator between them: a key of more than MAX_DEPTH parts
_DOTTED_KEY = re.compile(r"\.(?:[^.=,\[\]{}]*\.){%d}" % (MAX_DEPTH - 1))


def problem_at(file: str, found: Finding) -> Problem:
    """The Problem for a check's (message, line, column) in `file`."""
    message, line, col = found
    return Problem(ERROR, "", message, file, line, col)


def line_col(text: str, pos: int) -> tuple[int, int]:
    """1-based line and column of offset `pos` in `text`."""
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


def toml_shape_problem(text: str) -> Finding | None:
    """Too many values, or arrays, inline tables or dotted keys nested deeper than MAX_DEPTH
    (tomllib recurses once per level, and its cost grows with the square of a key's parts).
    Counted on the text without its strings and comments, at C speed."""
    bare = _TOML_STRINGS.sub(" ", text)
    values = sum(bare.count(c) for c in "[]{}=,")
    dots = bare.count(".")
    too_many = values > MAX_VALUES or dots > MAX_VALUES
    # past the value limit the file is refused anyway: look for deep nesting near its start only
    brackets = re.sub(r"[^\[\]{}]+", "", bare[:_DEPTH_WINDOW] if too_many else bare)
    deep = bool(brackets) and max(accumulate(map(_STEP.__getitem__, brackets))) > MAX_DEPTH
    if deep or (MAX_DEPTH <= dots <= MAX_VALUES and _DOTTED_KEY.search(bare)):
        found = _toml_too_deep_at(text)
        if found:
            return found
    return (TOO_MANY, None, None) if too_many else None


def _toml_too_deep_at(text: str) -> Finding | None:
    """Where the nesting first passes MAX_DEPTH, token by token (only for a file that does)."""
    depth = dots = 0
    for match in _TOML_TOKEN.finditer(text):
        token = match.group()
        if token == ".":
            dots += 1
            if dots >= MAX_DEPTH:
                return (TOO_DEEP, *line_col(text, match.start()))
        elif token in ("[", "{"):
            depth, dots = depth + 1, 0
            if depth > MAX_DEPTH:
                return (TOO_DEEP, *line_col(text, match.start()))
        elif token in ("]", "}"):
            depth, dots = max(depth - 1, 0), 0
        elif token in ("=", ","):
            dots = 0
    return None


def data_too_deep(data: dict) -> list[str] | None:
    """The key path to a value nested deeper than MAX_DEPTH in parsed data (dotted TOML keys and
    table headers nest without brackets), or None."""
    stack: list[tuple[object, list[str]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if isinstance(value, (dict, list)) and len(path) > MAX_DEPTH:
            return path
        if isinstance(value, dict):
            stack.extend((child, path + [str(key)]) for key, child in value.items())
        elif isinstance(value, list):
            stack.extend((child, path + [str(i)]) for i, child in enumerate(value))
    return None


def long_number(text: str) -> Finding:
    """Where a number too long for Python's int conversion sits (the parsers raise ValueError)."""
    match = re.search(r"[0-9][0-9_]{4000,}", text)
    where = line_col(text, match.start()) if match else (None, None)
    return ("a number has too many digits", *where)


# --- YAML -------------------------------------------------------------------------------------

def yaml_shape_problem(loader_cls, text: str) -> Finding | None:
    """Walk the YAML event stream (libyaml, no recursion, stopping early) before any node is built:
    too many values counting what aliases stand for, nesting past MAX_DEPTH, or an alias inside
    the node it names. Syntax errors are left to the real parse, which reports them."""
    import yaml

    loader = loader_cls(text)
    anchors: dict[str, tuple[int, int]] = {}  # anchor -> (values, levels of collections)
    stack: list[list] = []  # open collections: [anchor, values before it, levels below it]
    total = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                if len(stack) > MAX_DEPTH:
                    return (TOO_DEEP, *_mark(event))
                total += 1
                stack.append([event.anchor, total - 1, 0])
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                anchor, before, below = stack.pop()
                values, levels = total - before, below + 1
                if anchor:
                    anchors[anchor] = (values, levels)
            elif isinstance(event, yaml.AliasEvent):
                if any(entry[0] == event.anchor for entry in stack):
                    return ("a YAML alias refers to a node that contains it", *_mark(event))
                values, levels = anchors.get(event.anchor, (1, 0))
                total += values
                if levels and len(stack) + levels - 1 > MAX_DEPTH:
                    return (TOO_DEEP, *_mark(event))
            elif isinstance(event, yaml.ScalarEvent):
                total, levels = total + 1, 0
                if event.anchor:
                    anchors[event.anchor] = (1, 0)
            else:
                continue  # stream and document events
            if total > MAX_VALUES:
                return (TOO_MANY_YAML, *_mark(event))
            if stack:
                stack[-1][2] = max(stack[-1][2], levels)
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None


def _mark(event) -> tuple[int | None, int | None]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark else (None, None)
