"""Check a parsed config mapping against the schema and build the frozen `Config`.

Type problems are collected, never raised: a bad value is reported and replaced by its default so
that one run of `config validate` shows every problem.
"""

from __future__ import annotations

from revka_cli import specs
from revka_cli.config.headers import clean_header_value, header_name_problem, header_value_problem
from revka_cli.config.numbers import number_problem, shown
from revka_cli.config.problems import ERROR, WARNING, Problem
from revka_cli.config.schema import SCHEMA, Field, MapOf, Table
from revka_cli.urls import redact_url, url_problem

MAX_LISTED = 100
_TYPE_NAMES = {str: "a string", bool: "a boolean", int: "an integer", float: "a number",
               list: "an array", dict: "a table", type(None): "nothing (null)"}


def type_name(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


class Checker:
    """Walks raw data with the schema; `report(...)` records a located problem. The first
    MAX_LISTED problems are listed; the rest are only counted (`unlisted()` sums them up)."""

    def __init__(self, file: str | None = None, locate=None) -> None:
        self.file = file
        self.locate = locate or (lambda key: (None, None))
        self.problems: list[Problem] = []
        self.skipped = {ERROR: 0, WARNING: 0}

    def report(self, severity: str, key: str, message: str, file: str | None = None) -> None:
        if self.full():
            self.skipped[severity] += 1
            return
        line, col = self.locate(key) if file is None else (None, None)
        self.problems.append(Problem(severity, key, message, file or self.file, line, col))

    def full(self) -> bool:
        return len(self.problems) >= MAX_LISTED

    def unlisted(self) -> list[Problem]:
        """One problem per severity counting those not listed."""
        return [Problem(severity, "", f"{count:,} more {severity}s like those above (not listed)",
                        self.file) for severity, count in self.skipped.items() if count]

    def check(self, data: dict) -> dict:
        return self._table(SCHEMA, data, "")

    def _node(self, node, value, key):
        if isinstance(node, Table):
            return self._table(node, value, key)
        if isinstance(node, MapOf):
            return self._map(node, value, key)
        return self._field(node, value, key)

    def _table(self, node: Table, value, key: str):
        if not isinstance(value, dict):
            self.report(ERROR, key, f"expected a table, got {type_name(value)}")
            return None
        out = {}
        for name, item in value.items():
            full = f"{key}.{name}" if key else str(name)
            child = node.fields.get(name)
            if child is None:
                import difflib  # only for an unknown key: suggestions

                guess = [] if self.full() else difflib.get_close_matches(str(name), list(node.fields),
                                                                          n=1, cutoff=0.6)
                tip = f" (did you mean '{guess[0]}'?)" if guess else ""
                self.report(WARNING, full, f"unknown key '{name}'{tip}")
                continue
            if item is None:  # YAML `key:` with no value means unset
                continue
            checked = self._node(child, item, full)
            if checked is not None:
                out[name] = checked
        return out

    def _map(self, node: MapOf, value, key: str):
        if not isinstance(value, dict):
            self.report(ERROR, key, f"expected a table, got {type_name(value)}")
            return None
        out = {}
        for name, item in value.items():
            name = str(name)
            full = f"{key}.{name}"
            name = self._map_key(node.key_kind, name, full, out)
            if name is None or item is None:
                continue
            checked = self._node(node.value, item, full)
            if checked is not None and node.key_kind == "header":
                checked = self._header_value(name, checked, full)
            if checked is not None:
                out[name] = checked
        return out

    def _header_value(self, name: str, value: str, key: str) -> str | None:
        problem = header_value_problem(name, value)
        if problem:
            self.report(ERROR, key, problem)
            return None
        return clean_header_value(value)

    def _map_key(self, kind: str, name: str, full: str, seen: dict) -> str | None:
        if kind == "header" and header_name_problem(name):
            self.report(ERROR, full, header_name_problem(name))
            return None
        if kind == "provider":
            return self._provider_key(name, full, seen)
        if kind == "model" and not name.strip():
            self.report(ERROR, full, "model names cannot be empty")
            return None
        if kind == "option":
            return self._option_key(name, full)
        return name

    def _option_key(self, name: str, full: str) -> str | None:
        from revka_cli.config.request_options import reserved_problem

        problem = "option names cannot be empty" if not name.strip() else reserved_problem(name)
        if problem:
            self.report(ERROR, full, problem)
            return None
        return name

    def _provider_key(self, name: str, full: str, seen: dict) -> str | None:
        custom = specs.split_custom(name)
        if custom:
            problem = url_problem(custom[1])
            if problem:
                self.report(ERROR, full, f"{name}: {problem}")
                return None
            return name
        spec = specs.find(name)
        canonical = spec.id if spec else name.lower()
        if spec is None and canonical != specs.DECLARED_CUSTOM:
            guess = specs.suggest(name)
            tip = f" (did you mean '{guess}'?)" if guess else ""
            self.report(ERROR, full, f"unknown provider '{name}'{tip}")
            return None
        if canonical == specs.DECLARED_CUSTOM:
            self.report(ERROR, full, "configure the declared custom provider under [models.custom]")
            return None
        if canonical in seen:
            self.report(ERROR, full, f"'{name}' repeats provider '{canonical}'")
            return None
        return canonical

    def _field(self, node: Field, value, key: str):
        kind = node.kind
        if kind in ("str", "url", "enum"):
            if not isinstance(value, str):
                self.report(ERROR, key, f"expected a string, got {type_name(value)}")
                return None
            return self._string(node, value, key)
        if kind == "bool":
            if not isinstance(value, bool):
                self.report(ERROR, key, f"expected true or false, got {type_name(value)}")
                return None
            return value
        if kind in ("int", "number"):
            return self._number(node, value, key)
        if kind == "any":
            return self._json_value(value, key)
        if kind == "str_list":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.report(ERROR, key, f"expected an array of strings, got {type_name(value)}")
                return None
            return tuple(value)
        return self._argv(value, key)

    def _string(self, node: Field, value: str, key: str):
        if node.kind == "url":
            problem = url_problem(value)
            if problem:
                shown = redact_url(value) if "://" in value else value  # never a password
                self.report(ERROR, key, f"{problem}: '{shown}'" if value else problem)
                return None
            return value.strip()
        if node.kind == "enum":
            low = value.strip().lower()
            if low not in node.choices:
                choices = ", ".join(node.choices)
                self.report(ERROR, key, f"expected one of {choices}; got '{value}'")
                return None
            return low
        if node.secret and any(not " " <= c <= "~" for c in value):
            self.report(ERROR, key, "the key holds a newline, a control character or a non-ASCII "
                        "character; it cannot be sent in an HTTP header")
            return None
        return value

    def _number(self, node: Field, value, key: str):
        ok = isinstance(value, int) if node.kind == "int" else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok:
            want = "an integer" if node.kind == "int" else "a number"
            self.report(ERROR, key, f"expected {want}, got {type_name(value)}")
            return None
        problem = number_problem(value)  # nan, inf
        if problem is None and node.clamp:
            low, high = node.clamp
            if not low <= value <= high:
                clamped = type(value)(min(max(value, low), high))
                self.report(WARNING, key, f"{shown(value)} is outside {low:g}-{high:g}; using {clamped}")
                return clamped
        problem = problem or number_problem(value, node.minimum, node.maximum)
        if problem:
            self.report(ERROR, key, problem)
            return None
        return value

    def _json_value(self, value, key: str):
        from revka_cli.config.request_options import value_problem

        problem = value_problem(value)
        if problem:
            self.report(ERROR, key, f"cannot be sent in a request: {problem}")
            return None
        return value

    def _argv(self, value, key: str):
        if isinstance(value, str):
            try:
                import shlex

                argv = shlex.split(value)
            except ValueError as exc:
                self.report(ERROR, key, f"cannot split the command: {exc}")
                return None
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            argv = list(value)
        else:
            self.report(ERROR, key, f"expected a command string or array, got {type_name(value)}")
            return None
        if not argv:
            self.report(ERROR, key, "the command is empty")
            return None
        return tuple(argv)
