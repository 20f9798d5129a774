"""Move `<think>…</think>` blocks out of the answer text, even when tags split across chunks."""

from __future__ import annotations

OPEN, CLOSE = "<think>", "</think>"


class ThinkFilter:
    def __init__(self) -> None:
        self.inside = False
        self.pending = ""  # a possible partial tag held back from the last chunk

    def feed(self, text: str) -> tuple[str, str]:
        """Return (answer text, thinking text) for this chunk."""
        if not self.pending and not self.inside and "<" not in text:
            return text, ""
        text = self.pending + text
        self.pending = ""
        answer, thinking = [], []
        while text:
            tag = CLOSE if self.inside else OPEN
            at = text.find(tag)
            if at < 0:
                keep = _partial_suffix(text, tag)
                body, self.pending = (text[:-keep], text[-keep:]) if keep else (text, "")
                (thinking if self.inside else answer).append(body)
                break
            (thinking if self.inside else answer).append(text[:at])
            text = text[at + len(tag):]
            self.inside = not self.inside
        return "".join(answer), "".join(thinking)

    def flush(self) -> tuple[str, str]:
        rest, self.pending = self.pending, ""
        return ("", rest) if self.inside else (rest, "")


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of `text` that is a proper prefix of `tag`."""
    for n in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:n]):
            return n
    return 0
