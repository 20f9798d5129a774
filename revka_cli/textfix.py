"""Text from JSON that cannot be printed as it is: lone UTF-16 surrogates.

JSON may spell an emoji as two escapes (`\\ud83d\\ude00`), and a server may send the two halves in
separate events, or only one. Python keeps each half as a lone surrogate, which no UTF-8 writer
accepts (UnicodeEncodeError). `repair_surrogates` joins the pairs and turns every lone half into
U+FFFD; `SurrogateJoiner` does the same for text that arrives in pieces, holding back a high half
at a piece's end until the next piece says whether its low half follows.

Both cost nothing for ASCII text (`str.isascii()` is a flag check) and one C-speed regex scan for
other text.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
_REPLACEMENT = "\ufffd"


def has_surrogates(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def repair_surrogates(text: str) -> str:
    """`text` with surrogate pairs joined and lone surrogates replaced by U+FFFD."""
    if not has_surrogates(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def repair_json_text(text: str) -> str:
    """A JSON text (tool-call arguments) whose escapes may spell lone surrogates: re-encoded with
    them repaired; any other text is returned unchanged."""
    import json

    text = repair_surrogates(text)
    if "\\ud" not in text and "\\uD" not in text:
        return text
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return text
    encoded = json.dumps(value, ensure_ascii=False)
    return repair_surrogates(encoded) if has_surrogates(encoded) else text


class SurrogateJoiner:
    """Feed text pieces in order; get back printable text (see the module docstring)."""

    __slots__ = ("_held",)

    def __init__(self) -> None:
        self._held = ""  # a high surrogate that ended the previous piece

    def feed(self, text: str) -> str:
        if self._held:
            text, self._held = self._held + text, ""
        if not has_surrogates(text):
            return text
        if "\ud800" <= text[-1] <= "\udbff":
            text, self._held = text[:-1], text[-1]
        return repair_surrogates(text)

    def flush(self) -> str:
        """End of the text: a high half still held back never got its pair."""
        held, self._held = self._held, ""
        return _REPLACEMENT if held else ""
