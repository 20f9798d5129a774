"""What an extra HTTP header may hold, checked where headers enter: the config file and
REVKA_EXTRA_HEADERS. A header that passes is one httpx can send; messages never show a value
(it may be a secret, such as an Authorization header)."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_VALUE = re.compile(r"[\x20-\x7e\t]*")


def header_name_problem(name: str) -> str | None:
    if _TOKEN.fullmatch(name):
        return None
    return f"'{name}' is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)"


def header_value_problem(name: str, value: str) -> str | None:
    """Why `value` cannot be sent as header `name`, or None. Surrounding blanks are fine (they
    are stripped: see `clean_header_value`)."""
    if _VALUE.fullmatch(value):
        return None
    if value.isascii():
        return f"the value of header '{name}' holds a line break or another control character"
    return f"the value of header '{name}' holds a non-ASCII character; header values must be ASCII"


def clean_header_value(value: str) -> str:
    return value.strip(" \t")
