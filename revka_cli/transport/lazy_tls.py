"""An httpx transport that builds its TLS context (and loads the CA bundle) only when the first
https request needs it. Local servers speak plain http: for them this saves ~20 ms per run."""

from __future__ import annotations

import threading

import httpx

KEEPALIVE = 20  # idle connections kept per pool (httpx's default); batch keeps one per request


class _PlainHTTPTransport(httpx.HTTPTransport):
    """httpx's transport for http:// only: a connection pool without an SSL context."""

    def __init__(self, keepalive: int = KEEPALIVE) -> None:  # no super().__init__: it builds TLS
        import httpcore

        self._pool = httpcore.ConnectionPool(ssl_context=None, max_connections=max(100, keepalive),
                                             max_keepalive_connections=keepalive,
                                             keepalive_expiry=5.0)


def _limits(keepalive: int) -> httpx.Limits:
    return httpx.Limits(max_connections=max(100, keepalive), max_keepalive_connections=keepalive)


def _plain_transport(keepalive: int) -> httpx.BaseTransport:
    try:
        return _PlainHTTPTransport(keepalive)
    except Exception:  # noqa: BLE001 - an httpx/httpcore whose internals differ: the normal one
        return httpx.HTTPTransport(verify=False, limits=_limits(keepalive))


class LazyTLSTransport(httpx.BaseTransport):
    def __init__(self, keepalive: int = KEEPALIVE) -> None:
        self.keepalive = keepalive
        self._made = threading.Lock()  # threads sharing the client make each pool once
        self._plain: httpx.BaseTransport | None = None
        self._tls: httpx.BaseTransport | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "http":
            if self._plain is None:
                with self._made:
                    self._plain = self._plain or _plain_transport(self.keepalive)
            return self._plain.handle_request(request)
        if self._tls is None:
            with self._made:  # verifies certificates
                self._tls = self._tls or httpx.HTTPTransport(trust_env=True,
                                                             limits=_limits(self.keepalive))
        return self._tls.handle_request(request)

    def close(self) -> None:
        for transport in (self._plain, self._tls):
            if transport is not None:
                transport.close()
