"""Reading an answer's body within bounds, and turning a failed status into the right RevkaError."""

from __future__ import annotations

from typing import TYPE_CHECKING

from revka_cli.errors import ProviderError
from revka_cli.textfix import repair_surrogates
from revka_cli.transport.errors import error_for_status

if TYPE_CHECKING:
    from revka_cli.transport.http import Stream

MiB = 1024 * 1024
BODY_LIMIT = 8 * MiB  # a whole non-streamed answer
ERROR_BODY_LIMIT = 256 * 1024  # the part of an error answer that is read (the rest is dropped)


def _log_url(url: str) -> str:
    from revka_cli.urls import redact_url

    return redact_url(url)


def read_body(stream: Stream, limit: int = BODY_LIMIT, *, truncate: bool = False) -> bytes:
    """The whole body of a non-streamed answer, closing the stream. Past `limit` bytes: an error,
    or with `truncate` (error answers, whose start is all revka needs) the first `limit` bytes."""
    chunks, size = [], 0
    try:
        for chunk in stream.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                if truncate:
                    break
                size = f"{limit // MiB} MiB" if limit % MiB == 0 else f"{limit // 1024} KiB"
                raise ProviderError(f"the server's answer is larger than {size}",
                                    "check the URL; this does not look like an LLM API answer")
    finally:
        stream.close()
    return b"".join(chunks)[:limit]


def check_status(stream: Stream, extract=None, *, not_found_hint: str | None = None) -> None:
    """Raise the right RevkaError for a non-2xx answer (reading and closing its body).

    `extract(body, content_type) -> str` pulls the server's message out of an error body.
    """
    if 200 <= stream.status < 300:
        return
    from revka_cli.redact import SESSION

    SESSION.learn_url(str(stream.response.request.url))  # a redirect target's userinfo too
    body = read_body(stream, limit=ERROR_BODY_LIMIT, truncate=True)
    content_type = stream.response.headers.get("content-type")
    message = repair_surrogates((extract or snippet)(body, content_type))
    note, hint = stream.retry_note or (None, None)
    if note:
        message = f"{message}; {note}" if message else note
    error = error_for_status(stream.status, message, _log_url(str(stream.response.request.url)),
                             not_found_hint, len(stream.attempts))
    error.hint = hint or error.hint
    raise error


def snippet(body: bytes, content_type: str | None = None) -> str:
    """A short single-line excerpt of a body, for error messages."""
    text = body[:400].decode("utf-8", "replace")
    return " ".join(text.split())[:200]
