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

MAX_BATCH_CHARS = 1024 * 1024  # larger reads go chunk by chunk (with the JSON-size guard)
ORJSON_AFTER = 5000  # chunks parsed with json before orjson is worth importing

_parsed = 0
_fast = None


def _loader():
    global _fast
    if _fast is None:
        if _parsed < ORJSON_AFTER:
            from json import loads

            return loads
        try:
            from orjson import loads as fast
        except ImportError:  # an optional speed-up: json parses the same text
            from json import loads as fast
        _fast = fast
    return _fast


def loads_objects(texts: list) -> list[dict] | None:
    """Each of `texts` (JSON object texts, all str or all UTF-8 bytes) parsed, in order; None
    when the batch cannot stand for them one to one."""
    size = sum(map(len, texts)) + len(texts) + 1
    if size > MAX_BATCH_CHARS:
        return None
    try:
        if type(texts[0]) is bytes:
            objs = _loader()(b"[" + b",".join(texts) + b"]")
        else:
            objs = _loader()("[" + ",".join(texts) + "]")
    except (ValueError, RecursionError, TypeError):
        return None
    if type(objs) is not list or len(objs) != len(texts):
        return None
    global _parsed
    _parsed += len(objs)
    for obj in objs:
        if type(obj) is not dict:
            return None
    return objs
