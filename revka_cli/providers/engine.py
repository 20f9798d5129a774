"""Run one chat attempt against one endpoint: send, decode, assemble, and feed a sink.

Everything the sink received stays received: on any failure the partial `ChatResult` is attached
to the raised error as `.partial`, and `.output_started` says whether any answer reached the sink.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Protocol

from revka_cli import specs
from revka_cli.errors import NotFoundError, ProviderError, RevkaError, StreamError
from revka_cli.providers.endpoint import Endpoint
from revka_cli.providers.events import ChatResult, Done, ReasoningDelta, TextDelta, ToolCall
from revka_cli.providers.loops import LoopDetector
from revka_cli.providers.request import ChatRequest, request_body
from revka_cli.providers.thinkfilter import ThinkFilter
from revka_cli.transport.http import HttpClient, check_status, read_body
from revka_cli.transport.policy import Timeouts

_CAPABILITY_REFUSALS = (b"not supported", b"does not support", b"unsupported")


def is_capability_refusal(body: bytes) -> bool:
    """A 5xx that says the model lacks a capability: retrying cannot help."""
    low = body[:4096].lower()
    return any(phrase in low for phrase in _CAPABILITY_REFUSALS)


def _explain_refusal(exc: RevkaError, req: ChatRequest) -> RevkaError:
    low = exc.message.lower()
    if not any(p.decode() in low for p in _CAPABILITY_REFUSALS):
        return exc
    if req.images and "image" in low:
        return ProviderError(f"the model does not accept images: {exc.message}",
                             "use a vision model (llama-server needs --mmproj), or drop the image")
    if req.tools and "tool" in low:
        return ProviderError(f"the model does not accept tools: {exc.message}",
                             "use an instruction-tuned (-it/-Instruct) model that supports tools")
    return ProviderError(exc.message, "the model or server lacks this feature; check its docs")


class Sink(Protocol):
    def text(self, text: str) -> None: ...
    def reasoning(self, text: str) -> None: ...
    def flush(self) -> None: ...
    def warn(self, message: str) -> None: ...


@dataclass
class Timing:
    started: float = field(default_factory=time.monotonic)
    first_token: float | None = None
    finished: float | None = None

    def as_dict(self) -> dict:
        ttft = None if self.first_token is None else round(self.first_token - self.started, 4)
        total = None if self.finished is None else round(self.finished - self.started, 4)
        return {"first_token_s": ttft, "total_s": total}


LOOP_SLICE = 256  # a large batch is checked for loops in slices, so a loop stops early


class _Assembler:
    """Collects events; once per network read (`drain`) it runs the batch's text through the
    think-tag filter and the loop detector and hands it to the sink in one piece."""

    def __init__(self, sink: Sink, stream, loop_detection: bool, timing: Timing) -> None:
        self.result = ChatResult()
        self.sink, self.stream, self.timing = sink, stream, timing
        self.think = ThinkFilter()
        self.loops = LoopDetector() if loop_detection else None
        self.output_started = False
        self.looped = False
        self._text: list[str] = []  # the answer so far, joined once at the end
        self._reasoning: list[str] = []
        self._batch: list[str] = []  # text of the current network read
        self._batch_reasoning: list[str] = []

    def _first(self) -> None:
        if self.timing.first_token is None:
            self.timing.first_token = time.monotonic()
            if self.stream is not None:
                self.stream.mark_token()

    def apply(self, event) -> None:
        if self.looped or getattr(event, "choice", 0) != 0:
            return
        kind = type(event)
        if kind is TextDelta:
            self._batch.append(event.text)
        elif kind is ReasoningDelta:
            self._batch_reasoning.append(event.text)
        else:
            if kind is ToolCall:
                self._first()
            self.result.apply(event)

    def drain(self) -> None:
        """Process what the last network read produced."""
        if self._batch_reasoning:
            self._emit_reasoning("".join(self._batch_reasoning))
            self._batch_reasoning.clear()
        if self._batch and not self.looped:
            text = "".join(self._batch) if len(self._batch) > 1 else self._batch[0]
            self._batch.clear()
            answer, thinking = self.think.feed(text)
            if thinking:
                self._emit_reasoning(thinking)
            if answer:
                self._emit_answer(answer)
        self._batch.clear()

    def _emit_reasoning(self, text: str) -> None:
        self._first()
        self._reasoning.append(text)
        self.sink.reasoning(text)

    def _emit_answer(self, answer: str) -> None:
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
        answer, thinking = self.think.flush()
        if thinking:
            self._emit_reasoning(thinking)
        if answer and not self.looped:
            self._emit_answer(answer)
        self.result.text = "".join(self._text)
        self.result.reasoning = "".join(self._reasoning)
        return self.result


def _parser_for(protocol: str):
    if protocol == specs.OLLAMA:
        from revka_cli.providers.ndjson import NDJSONDecoder
        from revka_cli.providers.ollama_stream import OllamaStreamParser

        dec, parser = NDJSONDecoder(), OllamaStreamParser()
        return dec.feed, dec.flush, parser.feed_line, parser.finish
    from revka_cli.providers.sse import SSEDecoder

    dec = SSEDecoder()
    if protocol == specs.ANTHROPIC:
        from revka_cli.providers.anthropic_stream import AnthropicStreamParser

        parser = AnthropicStreamParser()
    else:
        from revka_cli.providers.openai_stream import OpenAIStreamParser

        parser = OpenAIStreamParser()
    return dec.feed, dec.flush, parser.feed_event, parser.finish


def _parse_whole(protocol: str, body: bytes):
    try:
        obj = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ProviderError(f"the server's answer is not JSON: {_preview(body)}",
                            "check that the URL is the API root (ending in /v1 for OpenAI-compatible "
                            "servers)") from None
    if not isinstance(obj, dict):
        raise ProviderError("the server's answer is not a JSON object")
    if "error" in obj and not any(k in obj for k in ("choices", "content", "message")):
        from revka_cli.providers.error_bodies import message_from_json

        raise ProviderError(f"the server answered with an error: {message_from_json(obj)}")
    if protocol == specs.OLLAMA:
        from revka_cli.providers.ollama_stream import parse_ollama_response as parse
    elif protocol == specs.ANTHROPIC:
        from revka_cli.providers.anthropic_stream import parse_anthropic_response as parse
    else:
        from revka_cli.providers.openai_stream import parse_openai_response as parse
    return parse(obj)


def _preview(body: bytes) -> str:
    text = " ".join(body[:200].decode("utf-8", "replace").split())
    return repr(text[:80]) if text else "(empty body)"


def _check_content_type(stream) -> str:
    ctype = (stream.response.headers.get("content-type") or "").lower()
    if "text/html" in ctype:
        from revka_cli.urls import redact_url

        stream.close()
        url = redact_url(str(stream.response.request.url))
        raise ProviderError(f"the server answered HTML, not an API response, at {url}",
                            "use the API root (for OpenAI-compatible servers it ends in /v1)")
    return ctype


def run_attempt(endpoint: Endpoint, req: ChatRequest, client: HttpClient, sink: Sink, *,
                timeouts: Timeouts, loop_detection: bool = True) -> tuple[ChatResult, Timing]:
    """One request to one endpoint. Raises a RevkaError with `.partial` and `.output_started`."""
    from revka_cli.providers.error_bodies import error_message
    from revka_cli.providers.gateway_errors import explain_failure, not_found_hint, reclassify

    seen: dict[str, bytes] = {}

    def extract(raw: bytes, content_type: str | None) -> str:
        seen["body"] = raw
        return error_message(raw, content_type)

    timing = Timing()
    body = request_body(endpoint.protocol, req)
    assembler = _Assembler(sink, None, loop_detection, timing)
    try:
        headers = endpoint.headers if req.stream else {  # --no-stream: no SSE asked for
            k: "application/json" if v == "text/event-stream" else v for k, v in endpoint.headers.items()}
        stream = client.open_stream("POST", endpoint.chat_url, headers, body, timeouts,
                                    permanent=is_capability_refusal)
        assembler.stream = stream
        try:
            try:
                check_status(stream, extract)
            except RevkaError as exc:
                raise reclassify(exc, seen.get("body", b""), exc.server_message or "") from None
        except NotFoundError as exc:
            exc.hint = not_found_hint(exc.message, endpoint.protocol) or exc.hint
            raise
        except RevkaError as exc:
            raise _explain_refusal(exc, req) from None
        ctype = _check_content_type(stream)
        if req.stream and "application/json" not in ctype:
            _consume_stream(endpoint.protocol, stream, assembler, sink)
        else:
            for event in _parse_whole(endpoint.protocol, read_body(stream)):
                assembler.apply(event)
        assembler.close()
        if assembler.looped:
            assembler.result.finish_reason = "loop_detected"
    except RevkaError as exc:
        assembler.close()
        sink.flush()
        exc.partial, exc.timing = assembler.result, timing
        exc.output_started = assembler.output_started
        raise explain_failure(exc) from None
    finally:
        timing.finished = time.monotonic()
    sink.flush()
    return assembler.result, timing


def _consume_stream(protocol: str, stream, assembler: _Assembler, sink: Sink) -> None:
    from revka_cli.providers.errors_map import pending_events

    decode, flush, parse, finish = _parser_for(protocol)
    try:
        try:
            for chunk in stream.iter_bytes():
                for frame in decode(chunk):
                    for event in parse(frame):
                        assembler.apply(event)
                assembler.drain()
                sink.flush()
                if assembler.looped:
                    sink.warn("stopped the stream: the model kept repeating the same text "
                              "(set [pacing] loop_detection = false to allow it)")
                    return
            for frame in flush():
                for event in parse(frame):
                    assembler.apply(event)
            for event in finish():
                assembler.apply(event)
        except StreamError as exc:
            for event in pending_events(exc):
                assembler.apply(event)
            exc.events = []
            raise
    finally:
        stream.close()


__all__ = ["run_attempt", "Sink", "Timing", "Done"]
