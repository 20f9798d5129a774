"""The options record each command receives, built in one place from the command spec.

Both parsers (the Typer app and the fast path) end in `build_options(path, values)`: a record with
one attribute per option and argument of the command (the spec's `field`), defaults filled in. The
record classes are made from the spec, so a new spec entry is a new attribute everywhere at once.
`api_key` is hidden from repr (a secret).
"""

from __future__ import annotations

import os

from revka_cli.records import Factory, Record

_CLASSES: dict = {}
_SECRET_FIELDS = ("api_key",)


def _default(param):
    if getattr(param, "type", None) == "list":
        return Factory(list)  # a list option not given is an empty list, in both parsers
    return getattr(param, "default", None)


def record_class(path: str):
    """The options record class of command `path` ("chat", "models list", ...)."""
    cls = _CLASSES.get(path)
    if cls is None:
        from revka_cli.cli.surface.spec import BY_PATH

        cmd = BY_PATH[path]
        params = [*cmd.options, *cmd.args]
        body = {"__annotations__": {p.field: "object" for p in params},
                "_repr_hidden": tuple(f for f in _SECRET_FIELDS if any(p.field == f for p in params))}
        body.update({p.field: _default(p) for p in params})
        name = "".join(w.capitalize() for w in (path or "global").split()) + "Options"
        cls = _CLASSES[path] = type(name, (Record,), body, frozen=False)
    return cls


def build_options(path: str, values: dict, environ=None):
    """The options record of `path` from the values a parser found. A flag not given is set by
    its spec `env` variable (any value but empty or 0); anything else missing is its default."""
    from revka_cli.cli.surface.spec import BY_PATH

    environ = os.environ if environ is None else environ
    cls = record_class(path)
    given = {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in values.items()
             if k in cls._fields}
    for opt in BY_PATH[path].options:
        if opt.type == "list" and given.get(opt.field) is None:
            given.pop(opt.field, None)
        elif opt.type == "flag" and opt.env and not given.get(opt.field) \
                and environ.get(opt.env, "") not in ("", "0"):
            given[opt.field] = True
    return cls(**given)


def request_fields(path: str) -> dict[str, str]:
    """{option field: ChatRequest field} for the options whose spec says `fills="request.<name>"`."""
    from revka_cli.cli.surface.spec import BY_PATH

    return {o.field: o.fills.split(".", 1)[1] for o in BY_PATH[path].options
            if o.fills.startswith("request.")}
