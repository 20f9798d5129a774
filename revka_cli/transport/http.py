"""Send requests with httpx: retries before any output, safe redirects, and named timeouts.

`open_stream()` returns a `Stream` whose `iter_bytes()` yields body chunks; a failure after the
first chunk is never retried, so a partial answer is never silently repeated.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from revka_cli import __version__
from revka_cli.errors import ConnectError, ProviderError, RequestTimeout
from revka_cli.transport.answers import ERROR_BODY_LIMIT
from revka_cli.transport.inflate import ACCEPT_ENCODING, BodyDecodeError, decoded_body, read_start
from revka_cli.transport.policy import (
    MAX_RETRY_AFTER_SECS, RETRYABLE_STATUS, RetryPolicy, Timeouts, parse_retry_after, retry_after_note,
)
from revka_cli.transport.redirects import MAX_REDIRECTS, invalid_redirect, redirect_target
from revka_cli.transport.watchdog import OVERALL, Watchdog

log = logging.getLogger("revka.http")
USER_AGENT = f"revka/{__version__}"
MiB = 1024 * 1024


@dataclass
class Attempt:
    """One try at one URL, for error reports and `--json` output."""

    url: str
    status: int | None = None
    error: str | None = None
    retry_in: float | None = None


@dataclass
class Stream:
    response: object  # httpx.Response
    watchdog: Watchdog
    attempts: list[Attempt] = field(default_factory=list)
    retry_note: tuple[str, str | None] | None = None  # when a final 429/5xx asked to be retried
    read_already: bytes | None = None  # the start of an error body, read to decide on a retry

    @property
    def status(self) -> int:
        return self.response.status_code

    def iter_bytes(self) -> Iterator[bytes]:
        """Decoded body bytes, in pieces of at most `inflate.PIECE` bytes however much a
        compressed read inflates to."""
        import httpx

        if self.read_already is not None:
            yield self.read_already
            return
        try:
            for chunk in decoded_body(self.response):
                self.watchdog.chunk()
                yield chunk
        except BodyDecodeError as exc:
            raise ProviderError(f"the server sent a body that cannot be decoded ({exc})",
                                "check the server or any proxy in between") from exc
        except (httpx.TransportError, OSError) as exc:
            raise self._broken(exc) from exc
        if self.watchdog.fired:
            raise self._timeout()

    def mark_token(self) -> None:
        self.watchdog.token()

    def _timeout(self) -> RequestTimeout:
        name = self.watchdog.fired or OVERALL
        limit = self.watchdog.limit_for(name)
        return RequestTimeout(f"{name} after {limit:g}s from {redact_host(self.response)}")

    def _broken(self, exc: BaseException):
        from revka_cli.errors import StreamError

        if self.watchdog.fired:
            return self._timeout()
        return StreamError(f"the connection broke mid-stream ({type(exc).__name__}: {exc})")

    def close(self) -> None:
        self.watchdog.stop()
        self.response.close()


def _relax_body_read_timeout(response, overall: float) -> None:
    """Headers are in: from now on the watchdog enforces first-token/idle/overall deadlines, so
    httpx's per-read timeout (read again for every body read) only needs to back it up."""
    try:
        response.request.extensions["timeout"]["read"] = overall + 5
    except (KeyError, TypeError):
        pass


def redact_host(response) -> str:
    return _log_url(str(response.request.url))


def _shutdown(response) -> Callable[[], None]:
    def fire() -> None:
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
                return
            except OSError:
                pass
        try:
            response.close()
        except Exception:  # noqa: BLE001 - best effort from the watchdog thread
            pass
    return fire


class HttpClient:
    """A thin, synchronous httpx wrapper. One per command; close() when done."""

    def __init__(self, timeouts: Timeouts | None = None, retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep, on_retry=None,
                 keepalive: int | None = None) -> None:
        """`keepalive`: idle connections kept for reuse (default 20); a caller with more requests
        in flight at once (batch) passes that number, so that every connection is reused."""
        import httpx

        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.on_retry = on_retry  # callback(Attempt) for "retrying in Ns" messages
        t = self.timeouts
        from revka_cli.transport.lazy_tls import LazyTLSTransport

        self._client = httpx.Client(
            timeout=httpx.Timeout(connect=t.connect, read=t.header_wait(), write=t.connect,
                                  pool=t.connect),
            follow_redirects=False, trust_env=True,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
            transport=LazyTLSTransport(keepalive) if keepalive else LazyTLSTransport())

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def open_stream(self, method: str, url: str, headers: Mapping[str, str],
                    json_body: object = None, timeouts: Timeouts | None = None,
                    permanent: Callable[[bytes], bool] | None = None) -> Stream:
        """Send with retries; return the open response (any status) with its watchdog armed.

        `permanent(body)` may say that a retryable status (a 5xx) is a refusal that no retry can
        change (e.g. "image input is not supported"); such an answer is returned at once. Under a
        `timeouts.deadline`, a retry whose wait would leave it no time is not made."""
        timeouts = timeouts or self.timeouts
        cap = MAX_RETRY_AFTER_SECS if timeouts.deadline is None else None
        attempts: list[Attempt] = []
        attempt_no = 0
        while True:
            attempt_no += 1
            started = time.monotonic()
            try:
                response = self._send_following_redirects(method, url, dict(headers), json_body,
                                                          timeouts)
            except (ConnectError, RequestTimeout) as exc:
                attempts.append(Attempt(url, None, exc.message))
                delay = self.retry.delay(attempt_no)
                if attempt_no > self.retry.retries or not timeouts.fits(delay):
                    raise
                self._pause(attempts[-1], delay)
                continue
            status = response.status_code
            retryable = status in RETRYABLE_STATUS
            retry_after = parse_retry_after(response.headers.get("retry-after")) if retryable else None
            body = None
            if retryable and attempt_no <= self.retry.retries:
                body = read_start(response, ERROR_BODY_LIMIT)
                if permanent is not None and permanent(body):
                    watchdog = Watchdog(timeouts.overall, None, None, lambda: None, start=started)
                    return Stream(response, watchdog, attempts, read_already=body)
                delay = self.retry.delay(attempt_no, retry_after, cap)
                if timeouts.fits(delay):
                    response.close()
                    attempts.append(Attempt(url, status, f"HTTP {status} from {_log_url(url)}"))
                    self._pause(attempts[-1], delay)
                    continue
            _relax_body_read_timeout(response, timeouts.overall)
            watchdog = Watchdog(timeouts.overall, timeouts.first_token, timeouts.step,
                                _shutdown(response), start=started, deadline=timeouts.deadline)
            note = None if retry_after is None else retry_after_note(retry_after, timeouts)
            return Stream(response, watchdog, attempts, retry_note=note, read_already=body)

    def _pause(self, attempt: Attempt, delay: float) -> None:
        attempt.retry_in = delay
        if self.on_retry:
            self.on_retry(attempt)
        self.sleep(delay)

    def _send_following_redirects(self, method, url, headers, json_body, timeouts):
        import httpx

        seen = [url]
        for _ in range(MAX_REDIRECTS + 1):
            connect, read_wait = timeouts.capped(timeouts.connect), timeouts.capped(timeouts.header_wait())
            if min(connect, read_wait) <= 0:
                raise RequestTimeout(f"overall timeout after {timeouts.overall:g}s before "
                                     f"{_log_url(url)} could answer")
            timeout = httpx.Timeout(connect=connect, read=read_wait, write=connect, pool=connect)
            request = self._client.build_request(method, url, headers=headers, json=json_body,
                                                 timeout=timeout)
            log.debug("%s %s headers=%s", method, _log_url(url), _log_headers(headers))
            response = self._send(request, url, timeouts)
            target = redirect_target(response, url)
            if target is None:
                return response
            response.close()
            method, url, headers, json_body = target.apply(method, url, headers, json_body)
            if url in seen:
                raise ProviderError(f"redirect loop at {_log_url(url)}",
                                    "fix the URL or the server's redirect rules")
            seen.append(url)
        raise ProviderError(f"too many redirects (over {MAX_REDIRECTS}) from {_log_url(seen[0])}",
                            "fix the URL or the server's redirect rules")

    def _send(self, request, url: str, timeouts: Timeouts):
        import httpx

        from revka_cli.transport.errors import connect_error, protocol_error

        try:
            return self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            left = timeouts.left()
            past = left is not None and left <= 0.05  # the command's deadline, not a step's limit
            if not past and isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
                raise RequestTimeout(f"connect timeout after {timeouts.connect:g}s to "
                                     f"{_log_url(url)}") from exc
            what = "first-token timeout" if timeouts.first_token and not past else "overall timeout"
            limit = timeouts.overall if past else timeouts.header_wait()
            raise RequestTimeout(f"{what} after {limit:g}s waiting for {_log_url(url)} to "
                                 "answer") from exc
        except httpx.RemoteProtocolError as exc:
            raise protocol_error(exc, _log_url(url)) from exc
        except httpx.InvalidURL as exc:  # httpx parses a redirect's Location before revka sees it
            raise invalid_redirect(f"{exc} (from {_log_url(url)})") from exc
        except (httpx.TransportError, OSError) as exc:
            raise connect_error(exc, _log_url(url)) from exc


def _log_url(url: str) -> str:
    from revka_cli.urls import redact_url

    return redact_url(url)


def _log_headers(headers: Mapping[str, str]) -> dict[str, str]:
    from revka_cli.redact import redact_headers

    return redact_headers(headers, full=True)
