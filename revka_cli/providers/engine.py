"""Run one chat attempt against one endpoint: send, decode, assemble, and feed a sink.

Everything the sink received stays received: on any failure the partial `ChatResult` is attached
to the raised error as `.partial`, and `.output_started` says whether any answer reached the sink.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Protocol

from revka_cli.errors import Interrupted, NotFoundError, ProviderError, RevkaError, StreamError
from revka_cli.providers.endpoint import Endpoint
from revka_cli.providers.assembler import Assembler
from revka_cli.providers.events import ChatResult, Done
from revka_cli.providers.request import ChatRequest
from revka_cli.transport.http import HttpClient
from revka_cli.transport.answers import check_status, read_body
from revka_cli.transport.policy import Timeouts

_CAPABILITY_REFUSALS = (b"not supported", b"does not support", b"unsupported")


def is_capability_refusal(body: bytes) -> bool:
    """A 5xx that says the model lacks a capability: retrying cannot help."""
    low = body[:4096].lower()
    return any(phrase in low for phrase in _CAPABILITY_REFUSALS)


STRUCTURED_HINT = ("the server may not support structured output (response_format json_schema, "
                   "Ollama format): try --json-object, or see README 'Structured output' for "
                   "the servers that enforce schemas")


def _explain_refusal(exc: RevkaError, req: ChatRequest) -> RevkaError:
    if req.structured and type(exc) is ProviderError:  # a 4xx: maybe the schema was refused
        exc.hint = STRUCTURED_HINT
        return exc
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



def _parse_whole(wire, body: bytes):
    from revka_cli.providers.errors_map import check_json_values

    check_json_values(body)
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
        from revka_cli.textfix import repair_surrogates

        message = repair_surrogates(message_from_json(obj))
        raise ProviderError(f"the server answered with an error: {message}")
    return wire.parse_answer(obj)


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
    wire = endpoint.wire
    body = wire.body(req)
    assembler = Assembler(sink, None, loop_detection, timing)
    try:
        stream = client.open_stream("POST", endpoint.chat_url, endpoint.headers, body, timeouts,
                                    permanent=is_capability_refusal)
        assembler.stream = stream
        try:
            try:
                check_status(stream, extract)
            except RevkaError as exc:
                raise reclassify(exc, seen.get("body", b""), exc.server_message or "") from None
        except NotFoundError as exc:
            exc.hint = not_found_hint(exc.message, wire) or exc.hint
            raise
        except RevkaError as exc:
            raise _explain_refusal(exc, req) from None
        ctype = _check_content_type(stream)
        if req.stream and "application/json" not in ctype:
            _consume_stream(wire.stream_reader(), stream, assembler, sink)
        else:
            for event in _parse_whole(wire, read_body(stream)):
                assembler.apply(event)
        assembler.close()
        if assembler.looped:
            assembler.result.finish_reason = "loop_detected"
    except (RevkaError, KeyboardInterrupt) as caught:  # Ctrl-C keeps the partial answer too
        exc = caught if isinstance(caught, RevkaError) else Interrupted("interrupted")
        assembler.close()
        sink.flush()
        exc.partial, exc.timing = assembler.result, timing
        exc.output_started = assembler.output_started
        explained = explain_failure(exc)
        if explained is caught:
            raise
        raise explained from None
    finally:
        timing.finished = time.monotonic()
    sink.flush()
    return assembler.result, timing


STREAM_GC_THRESHOLD = 20_000  # live containers allocated between two young collections


def roomy_gc() -> None:
    """Raise CPython's young-generation threshold (700 by default) for the rest of the process.

    One read of a long stream parses into one to two thousand live dicts and lists at once, so
    at 700 nearly every read triggers a collection that finds nothing: JSON makes no cycles, and
    refcounting frees each read's objects. At 20,000 a 50,000-chunk stream runs none, and cyclic
    garbage, should any pile up, is still collected once 20,000 containers outlive their read.
    Raised once and never lowered, so concurrent streams (batch) need no bookkeeping."""
    import gc

    threshold = gc.get_threshold()
    if threshold[0] and threshold[0] < STREAM_GC_THRESHOLD:
        gc.set_threshold(STREAM_GC_THRESHOLD, *threshold[1:])


def _consume_stream(reader, stream, assembler: Assembler, sink: Sink) -> None:
    roomy_gc()
    try:
        try:
            for chunk in stream.iter_bytes():
                for event in reader.feed(chunk):
                    assembler.apply(event)
                assembler.drain()
                sink.flush()
                if assembler.looped:
                    sink.warn("stopped the stream: the model kept repeating the same text "
                              "(set [pacing] loop_detection = false to allow it)")
                    return
            for event in reader.finish():
                assembler.apply(event)
        except StreamError as exc:
            for event in exc.events:
                assembler.apply(event)
            exc.events = []
            raise
    finally:
        stream.close()


__all__ = ["run_attempt", "Sink", "Timing", "Done"]
