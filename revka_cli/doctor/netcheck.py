"""Connectivity on its own, before any HTTP: DNS, then TCP, then TLS for https, each bounded by
the time the provider has left. A proxy from the environment is checked instead of the server."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

from revka_cli.doctor.results import FAIL, OK, Check
from revka_cli.errors import EXIT_CONNECT
from revka_cli.urls import redact_url

CONNECT_HINT = "is the server running and listening on that port? (revka config show)"
DNS_HINT = "check the host name in the provider URL (revka config show)"
TLS_HINT = ("check the server's certificate (or SSL_CERT_FILE), or use http:// for a plain-HTTP "
            "server")
TIMEOUT_HINT = "raise --timeout, or check the network path to the server"


class _Failure(Exception):
    def __init__(self, detail: str, hint: str) -> None:
        super().__init__(detail)
        self.detail, self.hint = detail, hint


def check_connect(url: str, deadline: float) -> Check:
    """The `connect` check for the server behind `url` (never raises)."""
    started = time.monotonic()
    try:
        detail = _probe(url, deadline)
    except _Failure as failure:
        return Check("connect", FAIL, _elapsed(started), failure.detail, failure.hint, EXIT_CONNECT)
    return Check("connect", OK, _elapsed(started), detail)


def _probe(url: str, deadline: float) -> str:
    parts = urlsplit(url)
    tls = parts.scheme.lower() == "https"
    host, port = parts.hostname or "", parts.port or (443 if tls else 80)
    via = ""
    proxy = _proxy_for(url, host)
    if proxy:
        pparts = urlsplit(proxy)
        host, port, tls = pparts.hostname or "", pparts.port or 80, False
        via = f" via proxy {redact_url(proxy)}"
    shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    t0 = time.monotonic()
    addresses = _resolve(host, port, deadline)
    t1 = time.monotonic()
    sock = _connect(addresses, shown, deadline)
    t2 = time.monotonic()
    steps = [f"DNS {_fmt(t1 - t0)}", f"TCP {_fmt(t2 - t1)}"]
    try:
        if tls:
            _handshake(sock, host, shown, deadline)
            steps.append(f"TLS {_fmt(time.monotonic() - t2)}")
    finally:
        sock.close()
    return f"{shown} reachable{via} ({', '.join(steps)})"


def _proxy_for(url: str, host: str) -> str | None:
    import urllib.request

    proxies = urllib.request.getproxies_environment()
    scheme = urlsplit(url).scheme.lower()
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass_environment(host, proxies):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def _remaining(deadline: float, what: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Failure(f"timed out before {what}", TIMEOUT_HINT)
    return left


def _resolve(host: str, port: int, deadline: float) -> list:
    """getaddrinfo has no timeout of its own: it runs in a daemon thread we stop waiting for."""
    box: dict = {}

    def work() -> None:
        try:
            box["addresses"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            box["error"] = exc

    worker = threading.Thread(target=work, name="revka-doctor-dns", daemon=True)
    worker.start()
    worker.join(_remaining(deadline, "DNS"))
    if worker.is_alive():
        raise _Failure(f"DNS lookup of {host} timed out", DNS_HINT)
    if "error" in box:
        raise _Failure(f"cannot resolve {host} (DNS: {box['error']})", DNS_HINT)
    if not box.get("addresses"):
        raise _Failure(f"cannot resolve {host} (DNS: no address)", DNS_HINT)
    return box["addresses"]


def _connect(addresses: list, shown: str, deadline: float) -> socket.socket:
    last: OSError | None = None
    for family, kind, proto, _name, sockaddr in addresses:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(_remaining(deadline, f"connecting to {shown}"))
            sock.connect(sockaddr)
            return sock
        except (_Failure, OSError) as exc:
            sock.close()
            if isinstance(exc, _Failure):
                raise
            last = exc
    if isinstance(last, socket.timeout):
        raise _Failure(f"TCP connect to {shown} timed out", TIMEOUT_HINT)
    if isinstance(last, ConnectionRefusedError):
        raise _Failure(f"connection refused by {shown}", CONNECT_HINT)
    reason = last.strerror if last is not None and last.strerror else type(last).__name__
    raise _Failure(f"cannot connect to {shown} ({reason})", CONNECT_HINT)


def _tls_context() -> ssl.SSLContext:
    """The same trust store the HTTP client uses (certifi, or SSL_CERT_FILE / SSL_CERT_DIR)."""
    try:
        import httpx

        return httpx.create_ssl_context()
    except Exception:  # noqa: BLE001 - fall back to the system store
        return ssl.create_default_context()


def _handshake(sock: socket.socket, host: str, shown: str, deadline: float) -> None:
    sock.settimeout(_remaining(deadline, "the TLS handshake"))
    try:
        wrapped = _tls_context().wrap_socket(sock, server_hostname=host)
    except ssl.SSLCertVerificationError as exc:
        raise _Failure(f"TLS certificate of {shown} is not trusted ({exc.verify_message})",
                       TLS_HINT) from None
    except socket.timeout:
        raise _Failure(f"TLS handshake with {shown} timed out", TIMEOUT_HINT) from None
    except (ssl.SSLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or type(exc).__name__
        raise _Failure(f"TLS handshake with {shown} failed ({reason})", TLS_HINT) from None
    wrapped.close()


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _elapsed(started: float) -> float:
    return (time.monotonic() - started) * 1000
