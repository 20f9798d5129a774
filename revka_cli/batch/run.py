"""The batch engine: a feeder (the calling thread) streams items into a queue bounded by the
concurrency, and that many worker threads send them through the chat core on one shared
HttpClient, each writing its record to the journal the moment it finishes.

Memory is O(concurrency): the input is read as it is dispatched, the journal keeps nothing, and
the statistics are counters and a bounded latency sample.

Ctrl-C (KeyboardInterrupt in the calling thread): no new item starts, the items in flight get
`grace` seconds to finish and be written, then the journal closes (a later finisher is dropped, to
be redone on the next run) and the run returns with `interrupted` set.
"""

from __future__ import annotations

import copy
import queue
import threading
import time

from revka_cli.batch.targets import SessionCache, TargetPool, is_endpoint_failure
from revka_cli.errors import ProviderError, RevkaError
from revka_cli.providers.request import Message

GRACE_SECS = 5.0
WORKERS_PER_POOL = 4  # threads per HttpClient: one pool lock for 32 threads convoyed (9.5 s -> 5.8 s)


class BatchPlan:
    def __init__(self, *, source, journal, pool: TargetPool, item_sessions: SessionCache | None,
                 clients: list, concurrency: int, render, done, stats, warn=lambda m: None,
                 grace: float = GRACE_SECS) -> None:
        """`clients`: HttpClients (keep-alive pools); worker i uses clients[i % len(clients)]."""
        self.source, self.journal, self.pool = source, journal, pool
        self.item_sessions = item_sessions  # None: -p/-m given, every item goes to `pool`
        self.clients, self.concurrency, self.render = clients, concurrency, render
        self.done, self.stats, self.warn, self.grace = done, stats, warn, grace


class _QuietSink:
    def __init__(self, warn) -> None:
        self.warn = warn

    def text(self, text: str) -> None:
        pass

    reasoning = text

    def flush(self) -> None:
        pass


def item_session(session, item):
    """A copy of a target's session with the item's own system, sampling and options."""
    own = copy.copy(session)
    spec = session.spec
    own.spec = spec.replace(
        system=item.system if item.system is not None else spec.system,
        temperature=item.temperature if item.temperature is not None else spec.temperature,
        max_tokens=item.max_tokens or spec.max_tokens,
        request={**spec.request, **item.options},
        options={**spec.options, **item.raw_options},
        schema=item.schema if item.schema is not None else (None if item.json_object else spec.schema),
        json_object=item.json_object or (spec.json_object and item.schema is None))
    return own


def send_item(session, item, client, warn):
    own = item_session(session, item)
    messages = [own.user_message(text, images) if role == "user" else Message(role, text)
                for role, text, images in item.messages]
    own.check_context(messages)
    return own.send(messages, _QuietSink(warn), client=client)


class Engine:
    def __init__(self, plan: BatchPlan) -> None:
        self.plan = plan
        self.queue: queue.Queue = queue.Queue(maxsize=plan.concurrency)
        self.stop = threading.Event()
        self.stopped: str | None = None  # why the run stopped early, if it did
        self.interrupted = False

    def _pool_for(self, item) -> TargetPool:
        cache = self.plan.item_sessions
        if cache is None or (item.provider is None and item.model is None):
            return self.plan.pool
        return cache.pool_for(item.provider, item.model)

    def _attempt(self, item, client):
        """(outcome, None) or (None, error), moving to another target after an endpoint error."""
        tried, error = [], None
        try:
            pool = self._pool_for(item)
        except RevkaError as exc:
            return None, exc
        while True:
            target = pool.acquire(exclude=tried)
            if target is None:
                return None, error or ProviderError(
                    "every endpoint for this item is out of rotation after repeated failures")
            try:
                outcome = send_item(target.session, item, client, self.plan.warn)
            except Exception as exc:  # noqa: BLE001 - one item's failure never stops the batch
                if not isinstance(exc, RevkaError):
                    exc = ProviderError(f"unexpected {type(exc).__name__}: {exc}")
                pool.release(target, exc)
                tried.append(target)
                error = exc
                if is_endpoint_failure(exc) and pool.has_untried(tried):
                    continue  # another endpoint may answer it
                return None, exc
            pool.release(target)
            return outcome, None

    def _process(self, item, client) -> None:
        stats, written = self.plan.stats, False
        stats.begin()
        started = time.monotonic()
        outcome = error = None
        try:
            outcome, error = self._attempt(item, client)
            written = self.plan.journal.write(self.plan.render(item, outcome, error))
        finally:
            if written:
                usage = outcome.result.usage if outcome is not None else None
                stats.end(latency=time.monotonic() - started, usage=usage, error=error)
            else:
                stats.end_unwritten()
        if self.plan.pool.all_out() and not self.stop.is_set():
            self.stopped = "every endpoint is out of rotation after repeated failures"
            self.stop.set()

    def _work(self, index: int) -> None:
        client = self.plan.clients[index % len(self.plan.clients)]
        while True:
            item = self.queue.get()
            if item is None:
                return
            if self.stop.is_set():
                continue
            try:
                self._process(item, client)
            except Exception as exc:  # noqa: BLE001 - e.g. the output disk is full: stop cleanly
                self.stopped = f"cannot write the output: {type(exc).__name__}: {exc}"
                self.stop.set()

    def run(self) -> None:
        workers = [threading.Thread(target=self._work, args=(i,), name=f"revka-batch-{i}",
                                    daemon=True) for i in range(self.plan.concurrency)]
        for worker in workers:
            worker.start()
        try:
            self._feed()
            for _ in workers:
                self._put(None, always=True)
            for worker in workers:
                while worker.is_alive():
                    worker.join(0.2)
        except KeyboardInterrupt:
            self.interrupted = True
            self._wind_down()
        finally:
            self.plan.journal.close()
            self.plan.stats.finished = time.monotonic()

    def _feed(self) -> None:
        done = self.plan.done
        for item in self.plan.source.items():
            if self.stop.is_set():
                return
            if item.custom_id in done:
                continue
            self._put(item)

    def _put(self, item, always: bool = False) -> None:
        while True:
            if self.stop.is_set() and not always:
                return
            try:
                self.queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def _wind_down(self) -> None:
        """Ctrl-C: start nothing new; let the items in flight finish within the grace period."""
        self.stop.set()
        deadline = time.monotonic() + self.plan.grace
        try:
            while self.plan.stats.in_flight and time.monotonic() < deadline:
                time.sleep(0.05)
        except KeyboardInterrupt:
            pass  # a second Ctrl-C: stop at once
