"""OpenAI tool-call fragments, merged by index into whole calls (CHECKLIST 13-17).

`id` and `name` come once, `arguments` strings are concatenated; a call some servers send again
whole (same index and id/name) is kept once; missing arguments become "{}".
"""

from __future__ import annotations

import json

from revka_cli.providers.errors_map import MAX_ANSWER_CHARS, answer_too_long, is_json
from revka_cli.providers.events import Event, ToolCall


class ToolAccumulator:
    __slots__ = ("id", "name", "parts", "size", "emitted")

    def __init__(self) -> None:
        self.id: str | None = None
        self.name: str | None = None
        self.parts: list[str] = []
        self.size = 0  # characters in parts
        self.emitted = False


def merge_fragment(tools: dict[int, ToolAccumulator], fragment: dict) -> None:
    """Merge one `delta.tool_calls[]` fragment into the call with the same index."""
    function = fragment.get("function") if isinstance(fragment.get("function"), dict) else {}
    call_id, name = fragment.get("id"), function.get("name")
    call_id = call_id if isinstance(call_id, str) and call_id else None
    name = name if isinstance(name, str) and name else None
    index = _fragment_index(tools, fragment, call_id, name)
    acc = tools.get(index)
    if acc is None:
        acc = tools[index] = ToolAccumulator()
    resent = (call_id is not None and call_id == acc.id) or (name is not None and name == acc.name)
    acc.id = acc.id or call_id
    acc.name = acc.name or name
    arguments = function.get("arguments")
    if isinstance(arguments, (dict, list)):
        acc.parts = [json.dumps(arguments, ensure_ascii=False)]
    elif isinstance(arguments, str) and arguments:
        if resent and acc.parts and _restates(acc.parts, arguments):
            acc.parts = [arguments]  # the whole call sent again: keep one copy of the arguments
        else:
            acc.size += len(arguments)
            if acc.size > MAX_ANSWER_CHARS:
                raise answer_too_long()
            acc.parts.append(arguments)


def _fragment_index(tools: dict[int, ToolAccumulator], fragment: dict, call_id: str | None,
                    name: str | None) -> int:
    index = fragment.get("index")
    if isinstance(index, int) and not isinstance(index, bool):
        return index
    # no index (some servers): match by id, else a fragment with an id/name opens a new call
    for number, acc in tools.items():
        if call_id is not None and acc.id == call_id:
            return number
    if call_id is None and name is None and tools:
        return max(tools)
    return max(tools) + 1 if tools else 0


def _restates(parts: list[str], arguments: str) -> bool:
    """True when `arguments` is a whole JSON value following an already whole one (a resent call);
    cheap checks first, so servers that repeat the id on every fragment stay linear."""
    if arguments.lstrip()[:1] not in ("{", "[") or parts[-1].rstrip()[-1:] not in ("}", "]"):
        return False
    return is_json(arguments) and is_json("".join(parts))


def emit_tools(tools: dict[int, ToolAccumulator], choice: int, complete: bool) -> list[Event]:
    events: list[Event] = []
    for index, acc in sorted(tools.items()):
        if acc.emitted:
            continue
        acc.emitted = True
        arguments = "".join(acc.parts)
        if not arguments.strip():
            arguments = "{}"
        whole = complete and bool(acc.name) and is_json(arguments)
        events.append(ToolCall(index, acc.id, acc.name or "", arguments, whole, choice))
    return events
