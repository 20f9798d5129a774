"""Where each dict key of a config.star is written: a light scanner over the Starlark text.

starlark-pyo3 gives positions for errors but not for the values a file builds, so dotted keys are
located by scanning the dict literal itself: a string followed by `:` inside `{...}` is a key, and
the key path is the chain of enclosing keys. Only the literal assigned to the top-level `config`
(or the whole file, in the entries form) is scanned; a key built by code, or written in another
dict that `config` refers to by name, has no line and is reported at its nearest located parent.
"""

from __future__ import annotations

import re

from revka_cli.config.limits import line_col

# Strings (triple-quoted, single-quoted, with r/b prefixes), comments, brackets, colons, commas.
_TOKEN = re.compile(
    r'(?P<str>[rRbB]{0,2}(?:"""[\s\S]*?(?:"""|\Z)|\'\'\'[\s\S]*?(?:\'\'\'|\Z)'
    r'|"(?:[^"\\\n]|\\.)*"?|\'(?:[^\'\\\n]|\\.)*\'?))'
    r"|(?P<comment>#[^\n]*)|(?P<open>[{\[(])|(?P<close>[}\])])|(?P<colon>:)|(?P<comma>,)")
_CONFIG_START = re.compile(r"^config[ \t]*=[ \t]*\{", re.M)
_ENTRIES_START = re.compile(r'\A(?:\s|#[^\n]*)*[rRbB]{0,2}(?:"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
                            r"\s*:")


def is_entries_form(text: str) -> bool:
    """True when the file is a list of `"key": value,` entries (the product page's snippets)."""
    return _ENTRIES_START.match(text) is not None


def _string_value(token: str) -> str | None:
    body = token.lstrip("rRbB")
    if body[:3] in ('"""', "'''") or len(body) < 2 or body[0] != body[-1]:
        return None
    inner = body[1:-1]
    return inner if "\\" not in inner else None


def star_key_lines(text: str, entries: bool) -> dict[str, tuple[int, int]]:
    """Dotted key path -> (line, column) for the keys written in the config dict literal."""
    if entries:
        start, stack = 0, [("{", "")]
    else:
        m = _CONFIG_START.search(text)
        if m is None:
            return {}
        start, stack = m.end(), [("{", "")]
    return _scan(text, start, stack)


def _scan(text: str, pos: int, stack: list[tuple[str, str | None]]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    last_key: str | None = None  # a string just seen in a dict, a key if a colon follows
    pending: str | None = None  # the key whose value is being written
    for m in _TOKEN.finditer(text, pos):
        kind = m.lastgroup
        if kind == "comment":
            continue
        if kind == "str":
            last = stack[-1]
            last_key = _string_value(m.group()) if last[0] == "{" and pending is None else None
            key_at = m.start()
            continue
        if kind == "colon" and last_key is not None and stack[-1][1] is not None:
            parent = stack[-1][1]
            pending = f"{parent}.{last_key}" if parent else last_key
            out.setdefault(pending, line_col(text, key_at))
        elif kind == "open":
            stack.append((m.group(), pending if m.group() == "{" else None))
            pending = None
        elif kind == "close":
            stack.pop()
            pending = None
            if not stack:
                break
        elif kind == "comma":
            pending = None
        last_key = None
    return out
