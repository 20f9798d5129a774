"""Fold one attempt's events into the answer, once per network read, and feed the sink.

Text and reasoning pass, batch by batch, through the think-tag filter, the loop detector and the
surrogate joiner (`textfix`), then reach the sink in one piece. The answer is bounded: past
MAX_ANSWER_CHARS characters of text, reasoning and tool-call arguments the attempt fails
(exit 1), with what was received so far kept.
"""

from __future__ import annotations

import time
from dataclasses import replace

from revka_cli.providers.errors_map import MAX_ANSWER_CHARS, answer_too_long
from revka_cli.providers.events import ChatResult, ReasoningDelta, TextDelta, ToolCall
from revka_cli.providers.loops import LoopDetector
from revka_cli.textfix import SurrogateJoiner, has_surrogates, repair_json_text, repair_surrogates
from revka_cli.providers.thinkfilter import ThinkFilter

LOOP_SLICE = 256  # a large batch is checked for loops in slices, so a loop stops early


class Assembler:
    """Collects events; once per network read (`drain`) it runs the batch's text through the
    think-tag filter and the loop detector and hands it to the sink in one piece."""

    def __init__(self, sink, stream, loop_detection: bool, timing) -> None:
        self.result = ChatResult()
        self.sink, self.stream, self.timing = sink, stream, timing
        self.think = ThinkFilter()
        self.loops = LoopDetector() if loop_detection else None
        self.output_started = False
        self.looped = False
        self.too_long = False  # past MAX_ANSWER_CHARS: nothing more is taken
        self._size = 0  # characters of text, reasoning and tool-call arguments so far
        self._text: list[str] = []  # the answer so far, joined once at the end
        self._reasoning: list[str] = []
        self._batch: list[str] = []  # text of the current network read
        self._batch_reasoning: list[str] = []
        self._text_pairs, self._reasoning_pairs = SurrogateJoiner(), SurrogateJoiner()

    def _first(self) -> None:
        if self.timing.first_token is None:
            self.timing.first_token = time.monotonic()
            if self.stream is not None:
                self.stream.mark_token()

    def apply(self, event) -> None:
        if self.looped or self.too_long or getattr(event, "choice", 0) != 0:
            return
        kind = type(event)
        if kind is TextDelta:
            self._batch.append(event.text)
        elif kind is ReasoningDelta:
            self._batch_reasoning.append(event.text)
        else:
            if kind is ToolCall:
                self._spend(len(event.arguments))
                event = _printable_call(event)
                self._first()
            self.result.apply(event)

    def drain(self) -> None:
        """Process what the last network read produced."""
        if self.too_long:
            self._batch.clear()
            self._batch_reasoning.clear()
            return
        if self._batch_reasoning:
            self._emit_reasoning(self._reasoning_pairs.feed("".join(self._batch_reasoning)))
            self._batch_reasoning.clear()
        if self._batch and not self.looped:
            text = "".join(self._batch) if len(self._batch) > 1 else self._batch[0]
            self._batch.clear()
            self._feed_text(self._text_pairs.feed(text))
        self._batch.clear()

    def _feed_text(self, text: str) -> None:
        answer, thinking = self.think.feed(text)
        if thinking:
            self._emit_reasoning(thinking)
        if answer:
            self._emit_answer(answer)

    def _spend(self, size: int) -> None:
        self._size += size
        if self._size > MAX_ANSWER_CHARS and not self.too_long:
            self.too_long = True
            raise answer_too_long()

    def _emit_reasoning(self, text: str) -> None:
        if not text:
            return
        self._spend(len(text))
        self._first()
        self._reasoning.append(text)
        self.sink.reasoning(text)

    def _emit_answer(self, answer: str) -> None:
        self._spend(len(answer))
        if self.loops is not None:
            for start in range(0, len(answer), LOOP_SLICE):
                if self.loops.feed(answer[start:start + LOOP_SLICE]):
                    answer, self.looped = answer[:start + LOOP_SLICE], True
                    break
        self._first()
        self.output_started = True
        self._text.append(answer)
        self.sink.text(answer)

    def close(self) -> ChatResult:
        """Flush everything held back and fill in the result's text and reasoning."""
        self.drain()
        if not self.too_long:
            self._emit_reasoning(self._reasoning_pairs.flush())
            if not self.looped:
                self._feed_text(self._text_pairs.flush())
            answer, thinking = self.think.flush()
            if thinking:
                self._emit_reasoning(thinking)
            if answer and not self.looped:
                self._emit_answer(answer)
        self.result.text = "".join(self._text)
        self._text = [self.result.text]  # one copy of a long answer, not two
        self.result.reasoning = "".join(self._reasoning)
        return self.result


def _printable_call(call: ToolCall) -> ToolCall:
    """A tool call whose name, id or arguments spell lone surrogates, repaired (rare: JSON text)."""
    if not (has_surrogates(call.name) or has_surrogates(call.id or "") or "\\ud" in call.arguments.lower()):
        return call
    return replace(call, name=repair_surrogates(call.name), id=call.id and repair_surrogates(call.id),
                   arguments=repair_json_text(call.arguments))
