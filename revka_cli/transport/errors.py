"""Map HTTP statuses and connection failures onto revka's error tree, with hints."""

from __future__ import annotations

import ssl

from revka_cli.errors import (
    AuthError, ConnectError, NotFoundError, ProviderError, RateLimitError, RevkaError, ServerError,
)

NOT_FOUND_HINT = ("the URL may include the full path: use the API root ending in /v1 (revka appends "
                  "/chat/completions itself), and check the model name with 'revka models list'")


def error_for_status(status: int, message: str, url: str, not_found_hint: str | None = None,
                     retried: int = 0) -> RevkaError:
    error = _error_for_status(status, " ".join(message.split()), url, not_found_hint, retried)
    from revka_cli.redact import scrub  # a server may echo a secret sent with the request

    error.server_message = scrub(message) or None  # the full text, newlines kept (for --json)
    return error


def _error_for_status(status: int, message: str, url: str, not_found_hint: str | None,
                      retried: int) -> RevkaError:
    """The error for `status`, with the server's `message` already folded onto one line."""
    detail = f": {message}" if message else ""
    after = f" after {retried} retr{'y' if retried == 1 else 'ies'}" if retried else ""
    if status in (401, 403):
        return AuthError(f"{url} refused the credentials (HTTP {status}){detail}",
                         "the API key is wrong or missing: set the key this server expects "
                         "(see 'revka config show'), or a placeholder if it ignores keys")
    if status == 404:
        return NotFoundError(f"not found (HTTP 404) at {url}{detail}", not_found_hint or NOT_FOUND_HINT)
    if status in (408, 429):
        word = "rate-limited" if status == 429 else "request timed out"
        return RateLimitError(f"{word} (HTTP {status}) by {url}{after}{detail}")
    if status >= 500:
        return ServerError(f"server error (HTTP {status}) from {url}{after}{detail}")
    return ProviderError(f"the server rejected the request (HTTP {status}) at {url}{detail}",
                         "check the model name, options and message; --debug shows the request")


def _causes(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def connect_error(exc: BaseException, url: str) -> ConnectError:
    """Say which of DNS, refused, TLS or other stopped the connection."""
    import socket

    text = " ".join(str(e) for e in _causes(exc)).lower()
    if any(isinstance(e, socket.gaierror) for e in _causes(exc)) or "name or service not known" in text \
            or "nodename nor servname" in text or "temporary failure in name resolution" in text:
        return ConnectError(f"cannot resolve the host of {url} (DNS)",
                            "check the host name in the provider URL (revka config show)")
    if any(isinstance(e, ConnectionRefusedError) for e in _causes(exc)) or "connection refused" in text:
        return ConnectError(f"connection refused by {url}",
                            "is the server running and listening on that port? (revka config show)")
    if any(isinstance(e, ssl.SSLError) for e in _causes(exc)) or "ssl" in text or "certificate" in text:
        return ConnectError(f"TLS handshake with {url} failed ({exc})",
                            "check the certificate, or use http:// for a plain-HTTP local server")
    return ConnectError(f"cannot connect to {url} ({type(exc).__name__}: {exc})")


MALFORMED_RESPONSE_HINT = "the server (or a proxy in between) is not speaking valid HTTP; check it"
_DISCONNECTED = ("disconnected", "closed")


def protocol_error(exc: BaseException, url: str) -> RevkaError:
    """An HTTP protocol error before the body: a server that hung up is a connection failure (exit
    6, retried); anything else (too many or too long headers, a garbled status line) is a malformed
    response that no retry can fix (exit 1)."""
    text = str(exc)
    if not text or any(word in text.lower() for word in _DISCONNECTED):
        return connect_error(exc, url)
    if "location header" in text.lower():  # httpx checks a redirect's Location itself
        from revka_cli.transport.redirects import invalid_redirect

        return invalid_redirect(f"{text[:100]} (from {url})")
    return ProviderError(f"the server sent a malformed HTTP response ({text[:100]}) at {url}",
                         MALFORMED_RESPONSE_HINT)
