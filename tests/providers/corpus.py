"""Load conformance transcripts (tests/fixtures/conformance) and run them through decoders + parsers.

A transcript is '#' header lines (source, notes, EXPECTED assembled result), a line "#---", then
the body bytes exactly as the server sent them.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from revka_cli.errors import StreamError
from revka_cli.providers.protocols.anthropic_stream import AnthropicStreamParser
from revka_cli.providers.events import ChatResult, TextDelta, Usage
from revka_cli.providers.protocols.ndjson import NDJSONDecoder
from revka_cli.providers.protocols.ollama_stream import OllamaStreamParser
from revka_cli.providers.protocols.openai_stream import OpenAIStreamParser
from revka_cli.providers.protocols.base import StreamReader, iter_events
from revka_cli.providers.protocols.sse import SSEDecoder

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "conformance"
TRANSCRIPTS = CORPUS / "transcripts"
_STATUS = re.compile(r"^# RESPONSE: (?:HTTP(?:/[\d.]+)? )?(\d{3})|^# EXPECTED: HTTP (\d{3})", re.MULTILINE)


@dataclass
class Transcript:
    path: Path
    header: str
    body: bytes
    expected: dict[str, object] = field(default_factory=dict)  # "key = value" pairs of EXPECTED lines
    expected_text: str = ""  # every EXPECTED line, verbatim (for free-text expectations)

    @property
    def kind(self) -> str:  # openai | anthropic | ollama | sse_framing
        return self.path.parent.name

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def status(self) -> int | None:
        """The HTTP status the header records (only error-body files record a non-200 one)."""
        match = _STATUS.search(self.header)
        return int(match.group(1) or match.group(2)) if match else None


def all_transcripts() -> list[Path]:
    return sorted(TRANSCRIPTS.glob("*/*.txt"))


def load(path: Path) -> Transcript:
    raw = path.read_bytes()
    head, sep, body = raw.partition(b"\n#---\n")
    assert sep, f"{path.name}: no '#---' separator"
    header = head.decode("utf-8")
    expected_lines = _expected_lines(header.splitlines())
    transcript = Transcript(path, header, body, expected_text="\n".join(expected_lines))
    for line in expected_lines:
        transcript.expected.update(parse_pairs(line))
    return transcript


def _expected_lines(lines: list[str]) -> list[str]:
    """The '# EXPECTED...' lines and the indented '#   ' lines that continue them."""
    out: list[str] = []
    inside = False
    for line in lines:
        if line.startswith("# EXPECTED"):
            inside = True
            out.append(line[2:])
        elif inside and line.startswith("#   "):
            out.append(line[4:])
        else:
            inside = False
    return out


def parse_pairs(line: str) -> dict[str, object]:
    """'a = <json>; b c = True' -> {"a": ..., "b c": True}. Keys lose a trailing '(...)' gloss.
    Returns {} for a line that is not made of such pairs."""
    decoder = json.JSONDecoder()
    pairs: dict[str, object] = {}
    rest = line.strip()
    while rest:
        key, sep, rest = rest.partition(" = ")
        if not sep or key.startswith("EXPECTED"):
            return {}
        key = re.sub(r"\s*\(.*\)$", "", key.strip())
        for word, value in (("True", True), ("False", False), ("null", None)):
            if re.match(word + r"(;|$)", rest):
                pairs[key], rest = value, rest[len(word):]
                break
        else:
            try:
                pairs[key], end = decoder.raw_decode(rest)
            except ValueError:
                return {}
            rest = rest[end:]
        rest = rest.lstrip()
        if rest and not rest.startswith(";"):
            return {}
        rest = rest[1:].strip()
    return pairs


def chunkings(body: bytes, seed: int = 1234) -> dict[str, list[bytes]]:
    """The same body split several ways: whole, 1-byte pieces, random sizes (fixed seed)."""
    rng = random.Random(seed)
    pieces: list[bytes] = []
    position = 0
    while position < len(body):
        size = rng.choice((1, 2, 3, 5, 7, 13, 64, 200, 1024))
        pieces.append(body[position:position + size])
        position += size
    return {"whole": [body], "bytes": [body[i:i + 1] for i in range(len(body))], "random": pieces}


@dataclass
class Outcome:
    events: list = field(default_factory=list)
    error: StreamError | None = None
    parser: object = None

    def choice(self, index: int = 0) -> ChatResult:
        result = ChatResult(choice=index)
        for event in self.events:
            result.apply(event)
        return result

    @property
    def usage(self) -> Usage | None:
        usages = [e for e in self.events if isinstance(e, Usage)]
        return usages[-1] if usages else None


def run(kind: str, chunks: list[bytes], production: bool = False) -> Outcome:
    """Feed chunks through the decoder and parser of `kind`, keeping events and the error: one
    frame and one parse at a time, or (`production`) through the protocol's own reader, with
    JSON runs and one parse per read."""
    if production:
        from revka_cli.providers import protocols

        parser_reader = protocols.get(kind).stream_reader()
        return _outcome(parser_reader, chunks, Outcome())
    if kind == "ollama":
        decoder, parser = NDJSONDecoder(), OllamaStreamParser()
        parse = parser.feed_line
    else:
        decoder = SSEDecoder()
        parser = OpenAIStreamParser() if kind == "openai" else AnthropicStreamParser()
        parse = parser.feed_event
    reader = StreamReader(decoder.feed, decoder.flush, parse, parser.finish)
    return _outcome(reader, chunks, Outcome(parser=parser))


def _outcome(reader: StreamReader, chunks: list[bytes], outcome: Outcome) -> Outcome:
    try:
        for event in iter_events(reader, chunks):
            outcome.events.append(event)
    except StreamError as error:
        outcome.error = error
    return outcome


def joined_text(events: list) -> list:
    """`events` with consecutive TextDeltas of one choice joined (as one parse per read joins
    the plain chunks it read), so both readers' events can be compared."""
    out: list = []
    for event in events:
        if type(event) is TextDelta and out and type(out[-1]) is TextDelta \
                and out[-1].choice == event.choice:
            out[-1] = TextDelta(out[-1].text + event.text, event.choice)
        else:
            out.append(event)
    return out


def sse_events(chunks: list[bytes]) -> list:
    decoder = SSEDecoder()
    events = [e for chunk in chunks for e in decoder.feed(chunk)]
    return events + decoder.flush()
