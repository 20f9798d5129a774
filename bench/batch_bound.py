"""A bound for the batch wall budget: the least a threaded httpx client can do, run in the venv.

    python batch_bound.py URL INPUT.jsonl CONCURRENCY PROCESSES OUTPUT.jsonl

It reads the simple-form input, then forks into PROCESSES processes (one per core: threads alone
share one GIL); each sends its share of the prompts as non-streamed chat.completions POSTs from
CONCURRENCY / PROCESSES threads on one keep-alive `httpx.Client`, and appends one JSON line per
answer to OUTPUT (O_APPEND, one write each). It checks nothing and retries nothing: no client
that sends the requests through httpx does less, so its wall time over the ideal is the least
ratio an httpx client reaches on this machine.
"""

import json
import os
import queue
import sys
import threading

import httpx


def send_share(url: str, rows: list, threads: int, out_fd: int) -> int:
    limits = httpx.Limits(max_connections=threads, max_keepalive_connections=threads)
    work: queue.Queue = queue.Queue()
    for row in rows:
        work.put(row)
    failed = []

    def worker(client: httpx.Client) -> None:
        while True:
            try:
                row = work.get_nowait()
            except queue.Empty:
                return
            body = {"model": "bench-model", "stream": False,
                    "messages": [{"role": "user", "content": row["prompt"]}]}
            response = client.post(url, json=body)
            if response.status_code != 200:
                failed.append(row)
                continue
            line = json.dumps({"custom_id": row["custom_id"], "body": response.json()}) + "\n"
            os.write(out_fd, line.encode())

    with httpx.Client(limits=limits, timeout=60.0) as client:
        pool = [threading.Thread(target=worker, args=(client,)) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    return 1 if failed else 0


def main(url: str, path: str, concurrency: int, processes: int, out_path: str) -> int:
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    out_fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)
    children = []
    for share in range(1, processes):
        pid = os.fork()
        if pid == 0:
            os._exit(send_share(url, rows[share::processes], concurrency // processes, out_fd))
        children.append(pid)
    status = send_share(url, rows[0::processes], concurrency // processes, out_fd)
    for pid in children:
        _, code = os.waitpid(pid, 0)
        status = status or os.waitstatus_to_exitcode(code)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]))
