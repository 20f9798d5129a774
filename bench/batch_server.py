"""A fake chat server for the batch benchmark: answers every POST after a fixed delay.

    python batch_server.py DELAY_SECONDS     # prints {"url": "http://127.0.0.1:PORT"}, serves

asyncio, stdlib only, HTTP/1.1 keep-alive, one small chat.completion JSON per request (or an SSE
stream when the body asks for "stream": true), so that thousands of concurrent requests cost it
little CPU. `GET /_bench/hits` answers how many chat requests it served. It exits when its stdin
closes (its parent exiting) or after an hour.
"""

from __future__ import annotations

import asyncio
import json
import sys

ANSWER = {"id": "chatcmpl-bench", "object": "chat.completion", "model": "bench-model",
          "choices": [{"index": 0, "finish_reason": "stop",
                       "message": {"role": "assistant", "content": "a short answer"}}],
          "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}}
JSON_BODY = json.dumps(ANSWER).encode()
SSE_BODY = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in (
    {"choices": [{"index": 0, "delta": {"role": "assistant", "content": "a short answer"}}]},
    {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    {"choices": [], "usage": ANSWER["usage"]})) + b"data: [DONE]\n\n"
LIFETIME = 3600.0


def reply(body: bytes, content_type: str) -> bytes:
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            "Connection: keep-alive\r\n\r\n")
    return head.encode() + body


class Counter:
    hits = 0


async def handle(reader, writer, delay: float) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            body = await reader.readexactly(length) if length else b""
            if lines[0].startswith("GET /_bench/hits"):
                writer.write(reply(str(Counter.hits).encode(), "text/plain"))
                continue
            Counter.hits += 1
            await asyncio.sleep(delay)
            if b'"stream": true' in body or b'"stream":true' in body:
                writer.write(reply(SSE_BODY, "text/event-stream"))
            else:
                writer.write(reply(JSON_BODY, "application/json"))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main(delay: float) -> None:
    server = await asyncio.start_server(lambda r, w: handle(r, w, delay), "127.0.0.1", 0,
                                        backlog=1024)
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write(json.dumps({"url": f"http://127.0.0.1:{port}"}) + "\n")
    sys.stdout.flush()
    loop = asyncio.get_running_loop()
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    await asyncio.wait([stdin_closed, asyncio.ensure_future(asyncio.sleep(LIFETIME))],
                       return_when=asyncio.FIRST_COMPLETED)
    server.close()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1])))
    sys.exit(0)
