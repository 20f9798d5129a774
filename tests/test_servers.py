"""The loopback test server stays quiet when a client goes away, and loud on its own errors."""

from __future__ import annotations

import socket
import struct
import time

from tests.servers import FakeServer, Reply


def _reset_after_reading(url_port: int, path: str) -> bytes:
    """Send one keep-alive request, read the answer, then close with a TCP reset (SO_LINGER 0)."""
    sock = socket.create_connection(("127.0.0.1", url_port), timeout=5)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    data = sock.recv(65536)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    return data


def _wait_for_stderr(capsys, seconds: float = 1.0) -> str:
    deadline, text = time.monotonic() + seconds, ""
    while time.monotonic() < deadline:
        text += capsys.readouterr().err
        if "Traceback" in text:
            break
        time.sleep(0.05)
    return text


def test_a_client_reset_prints_no_traceback(capsys):
    with FakeServer() as srv:
        srv.route("GET", "/ok", Reply.json({"ok": True}))
        for _ in range(5):  # the handler waits on the kept-alive connection when the reset comes
            assert b"200 OK" in _reset_after_reading(srv.port, "/ok")
        stderr = _wait_for_stderr(capsys)
    assert "ConnectionResetError" not in stderr and "Traceback" not in stderr


def test_a_broken_handler_still_prints_its_traceback(capsys):
    def broken(rec):
        raise ValueError("handler bug")

    with FakeServer() as srv:
        srv.route("GET", "/bug", broken)
        sock = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        sock.sendall(b"GET /bug HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.recv(100)  # the server closes the connection after the error
        sock.close()
        stderr = _wait_for_stderr(capsys)
    assert "ValueError: handler bug" in stderr
