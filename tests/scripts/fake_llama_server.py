"""A stand-in for a llama-server binary, for the provisioning tests: it parses the flags
LlamaServer passes and serves /health, /v1/models and one canned completion on 127.0.0.1.
Tests copy it next to a shebang line and mark it executable; it is not the model under test."""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = sys.argv[1:]
PORT = int(ARGS[ARGS.index("--port") + 1])
ALIAS = ARGS[ARGS.index("--alias") + 1]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def _send(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            self._send({"status": "ok"})
        else:
            self._send({"object": "list", "data": [{"id": ALIAS, "object": "model"}]})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._send({"choices": [{"message": {"role": "assistant", "content": "Paris"},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 9, "completion_tokens": 2}})


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
