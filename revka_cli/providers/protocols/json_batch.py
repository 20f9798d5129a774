"""One JSON parse per network read: the stream chunks a read completed, parsed as one array.

A long answer arrives as thousands of small JSON objects, several per network read; parsing
them as one JSON array costs one call instead of one per chunk. The standard library parses the
first ORJSON_AFTER chunks; past that, orjson takes over when it is installed: about 1 µs less per
chunk, which repays its ~6 ms import only on long streams, so a short answer never imports it. The batch is all or
nothing: when it does not parse into exactly one object per chunk (a malformed chunk, a lone
surrogate escape, NaN, an integer past 64 bits), the caller parses chunk by chunk as before, so
errors, and which chunk they name, do not change.
"""

from __future__ import annotations

from collections.abc import Callable

MAX_BATCH_CHARS = 1024 * 1024  # larger reads go chunk by chunk (with the JSON-size guard)
ORJSON_AFTER = 5000  # chunks parsed with json before orjson is worth importing

_parsed = 0
_fast = None


def _stdlib_loads(text):
    from json import loads

    return loads(text)


def _loader():
    global _fast
    if _fast is None:
        if _parsed < ORJSON_AFTER:
            return _stdlib_loads
        try:
            from orjson import loads as fast
        except ImportError:  # an optional speed-up: json parses the same text
            fast = _stdlib_loads
        _fast = fast
    return _fast


class JSONRun:
    """The frames one read completed, when each is one JSON object text on its own (SSE: every
    event a single `data: {...}` line; NDJSON: every line an object): `array` is their JSON array
    text, built by the decoder with one bytes.replace instead of one frame object each.
    `frames()` gives them one by one, as the decoder would have, for when `array` does not parse
    into exactly `count` objects (see loads_array)."""

    __slots__ = ("array", "count", "frames")

    def __init__(self, array: bytes, count: int, frames: Callable[[], list]) -> None:
        self.array, self.count, self.frames = array, count, frames


def loads_objects(texts: list) -> list[dict] | None:
    """Each of `texts` (JSON object texts, all str or all UTF-8 bytes) parsed, in order; None
    when the batch cannot stand for them one to one."""
    size = sum(map(len, texts)) + len(texts) + 1
    if size > MAX_BATCH_CHARS:
        return None
    if type(texts[0]) is bytes:
        return loads_array(b"[" + b",".join(texts) + b"]", len(texts))
    return loads_array("[" + ",".join(texts) + "]", len(texts))


def loads_array(array: bytes | str, count: int) -> list[dict] | None:
    """`array`, the JSON array text of `count` object texts joined by commas, parsed; None when
    it does not parse into exactly `count` objects. Bytes must be strict UTF-8 (no encoded
    surrogates: those are U+FFFD one by one)."""
    if len(array) > MAX_BATCH_CHARS:
        return None
    loads = _loader()
    try:
        if type(array) is bytes and loads is _stdlib_loads:
            array = array.decode("utf-8")  # json.loads(bytes) would let surrogates through
        objs = loads(array)
    except (ValueError, RecursionError, TypeError):
        return None
    if type(objs) is not list or len(objs) != count:
        return None
    global _parsed
    _parsed += count
    for obj in objs:
        if type(obj) is not dict:
            return None
    return objs
