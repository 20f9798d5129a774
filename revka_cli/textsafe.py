"""Show the control characters in text from a server instead of letting a terminal obey them.

A model's answer or a server's error message can hold escape sequences that clear the screen, set
the clipboard (OSC 52), plant hyperlinks (OSC 8) or switch to the alternate screen. `visible()`
writes every C0 control except newline and tab, DEL, and every C1 control in caret notation as
`cat -v` does (ESC -> `^[`, BEL -> `^G`, 0x9b -> `M-^[`): a CSI, OSC or DCS sequence then prints
as plain text, and nothing is dropped. Each character maps on its own, so text split across
writes maps exactly as the whole would: no state needs carrying from one chunk to the next.

Cheap in the common case: text without such characters is returned as is after one C-level check
(`str.isprintable`, then a precompiled regex search only when that check is inconclusive).
"""

from __future__ import annotations


def _caret(code: int) -> str:
    if code < 0x20:
        return "^" + chr(code + 0x40)
    if code == 0x7F:
        return "^?"
    return "M-^" + chr(code - 0x80 + 0x40)  # C1: 0x80-0x9f


_CONTROLS = (*range(0x20), *range(0x7F, 0xA0))
_LINE_TABLE = {code: _caret(code) for code in _CONTROLS}  # single-line fields: \n and \t too
_TEXT_TABLE = {code: shown for code, shown in _LINE_TABLE.items() if code not in (0x0A, 0x09)}
_patterns: dict[str, object] = {}


def _pattern(name: str):
    """Compiled on first use: completion and --version never pay for `re`."""
    pattern = _patterns.get(name)
    if pattern is None:
        import re

        source = {"text": "[\x00-\x08\x0b-\x1f\x7f-\x9f]", "line": "[\x00-\x1f\x7f-\x9f]",
                  "json": "[\x7f-\x9f]"}[name]
        pattern = _patterns[name] = re.compile(source)
    return pattern


def visible(text: str) -> str:
    """`text` with its control characters (all but newline and tab) shown, never obeyed."""
    if text.isprintable() or _pattern("text").search(text) is None:
        return text
    return text.translate(_TEXT_TABLE)


def one_line(text: str) -> str:
    """As `visible()`, and newline and tab shown too: for a field printed on one line (a model id,
    a name in a table) that must not start a line of its own."""
    if text.isprintable():
        return text
    return text.translate(_LINE_TABLE)


def has_control(text: str) -> bool:
    """Whether `one_line()` would change `text`."""
    return not text.isprintable() and _pattern("line").search(text) is not None


def json_text(serialised: str) -> str:
    """JSON text from `json.dumps(..., ensure_ascii=False)` with DEL and the C1 controls written as
    \\u escapes: the same JSON value, but nothing a terminal would obey (C0 is escaped already)."""
    if serialised.isascii() and "\x7f" not in serialised:
        return serialised
    return _pattern("json").sub(lambda m: f"\\u{ord(m.group()):04x}", serialised)
