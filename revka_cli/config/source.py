"""Read a config file safely and parse it as TOML or YAML, keeping where each key sits.

Every failure becomes a `Problem` (never an exception), so `config validate` can report it with
the file, line and column.
"""

from __future__ import annotations

import re
from pathlib import Path

from revka_cli.config.problems import ERROR, Problem
from revka_cli.records import Factory, Record

MAX_CONFIG_BYTES = 1024 * 1024


class ParsedFile(Record, frozen=False):
    path: Path
    fmt: str  # "toml" | "yaml"
    data: dict | None
    problems: list[Problem] = Factory(list)
    key_lines: dict[str, tuple[int, int]] = Factory(dict)
    mode: int | None = None

    def locate(self, key: str) -> tuple[int | None, int | None]:
        """Line and column of `key`, or of its nearest parent that has one."""
        parts = key.split(".")
        while parts:
            hit = self.key_lines.get(".".join(parts))
            if hit:
                return hit
            parts.pop()
        return None, None


def detect_format(path: Path) -> str:
    return "yaml" if path.suffix.lower() in (".yaml", ".yml") else "toml"


def read_config_text(path: Path) -> tuple[str | None, Problem | None, int | None]:
    """The file's text, or a Problem saying why it cannot be used."""
    name = str(path)

    def bad(msg: str, line: int | None = None, col: int | None = None):
        return None, Problem(ERROR, "", msg, name, line, col), None

    try:
        if path.is_dir():
            return bad("is a directory, not a config file")
        with open(path, "rb") as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
            mode = _mode(fh)
    except FileNotFoundError:
        return bad("does not exist")
    except PermissionError:
        return bad("cannot be read (permission denied)")
    except OSError as exc:
        return bad(f"cannot be read ({exc.strerror or exc})")
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


def _mode(fh) -> int | None:
    import os

    try:
        return os.fstat(fh.fileno()).st_mode
    except OSError:
        return None


def parse_file(path: Path) -> ParsedFile:
    fmt = detect_format(path)
    text, problem, mode = read_config_text(path)
    if problem is not None:
        return ParsedFile(path, fmt, None, [problem])
    parse = parse_yaml if fmt == "yaml" else parse_toml
    data, problem, key_lines = parse(text, str(path))
    return ParsedFile(path, fmt, data, [problem] if problem else [], key_lines, mode)


# --- TOML -----------------------------------------------------------------------------------

_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse_toml(text: str, name: str):
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
    return data, None, toml_key_lines(text)


def _parse_toml_tomlkit(text: str, name: str):  # pragma: no cover - Python 3.10
    import tomlkit
    from tomlkit.exceptions import ParseError

    try:
        data = tomlkit.parse(text).unwrap()
    except ParseError as exc:
        msg = str(exc).split(" at line ")[0]
        return None, Problem(ERROR, "", f"TOML syntax error: {msg}", name, exc.line, exc.col), {}
    return data, None, toml_key_lines(text)


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


# --- YAML -----------------------------------------------------------------------------------

def parse_yaml(text: str, name: str):
    import yaml

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_cls(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        if exc.context_mark and "end of stream" in what:  # point at where the broken item began
            mark, what = exc.context_mark, f"{what} {exc.context or ''}".strip()
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        return None, Problem(ERROR, "", f"YAML syntax error: {what}", name, line, col), {}
    except yaml.YAMLError as exc:
        return None, Problem(ERROR, "", f"YAML error: {exc}", name), {}
    finally:
        loader.dispose()
    if data is None:
        return None, Problem(ERROR, "", "is empty; add settings to it or delete it", name), {}
    if not isinstance(data, dict):
        return None, Problem(ERROR, "", "the top level must be a mapping of keys", name, 1, 1), {}
    lines: dict[str, tuple[int, int]] = {}
    _yaml_key_lines(node, [], lines)
    return data, None, lines


def _yaml_key_lines(node, path: list[str], out: dict) -> None:
    if getattr(node, "tag", "").endswith(":map") or node.__class__.__name__ == "MappingNode":
        for key_node, value_node in node.value:
            key = str(key_node.value)
            full = path + [key]
            out.setdefault(".".join(full), (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
            _yaml_key_lines(value_node, full, out)
