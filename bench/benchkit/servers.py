"""Fake LLM servers for the benchmarks: 127.0.0.1 only, threaded, bounded in time.

Every body that is streamed is built once, before any client connects, and written with a few
large writes, so the server is never the bottleneck. Stdlib only.

bench/run starts this file as its own process (so that the servers neither share a GIL with the
measuring process nor inflate its memory, which forked children would inherit as peak RSS):

    python servers.py '{"stream_chunks": 50000, ...}'
    # prints {"urls": {"name": "http://127.0.0.1:port", ...}, "lines": {"sse50k": 100008, ...}}

"lines" is how many lines each stream body has (as `str.splitlines` counts them, the way httpx's
`iter_lines()` does), for checking that the floor client read every line.

It serves until its stdin is closed (bench/run exiting, however it exits) or `lifetime` seconds
have passed. `GET /_bench/hits` on any server answers how many requests that server has had.
"""

from __future__ import annotations

import json
import os
import random
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "bench-model"
WRITE_SLICE = 1 << 20  # bytes per socket write of a pre-built body
REQUEST_TIMEOUT = 60.0  # seconds a connection may sit idle before the server drops it


# --- the streamed content ---------------------------------------------------------------------

def tokens(count: int, seed: int = 1234) -> list[str]:
    """`count` short text deltas (" word"), pseudo-random so that no loop detector fires."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "tu", "ra", "si", "vo", "de", "pa", "ri", "gu", "fe",
                 "zo", "ba", "ly", "qu", "an", "er", "on", "th", "st", "ch", "sh"]
    vocab = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(1, 4)))
                    for _ in range(4000)})
    out = []
    for i in range(count):
        word = rng.choice(vocab)
        if i and i % 17 == 0:
            word += "."
        if i and i % 97 == 0:
            word += "\n"
        out.append(" " + word)
    return out


def sse_body(count: int) -> tuple[bytes, str]:
    """An OpenAI chat.completions SSE stream of `count` content chunks; also the answer text."""
    head = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1700000000,
            "model": MODEL, "system_fingerprint": "b1"}
    parts = []
    first = dict(head, choices=[{"index": 0, "delta": {"role": "assistant", "content": ""},
                                 "logprobs": None, "finish_reason": None}])
    parts.append(f"data: {json.dumps(first, separators=(',', ':'))}\n\n")
    words = tokens(count)
    for word in words:
        chunk = dict(head, choices=[{"index": 0, "delta": {"content": word}, "logprobs": None,
                                     "finish_reason": None}])
        parts.append(f"data: {json.dumps(chunk, separators=(',', ':'))}\n\n")
    last = dict(head, choices=[{"index": 0, "delta": {}, "logprobs": None,
                                "finish_reason": "stop"}])
    parts.append(f"data: {json.dumps(last, separators=(',', ':'))}\n\n")
    usage = dict(head, choices=[], usage={"prompt_tokens": 12, "completion_tokens": count,
                                          "total_tokens": count + 12})
    parts.append(f"data: {json.dumps(usage, separators=(',', ':'))}\n\n")
    parts.append("data: [DONE]\n\n")
    return "".join(parts).encode("utf-8"), "".join(words)


def ndjson_body(count: int) -> tuple[bytes, str]:
    """An Ollama /api/chat NDJSON stream of `count` content objects; also the answer text."""
    words = tokens(count)
    lines = []
    for i, word in enumerate(words):
        obj = {"model": MODEL, "created_at": f"2025-01-01T00:00:{i % 60:02d}.{i:09d}Z",
               "message": {"role": "assistant", "content": word}, "done": False}
        lines.append(json.dumps(obj, separators=(",", ":")))
    final = {"model": MODEL, "created_at": "2025-01-01T00:01:00.000000000Z",
             "message": {"role": "assistant", "content": ""}, "done_reason": "stop", "done": True,
             "total_duration": 5_000_000_000, "load_duration": 1_000_000,
             "prompt_eval_count": 12, "prompt_eval_duration": 10_000_000,
             "eval_count": count, "eval_duration": 4_900_000_000}
    lines.append(json.dumps(final, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode("utf-8"), "".join(words)


def models_body(names: list[str]) -> bytes:
    return json.dumps({"object": "list", "data": [
        {"id": n, "object": "model", "created": 1700000000, "owned_by": "bench"} for n in names
    ]}).encode()


def tags_body(names: list[str]) -> bytes:
    return json.dumps({"models": [
        {"name": n, "model": n, "modified_at": "2025-01-01T00:00:00Z", "size": 4_000_000_000,
         "digest": "0" * 64, "details": {"family": "llama", "parameter_size": "8B"}}
        for n in names]}).encode()


def completion_body() -> bytes:
    return json.dumps({"id": "chatcmpl-bench", "object": "chat.completion", "created": 1700000000,
                       "model": MODEL, "choices": [{"index": 0, "finish_reason": "length",
                                                    "message": {"role": "assistant",
                                                                "content": "ok"}}],
                       "usage": {"prompt_tokens": 1, "completion_tokens": 1,
                                 "total_tokens": 2}}).encode()


# --- routes -------------------------------------------------------------------------------------

class Route:
    """What one path answers: a status, a content type, and a body in one or two parts, with an
    optional delay before the headers and a pause between the two parts."""

    def __init__(self, body: bytes, content_type: str = "application/json", *, delay: float = 0.0,
                 split_at: int | None = None, pause: float = 0.0, status: int = 200) -> None:
        self.body, self.content_type, self.delay = body, content_type, delay
        self.split_at, self.pause, self.status = split_at, pause, status


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "bench/1"
    timeout = REQUEST_TIMEOUT

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)  # the request body is not needed
        path = self.path.split("?", 1)[0]
        if path == "/_bench/hits":
            route = Route(json.dumps({"hits": self.server.hits}).encode())
        else:
            self.server.hits += 1
            route = self.server.routes.get(path)
        if route is None:
            body = b'{"error":{"message":"not found"}}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if route.delay:
            time.sleep(route.delay)
        body = route.body
        self.send_response(route.status)
        self.send_header("Content-Type", route.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        try:
            if route.split_at is not None:
                self.wfile.write(body[:route.split_at])
                time.sleep(route.pause)
                body = body[route.split_at:]
            view = memoryview(body)
            for start in range(0, len(view), WRITE_SLICE):
                self.wfile.write(view[start:start + WRITE_SLICE])
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = _answer
    do_POST = _answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, routes: dict[str, Route]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = routes
        self.hits = 0

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        super().server_bind()


class FakeServer:
    """One threaded HTTP server on 127.0.0.1 (a free port), serving `routes` until `stop()` or
    until `lifetime` seconds have passed, whichever comes first."""

    def __init__(self, routes: dict[str, Route], lifetime: float = 3600.0) -> None:
        self._server = _Server(routes)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={
            "poll_interval": 0.1}, daemon=True, name=f"bench-server-{self.port}")
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True
        self._stopped = False

    @property
    def hits(self) -> int:
        return self._server.hits

    def start(self) -> "FakeServer":
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()


def sse_route(body: bytes, **kw) -> Route:
    return Route(body, "text/event-stream", **kw)


def ndjson_route(body: bytes, **kw) -> Route:
    return Route(body, "application/x-ndjson", **kw)


# --- the process bench/run starts -----------------------------------------------------------------

def build(spec: dict) -> tuple[list[FakeServer], dict[str, str], dict[str, int]]:
    """Start the servers `spec` asks for; returns them, name -> base URL, and name -> the
    number of lines in that server's stream body."""
    lifetime = float(spec.get("lifetime", 3600))
    started: list[FakeServer] = []
    urls: dict[str, str] = {}
    lines: dict[str, int] = {}

    def serve(name: str, routes: dict[str, Route]) -> None:
        server = FakeServer(routes, lifetime).start()
        started.append(server)
        urls[name] = server.url

    for name, count in (("sse50k", spec["stream_chunks"]), ("sse5k", spec["small_chunks"])):
        body = sse_body(count)[0]
        lines[name] = len(body.decode("utf-8").splitlines())
        serve(name, {"/v1/chat/completions": sse_route(body)})
    body = ndjson_body(spec["stream_chunks"])[0]
    lines["ollama50k"] = len(body.decode("utf-8").splitlines())
    serve("ollama50k", {"/api/chat": ndjson_route(body)})

    body, _ = sse_body(spec["ttft_chunks"])
    split = body.index(b"data: ", body.index(b'"content":" '))  # after the first token's event
    serve("ttft", {"/v1/chat/completions": sse_route(body, split_at=split,
                                                      pause=float(spec["ttft_pause"]))})

    names = [MODEL, "llama3.2:3b", "qwen2.5:7b"]
    delay = float(spec.get("doctor_delay", 1.0))
    doctor_routes = {
        "/v1/models": Route(models_body(names), delay=delay),
        "/api/tags": Route(tags_body(names), delay=delay),
        "/v1/chat/completions": Route(completion_body()),
        "/api/version": Route(b'{"version":"0.9.0"}'),
    }
    for i in range(int(spec.get("doctor_servers", 0))):
        serve(f"doctor{i}", doctor_routes)
    return started, urls, lines


def main() -> int:
    spec = json.loads(sys.argv[1])
    started, urls, lines = build(spec)
    watchdog = threading.Timer(float(spec.get("lifetime", 3600)) + 5, lambda: os._exit(0))
    watchdog.daemon = True
    watchdog.start()
    sys.stdout.write(json.dumps({"urls": urls, "lines": lines}) + "\n")
    sys.stdout.flush()
    try:
        sys.stdin.read()  # until bench/run closes the pipe or exits
    except KeyboardInterrupt:
        pass
    for server in started:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
