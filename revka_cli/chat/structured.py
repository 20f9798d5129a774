"""Structured output on the client: load a `--schema` (a file or inline JSON, itself checked),
and check an answer against it (or, for `--json-object`, that it is a JSON object).

`jsonschema` is imported only here, and only when a schema is used (start-up stays light).
"""

from __future__ import annotations

import json
from pathlib import Path

from revka_cli.errors import AnswerMismatch, UsageError

MAX_SHOWN = 160  # characters of a validation message quoted in the error line
_FENCE = "```"


def load_schema(text: str) -> dict:
    """The JSON Schema in `text`: inline JSON when it starts with `{` (or `[`), else a file."""
    inline = text.lstrip()[:1] in ("{", "[")
    where = "the inline --schema" if inline else f"schema file {text}"
    raw = text if inline else _read(text)
    try:
        schema = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                         f"{exc.msg})", "fix the JSON") from None
    if not isinstance(schema, dict):
        raise UsageError(f"{where} must be a JSON object (a JSON Schema)",
                         'pass a JSON Schema object, e.g. {"type": "object", "properties": {...}}')
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        raise UsageError(f"{where} is not a valid JSON Schema at {shown_pointer(exc.path)}: "
                         f"{_short(exc.message)}", "see https://json-schema.org for the "
                         "keywords") from None
    return schema


def _read(path: str) -> str:
    try:
        return Path(path).expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"schema file not found: {path}", "pass a JSON Schema file, or inline "
                         "JSON starting with {") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"schema file {path} cannot be read ({exc})", "check the file") from None


def json_pointer(path) -> str:
    """RFC 6901: "" for the whole document, else /a/0/b with ~ and / escaped."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def shown_pointer(path) -> str:
    pointer = json_pointer(path)
    return pointer if pointer else '"" (the top level)'


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def unfenced(text: str) -> str:
    """The answer without one Markdown code fence around all of it (```json ... ```)."""
    body = text.strip()
    if not (body.startswith(_FENCE) and body.endswith(_FENCE) and len(body) > 2 * len(_FENCE)):
        return body
    inner = body[len(_FENCE):-len(_FENCE)]
    tag, newline, rest = inner.partition("\n")
    if newline and (not tag.strip() or tag.strip().isalnum()):
        inner = rest
    return inner.strip()


def check_answer(text: str, schema: dict | None) -> object:
    """The parsed answer, or AnswerMismatch. `schema` None: any JSON object (--json-object)."""
    body = unfenced(text)
    if not body:
        raise AnswerMismatch("the answer is empty, not JSON", raw=text)
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        raise AnswerMismatch(f"the answer is not JSON (line {exc.lineno}, column {exc.colno}: "
                             f"{exc.msg})", raw=text) from None
    if schema is None:
        if not isinstance(value, dict):
            raise AnswerMismatch(f"the answer is JSON but not an object (--json-object): it is "
                                 f"{type(value).__name__}", raw=text, pointer="")
        return value
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for

    error = best_match(validator_for(schema)(schema).iter_errors(value))
    if error is not None:
        pointer = json_pointer(error.absolute_path)
        raise AnswerMismatch(f"the answer does not match the schema at "
                             f"{shown_pointer(error.absolute_path)}: {_short(error.message)}",
                             raw=text, pointer=pointer)
    return value
