"""Workers share keep-alive pools in groups (batch/run.py WORKERS_PER_POOL): 32 threads on one
httpx pool queue on its lock, so worker i uses clients[i % len(clients)]."""

from __future__ import annotations

from revka_cli.batch.run import BatchPlan, Engine


def test_worker_i_uses_client_i_modulo_the_pools(monkeypatch):
    plan = BatchPlan(source=None, journal=None, pool=None, item_sessions=None,
                     clients=["pool-0", "pool-1"], concurrency=4, render=None, done=set(),
                     stats=None)
    engine, used = Engine(plan), []
    monkeypatch.setattr(engine, "_process", lambda item, client: used.append((item, client)))
    for worker in range(4):
        engine.queue.put(f"item-{worker}")
        engine.queue.put(None)
        engine._work(worker)
    assert used == [("item-0", "pool-0"), ("item-1", "pool-1"), ("item-2", "pool-0"),
                    ("item-3", "pool-1")]
