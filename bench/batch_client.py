"""The baseline for the batch benchmark: a minimal asyncio/httpx client, run in the venv.

    python batch_client.py URL INPUT.jsonl CONCURRENCY OUTPUT.jsonl

It reads the simple-form input ({"custom_id", "prompt"}), sends each prompt as a non-streamed
chat.completions POST with at most CONCURRENCY in flight on one httpx.AsyncClient (keep-alive),
parses each answer and appends one JSON line per item to OUTPUT as it finishes. It holds the whole
input in memory: it is the floor for speed, not for memory.
"""

import asyncio
import json
import sys

import httpx


async def main(url: str, path: str, concurrency: int, out_path: str) -> int:
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    failed = 0
    with open(out_path, "w", encoding="utf-8") as out:
        async with httpx.AsyncClient(limits=limits, timeout=60.0) as client:
            async def one(row):
                nonlocal failed
                async with gate:
                    body = {"model": "bench-model", "stream": False,
                            "messages": [{"role": "user", "content": row["prompt"]}]}
                    response = await client.post(url, json=body)
                    if response.status_code != 200:
                        failed += 1
                        return
                    answer = response.json()
                    out.write(json.dumps({"custom_id": row["custom_id"], "body": answer}) + "\n")
                    out.flush()
            await asyncio.gather(*(one(r) for r in rows))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])))
