"""A scriptable HTTP/1.1 server on 127.0.0.1 for protocol tests.

A route answers with a `Reply`: a status, headers, and a body given as a list of byte chunks (each
sent as its own TCP write), with optional pauses, an abrupt cut, or a handler function. Every
request is recorded (method, path, headers, body) so tests can assert what revka sent.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Reply:
    status: int = 200
    chunks: list = field(default_factory=list)  # bytes, or a float = sleep that many seconds
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json"
    cut: bool = False  # close the socket abruptly after the chunks (no chunked terminator)
    chunked: bool = True
    hang: float = 0.0  # accept, read the request, then say nothing for this long

    @classmethod
    def json(cls, obj, status: int = 200, **kw) -> "Reply":
        return cls(status, [json.dumps(obj).encode()], chunked=False, **kw)

    @classmethod
    def sse(cls, body: bytes | list, **kw) -> "Reply":
        chunks = body if isinstance(body, list) else [body]
        return cls(200, chunks, content_type="text/event-stream", **kw)

    @classmethod
    def ndjson(cls, body: bytes | list, **kw) -> "Reply":
        chunks = body if isinstance(body, list) else [body]
        return cls(200, chunks, content_type="application/x-ndjson", **kw)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        rec = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        self.server.owner.requests.append(rec)
        reply = self.server.owner.reply_for(rec)
        if callable(reply):
            reply = reply(rec)
        self._send(reply)

    do_GET = do_POST = do_PUT = do_DELETE = _handle

    def _send(self, reply: Reply) -> None:
        if reply.hang:
            time.sleep(reply.hang)
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        data_chunks = [c for c in reply.chunks if isinstance(c, bytes)]
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(sum(len(c) for c in data_chunks)))
        self.end_headers()
        self.wfile.flush()
        try:
            for chunk in reply.chunks:
                if isinstance(chunk, (int, float)):
                    time.sleep(chunk)
                    continue
                if reply.chunked:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                else:
                    self.wfile.write(chunk)
                self.wfile.flush()
            if reply.cut:
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            if reply.chunked:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: "FakeServer"

    def handle_error(self, request, client_address) -> None:
        """A client that went away (revka cut the stream, timed out, was interrupted, or reset a
        kept-alive connection the handler was waiting on) is what many tests do on purpose: no
        traceback for it, which could land in another test's output from this thread. Any other
        error in a handler is still printed."""
        import sys

        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class FakeServer:
    """`with FakeServer() as srv: srv.route("POST", "/v1/chat/completions", Reply.sse(b"..."))`"""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list] = {}
        self.requests: list[Recorded] = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    def route(self, method: str, path: str, *replies: Reply | Callable) -> "FakeServer":
        """Replies are used in order; the last one repeats."""
        self.routes[(method.upper(), path)] = list(replies)
        return self

    def reply_for(self, rec: Recorded):
        path = rec.path.split("?")[0]
        replies = self.routes.get((rec.method, path)) or self.routes.get(("*", path))
        if not replies:
            return Reply.json({"error": f"no route for {rec.method} {path}"}, status=404)
        return replies.pop(0) if len(replies) > 1 else replies[0]

    def __enter__(self) -> "FakeServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
