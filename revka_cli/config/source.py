"""Read a config file safely and parse it as TOML, YAML or Starlark, keeping where each key sits.

Every failure becomes a `Problem` (never an exception), so `config validate` can report it with
the file, line and column.
"""

from __future__ import annotations

import re
from pathlib import Path

from revka_cli.config.limits import (
    MAX_CONFIG_BYTES, TOO_DEEP, data_too_deep, long_number, problem_at, toml_shape_problem,
)
from revka_cli.config.problems import ERROR, Problem
from revka_cli.records import Factory, Record



class ParsedFile(Record, frozen=False):
    path: Path
    fmt: str  # "toml" | "yaml" | "star"
    data: dict | None
    problems: list[Problem] = Factory(list)
    key_lines: dict[str, tuple[int, int]] = Factory(dict)
    mode: int | None = None

    def locate(self, key: str) -> tuple[int | None, int | None]:
        """Line and column of `key`, or of its nearest parent that has one."""
        return locate(self.key_lines, key.split("."))


def locate(key_lines: dict[str, tuple[int, int]], parts: list[str]) -> tuple[int | None, int | None]:
    """Line and column of the key path `parts`, or of its nearest parent that has one."""
    parts = list(parts)
    while parts:
        hit = key_lines.get(".".join(parts))
        if hit:
            return hit
        parts.pop()
    return None, None


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    return "star" if suffix == ".star" else "toml"


def read_config_text(path: Path) -> tuple[str | None, Problem | None, int | None]:
    """The file's text, or a Problem saying why it cannot be used."""
    name = str(path)

    def bad(msg: str, line: int | None = None, col: int | None = None):
        return None, Problem(ERROR, "", msg, name, line, col), None

    raw, why, mode = _read_bounded(path)
    if why is not None:
        return bad(why)
    if len(raw) > MAX_CONFIG_BYTES:
        return bad(f"is too large (over {MAX_CONFIG_BYTES // 1024} KiB); a config file is small text")
    if b"\x00" in raw:
        return bad("looks binary (it contains NUL bytes), not a text config file")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return bad(f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x})", line, col)
    if not text.strip():
        return bad("is empty; add settings to it or delete it to use the defaults")
    return text, None, mode


def _read_bounded(path: Path) -> tuple[bytes, str | None, int | None]:
    """(at most MAX_CONFIG_BYTES + 1 bytes, why the path cannot be used or None, its st_mode).

    Only regular files and pipes (`--config <(...)`) are read. The open does not block, so a named
    pipe with no writer reads as empty instead of hanging."""
    import errno
    import os
    import stat

    nonblock = getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, os.O_RDONLY | nonblock)
    except FileNotFoundError:
        return b"", _missing(path), None
    except PermissionError:
        return b"", "cannot be read (permission denied)", None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return b"", "is a symbolic link loop (too many levels of symbolic links)", None
        return b"", f"cannot be read ({exc.strerror or exc})", None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            return b"", "is a directory, not a config file", mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            return b"", "is not a regular file (a device or a socket), not a config file", mode
        if nonblock:
            os.set_blocking(fd, True)
        return _read_fd(fd, MAX_CONFIG_BYTES + 1), None, mode
    except OSError as exc:
        return b"", f"cannot be read ({exc.strerror or exc})", None
    finally:
        os.close(fd)


def _read_fd(fd: int, limit: int) -> bytes:
    import os

    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _missing(path: Path) -> str:
    import os

    try:
        return f"is a symbolic link to '{os.readlink(path)}', which does not exist"
    except OSError:
        return "does not exist"


def parse_file(path: Path) -> ParsedFile:
    fmt = detect_format(path)
    text, problem, mode = read_config_text(path)
    if problem is not None:
        return ParsedFile(path, fmt, None, [problem])
    if fmt == "yaml":
        from revka_cli.config.source_yaml import parse_yaml as parse
    elif fmt == "star":
        from revka_cli.config.source_star import parse_star as parse
    else:
        parse = parse_toml
    data, problem, key_lines = parse(text, str(path))
    return ParsedFile(path, fmt, data, [problem] if problem else [], key_lines, mode)


# --- TOML -----------------------------------------------------------------------------------

_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse_toml(text: str, name: str):
    found = toml_shape_problem(text)
    if found:
        return None, problem_at(name, found), {}
    try:
        import tomllib  # Python >= 3.11: fast, stdlib
    except ImportError:  # pragma: no cover - Python 3.10
        return _parse_toml_tomlkit(text, name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        msg = _TOML_POS.sub("", msg).strip()
        return None, Problem(ERROR, "", f"TOML syntax error: {msg}", name, line, col), {}
    except ValueError:  # an integer past Python's digit limit
        return None, problem_at(name, long_number(text)), {}
    except RecursionError:  # pragma: no cover - a nesting toml_shape_problem did not see
        return None, Problem(ERROR, "", TOO_DEEP, name), {}
    return _checked_toml(data, text, name)


def _parse_toml_tomlkit(text: str, name: str):  # pragma: no cover - Python 3.10
    import tomlkit
    from tomlkit.exceptions import ParseError

    try:
        data = tomlkit.parse(text).unwrap()
    except ParseError as exc:
        msg = str(exc).split(" at line ")[0]
        return None, Problem(ERROR, "", f"TOML syntax error: {msg}", name, exc.line, exc.col), {}
    except ValueError:
        return None, problem_at(name, long_number(text)), {}
    except RecursionError:
        return None, Problem(ERROR, "", TOO_DEEP, name), {}
    return _checked_toml(data, text, name)


def _checked_toml(data: dict, text: str, name: str):
    """Dotted keys and table headers nest without brackets: check the depth of the result too."""
    key_lines = toml_key_lines(text)
    path = data_too_deep(data)
    if path:
        prefix = ".".join(path) + "."
        under = [pos for key, pos in key_lines.items() if key.startswith(prefix)]
        line, col = min(under) if under else locate(key_lines, path)
        return None, Problem(ERROR, "", TOO_DEEP, name, line, col), {}
    return data, None, key_lines


_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _split_key(s: str) -> tuple[list[str], int]:
    """Parse a (possibly dotted, possibly quoted) TOML key at the start of `s`."""
    parts, i = [], 0
    while i < len(s):
        while i < len(s) and s[i] in " \t":
            i += 1
        if i < len(s) and s[i] in "\"'":
            q = s[i]
            j = s.find(q, i + 1)
            if j < 0:
                break
            parts.append(s[i + 1:j])
            i = j + 1
        else:
            m = _BARE.match(s, i)
            if not m:
                break
            parts.append(m.group(0))
            i = m.end()
        while i < len(s) and s[i] in " \t":
            i += 1
        if i < len(s) and s[i] == ".":
            i += 1
            continue
        break
    return parts, i


def toml_key_lines(text: str) -> dict[str, tuple[int, int]]:
    """Map dotted key paths to (line, column). A light scanner, good for error locations."""
    out: dict[str, tuple[int, int]] = {}
    table: list[str] = []
    in_multiline = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        if in_multiline:
            if raw.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        stripped = raw.lstrip()
        col = len(raw) - len(stripped) + 1
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            inner = stripped[2:] if stripped.startswith("[[") else stripped[1:]
            table, _ = _split_key(inner)
            out.setdefault(".".join(table), (lineno, col))
            continue
        keys, end = _split_key(stripped)
        if keys and stripped[end:end + 1] == "=":
            out.setdefault(".".join(table + keys), (lineno, col))
            rest = stripped[end + 1:]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_multiline = quote
    return out
