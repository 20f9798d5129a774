"""What every wire protocol provides, and the one byte-stream pipeline they share.

A `WireProtocol` holds everything revka knows about one wire format: the URLs it appends to an
API root, its auth and version headers, the request-body builder, the stream decoder and parser
pair, the whole-body parser, the model-list parser and its 404 hint. Provider rows in
`revka_cli.specs` name a protocol; `revka_cli.providers.protocols.get` returns its object.
Callers ask the object; they never compare protocol names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from revka_cli.errors import StreamError
from revka_cli.providers.events import Event, TextDelta


class StreamReader:
    """A frame decoder and a protocol parser, paired: body bytes in, typed events out.

    `feed(chunk)` returns the events of every frame the chunk completed; `finish()` those left at
    EOF. Pure over bytes: no I/O, bounded buffers (the decoders cap one frame). A StreamError
    raised mid-chunk carries, in `events`, every event decoded before it, in order."""

    __slots__ = ("_decode", "_flush", "_parse", "_finish", "_parse_many")

    def __init__(self, decode: Callable[[bytes], list], flush: Callable[[], list],
                 parse: Callable[[object], list[Event]], finish: Callable[[], list[Event]],
                 parse_many: Callable[[list], list[Event] | None] | None = None) -> None:
        """`parse_many(frames)`, when given, parses the frames of one read at once (one JSON
        call), or returns None to have them parsed one by one."""
        self._decode, self._flush, self._parse, self._finish = decode, flush, parse, finish
        self._parse_many = parse_many

    def feed(self, chunk: bytes) -> list[Event]:
        frames = self._decode(chunk)
        if len(frames) == 1:
            return self._parse(frames[0])
        if self._parse_many is not None and frames:
            events = self._parse_many(frames)
            if events is not None:
                return events
        return parse_each(self._parse, frames)

    def finish(self) -> list[Event]:
        events = parse_each(self._parse, self._flush())
        try:
            events.extend(self._finish())
        except StreamError as error:
            error.events = events + error.events
            raise
        return events



def parse_each(parse: Callable[[object], list[Event]], frames: list) -> list[Event]:
    """The events of `frames`, parsed one by one. A StreamError carries, in `events`, every event
    before it."""
    events: list[Event] = []
    try:
        for frame in frames:
            events.extend(parse(frame))
    except StreamError as error:
        error.events = events + error.events
        raise
    return events


def batch_events(objs: list[dict], plain_texts: Callable[[Iterable[dict]], list[str] | None],
                 feed_object: Callable[[dict], list[Event]],
                 done: Callable[[], bool] = lambda: False,
                 first_plain: Callable[[], None] | None = None) -> list[Event]:
    """The events of the chunk objects one read completed (json_batch parsed them at once).
    `plain_texts(objs)` is the texts of chunks that each carry nothing else, or None when one
    carries more. A read of plain chunks only (most of a long answer) is one TextDelta, from one
    call; otherwise consecutive plain chunks become one TextDelta, any other chunk goes to
    `feed_object`, and `done()` ends the read. `first_plain()` is called once, before the first
    plain chunk is counted. A StreamError carries, in `events`, everything before it."""
    every = plain_texts(objs)
    if every is not None:
        if first_plain is not None and every:
            first_plain()
        text = "".join(every)
        return [TextDelta(text)] if text else []
    out: list[Event] = []
    texts: list[str] = []
    try:
        for obj in objs:
            plain = plain_texts((obj,))
            if plain is not None:
                if first_plain is not None:
                    first_plain()
                    first_plain = None
                if plain[0]:
                    texts.append(plain[0])
                continue
            if texts:
                out.append(TextDelta("".join(texts)))
                texts.clear()
            out.extend(feed_object(obj))
            if done():
                break
    except StreamError as error:
        if texts:
            out.append(TextDelta("".join(texts)))
        error.events = out + error.events
        raise
    if texts:
        out.append(TextDelta("".join(texts)))
    return out


def iter_events(reader: StreamReader, chunks: Iterable[bytes]) -> Iterator[Event]:
    """Every event of a whole byte stream. On a StreamError, first the events decoded before it,
    then the error (its `events` emptied)."""
    try:
        for chunk in chunks:
            yield from reader.feed(chunk)
        yield from reader.finish()
    except StreamError as error:
        events, error.events = error.events, []
        yield from events
        raise


class WireProtocol:
    """The interface each protocol object implements (see the module docstring)."""

    name = ""
    sends_key_to_loopback = True  # Ollama's local server takes no key: none is sent to it
    has_model_details = False  # a per-model details endpoint that gives the context window
    retries_without_think = False  # a server that may refuse the think flag: retry without it
    option_sources: dict[str, str] = {}  # body key -> the flag or setting revka fills it from

    def option_target(self, body: dict, key: str) -> dict:
        """The part of `body` an option named `key` goes in: the top level by default."""
        return body

    def with_options(self, body: dict, req) -> dict:
        """`body` with `req.options` (-o) and `req.default_options` (config tables) merged in."""
        if not req.options and not req.default_options:
            return body
        from revka_cli.providers.protocols.options import place_options

        return place_options(body, req.options, req.default_options, self.option_target,
                             self.option_sources)

    def check_request(self, req) -> None:
        """Refuse, before sending, a request this protocol cannot carry (a UsageError)."""

    def structured_result(self, result, req):
        """The ChatResult whose `text` is the structured answer to `req` (--schema,
        --json-object)."""
        return result

    def urls(self, base: str, api_path: str | None) -> tuple[str, str, str]:
        """(API root, chat URL, models URL) for a configured base URL."""
        raise NotImplementedError

    def accept(self, stream: bool) -> str:
        return "text/event-stream" if stream else "application/json"

    def auth_headers(self, key: str, source: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def version_headers(self) -> dict[str, str]:
        return {}

    def body(self, req) -> dict:
        raise NotImplementedError

    def stream_reader(self) -> StreamReader:
        raise NotImplementedError

    def parse_answer(self, obj: dict) -> list[Event]:
        """A whole (non-stream) JSON answer -> events."""
        raise NotImplementedError

    def parse_models(self, provider: str, obj: object) -> list:
        """A models-endpoint JSON body -> ModelInfo rows."""
        raise NotImplementedError

    def not_found_hint(self) -> str | None:
        """The hint for a 404 whose body does not name the model."""
        return None

    def serves(self, model: str, names: list[str]) -> bool:
        """Whether a model list that holds `names` serves `model` (the server's naming rules)."""
        return model in names

    def preflight(self, endpoint, model: str) -> None:
        """Protocol checks before anything is sent; raises a RevkaError."""

    def __repr__(self) -> str:
        return f"<{self.name} protocol>"

    def __str__(self) -> str:
        return self.name
