"""Decode a body's Content-Encoding in bounded pieces, so a small compressed body can never
inflate all at once (a 254 KiB gzip body can hold a 256 MiB line).

httpx's own decoders inflate each network read in full; here every read is inflated at most
`PIECE` bytes at a time, and the caller (a frame decoder with a size cap) can stop after any piece.
Encodings revka does not ask for (it sends `Accept-Encoding: gzip, deflate`) pass through as they
are, as httpx does for encodings it cannot decode.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator

PIECE = 1024 * 1024  # most decoded bytes produced per step
ACCEPT_ENCODING = "gzip, deflate"

Decoder = Callable[[bytes], Iterator[bytes]]


class BodyDecodeError(Exception):
    """The body does not decode as its Content-Encoding says."""


class _Inflater:
    """One zlib stage: gzip, or deflate (zlib-wrapped, or raw as some servers send it)."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._seen = b""  # deflate: the first bytes, kept until the 2-byte zlib header is checked
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)

    def __call__(self, data: bytes) -> Iterator[bytes]:
        if not self._gzip and self._seen is not None:
            data = self._header_checked(data)
        piece = self._decompress(data)
        if piece:
            yield piece
        while self._zlib.unconsumed_tail:
            piece = self._decompress(self._zlib.unconsumed_tail)
            if piece:
                yield piece

    def _header_checked(self, data: bytes) -> bytes:
        """Deflate bodies are zlib-wrapped per the RFC, but some servers send raw deflate: the
        first two bytes decide which (held back until both are here)."""
        seen = self._seen + data
        if len(seen) < 2:
            self._seen = seen
            return b""
        self._seen = None
        try:
            zlib.decompressobj(zlib.MAX_WBITS).decompress(seen[:2])
        except zlib.error:
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        return seen

    def _decompress(self, data: bytes) -> bytes:
        try:
            return self._zlib.decompress(data, PIECE)
        except zlib.error as exc:
            raise BodyDecodeError(str(exc)) from None


def _chain(stages: list[Decoder]) -> Decoder:
    """Content-Encoding lists codings in the order applied: undo them last to first."""
    def decode(data: bytes) -> Iterator[bytes]:
        pieces: Iterable[bytes] = (data,)
        for stage in reversed(stages):
            pieces = _through(stage, pieces)
        return iter(pieces)
    return decode


def _through(stage: Decoder, pieces: Iterable[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        yield from stage(piece)


def body_decoder(content_encoding: str | None) -> Decoder | None:
    """A bounded decoder for this Content-Encoding, or None when the body is not compressed."""
    names = [n.strip().lower() for n in (content_encoding or "").split(",")]
    stages: list[Decoder] = [_Inflater(n) for n in names if n in ("gzip", "x-gzip", "deflate")]
    return _chain(stages) if stages else None


def decoded_pieces(raw_reads: Iterable[bytes], content_encoding: str | None) -> Iterator[bytes]:
    """Body bytes as sent (e.g. httpx's `iter_raw()`) -> decoded pieces of at most PIECE bytes.
    Uncompressed reads pass through unchanged (each network read is already small)."""
    decode = body_decoder(content_encoding)
    if decode is None:
        yield from raw_reads
        return
    for raw in raw_reads:
        yield from decode(raw)


def decoded_body(response) -> Iterator[bytes]:
    """An httpx response's body, decoded in bounded pieces (instead of `iter_bytes()`)."""
    return decoded_pieces(response.iter_raw(), response.headers.get("content-encoding"))


def read_start(response, limit: int) -> bytes:
    """The first `limit` decoded bytes of a body (an error answer's); never raises."""
    chunks, size = [], 0
    try:
        for chunk in decoded_body(response):
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
    except Exception:  # noqa: BLE001 - a broken error body is no reason to stop retrying
        pass
    return b"".join(chunks)[:limit]
