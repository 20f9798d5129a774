"""The baseline streaming clients: minimal but honest httpx loops, run as their own process.

    python httpx_loop.py openai URL [--flush]   # SSE: `data: ` lines -> json -> delta content
    python httpx_loop.py ollama URL [--flush]   # NDJSON: each line -> json -> message.content
    python httpx_loop.py floor URL              # the floor: iter_lines(), nothing parsed
    python httpx_loop.py least openai|ollama URL   # the least parsing client (a reference)

It sends the same request revka sends (a POST with a JSON body), reads the body with
`iter_lines()`, decodes every chunk with `json.loads` and writes the text to stdout. `--flush`
flushes stdout after every piece of text (for the time-to-first-token benchmark, where the first
byte must reach the pipe at once); without it stdout is flushed at the end.

`floor` is the least any client of that stream can do with httpx: the same request, every line
from `iter_lines()`, and nothing done with it (no JSON, no output) but counting; it prints the
number of lines at the end, so that bench/run can check it read the whole body. SSE and NDJSON
bodies are both just lines to it.

`least` is the least a client can do and still print the text: raw reads (`iter_raw()`), the
frames a read completed cut out with bytes operations, one `orjson.loads` per read of them all as
one array, the content of each written. It checks nothing (no errors, no finish, no tools), so
it is not a baseline revka must beat but a bound: its ratio to the floor is what parsing costs.
"""

import json
import sys

import httpx


BODY = {"model": "bench-model", "stream": True,
        "messages": [{"role": "user", "content": "Say something long."}]}


def floor(url: str) -> int:
    count = 0
    with httpx.stream("POST", url, json=BODY, timeout=60.0) as response:
        response.raise_for_status()
        for _line in response.iter_lines():
            count += 1
    sys.stdout.write(f"{count}\n")
    return 0


def least(protocol: str, url: str) -> int:
    import orjson

    sep, prefix = (b"\n\n", b"data: ") if protocol == "openai" else (b"\n", b"")
    out, pending = sys.stdout, b""
    with httpx.stream("POST", url, json=BODY, timeout=60.0) as response:
        response.raise_for_status()
        for chunk in response.iter_raw():
            chunk = pending + chunk
            cut = chunk.rfind(sep)
            if cut < 0:
                pending = chunk
                continue
            pending = chunk[cut + len(sep):]
            frames = [f[len(prefix):] for f in chunk[:cut].split(sep)
                      if f.startswith(prefix + b"{")]
            if frames:
                out.write("".join(_texts(orjson.loads(b"[" + b",".join(frames) + b"]"))))
    out.write("\n")
    return 0


def _texts(objs: list) -> list[str]:
    texts = []
    for obj in objs:
        holder = obj["choices"][0].get("delta") if obj.get("choices") else obj.get("message")
        text = (holder or {}).get("content")
        if text:
            texts.append(text)
    return texts


def main() -> int:
    protocol, url = sys.argv[1], sys.argv[2]
    if protocol == "floor":
        return floor(url)
    if protocol == "least":
        return least(sys.argv[2], sys.argv[3])
    flush = "--flush" in sys.argv[3:]
    out = sys.stdout
    with httpx.stream("POST", url, json=BODY, timeout=60.0) as response:
        response.raise_for_status()
        if protocol == "openai":
            for line in response.iter_lines():
                if not line.startswith("data: "):
                    continue
                data = line[6:]
                if data == "[DONE]":
                    break
                for choice in json.loads(data).get("choices") or ():
                    text = (choice.get("delta") or {}).get("content")
                    if text:
                        out.write(text)
                        if flush:
                            out.flush()
        else:
            for line in response.iter_lines():
                if not line:
                    continue
                obj = json.loads(line)
                text = (obj.get("message") or {}).get("content")
                if text:
                    out.write(text)
                    if flush:
                        out.flush()
                if obj.get("done"):
                    break
    out.write("\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
