"""Faults an operator meets, on stream-app and a real Redis: nothing that got a 200 may be lost.

Each test prints its figures: ``sent`` (items answered 200), ``consumed`` (of those, delivered at
least once to the consumer), ``lost`` (sent and never consumed: must be 0) and ``duplicated``
(deliveries beyond the first: allowed, delivery is at least once, and reported). These run whole
servers from outside; plugins/redis-streams/tests/test_faults.py covers the stream manager alone.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

import aiohttp
import redis.asyncio as aioredis
from harness.configs import ITEMS_STREAM, stream_app_config
from harness.figures import Figures
from harness.processes import ServerFactory
from harness.streams import Load, consumed, dead_letters, eventually, post_items
from hopeit.testing.redis import RedisServer
from redis.exceptions import ResponseError

GROUP = "stream_app.1x0.consume"
#: A consumer's messages are taken over by a peer after 1.5 s idle; a failing one is retried as fast.
FAST_CLAIMS = {"claim_idle_ms": 1500, "claim_interval_ms": 300}


def delivery_figures(sent: Set[str], records: Path, **more: Any) -> Dict[str, Any]:
    """Sent / consumed / lost / duplicated of the items in ``sent``, plus ``more``."""
    seen = consumed(records)
    return {"sent": len(sent), "consumed": len(sent & seen.ids), "lost": len(sent - seen.ids),
            "duplicated": seen.duplicated, **more}


async def all_consumed(sent: Set[str], records: Path, timeout: float) -> None:
    """Wait until every sent item was consumed (the figures tell what was missing when it times out)."""
    try:
        await eventually(lambda: consumed(records).ids >= sent, timeout=timeout, what="every sent item consumed")
    except AssertionError:
        pass  # lost == 0 is asserted with the figures, which say how many


async def test_redis_sigkilled_and_restarted_mid_stream(
    tmp_path: Path, aof_redis: RedisServer, servers: ServerFactory, figures: Figures
) -> None:
    """Redis is SIGKILLed under load and restarted: clients see 503s meanwhile, and nothing answered 200 is lost."""
    layout = stream_app_config(tmp_path, redis_url=aof_redis.url, redis_settings=FAST_CLAIMS)
    server = servers(layout, name="stream-app")
    records = layout.folder / "records"
    load = Load(server, clients=8, prefix="redis-kill", total=600)

    sent_before_restart = 0
    restarted_at = 0.0

    async def crash_and_restart() -> None:
        nonlocal sent_before_restart, restarted_at
        await eventually(lambda: len(load.accepted) >= 150, timeout=30, what="150 items sent before the crash")
        aof_redis.kill()
        await asyncio.sleep(1.0)  # Redis stays down a second while the clients go on
        aof_redis.start()
        restarted_at = time.monotonic()
        sent_before_restart = len(load.accepted)

    await asyncio.gather(load.run(max_seconds=90), crash_and_restart())
    sent = set(load.accepted)
    await all_consumed(sent, records, timeout=60)
    after_restart = [at - restarted_at for at in load.accepted_at if at > restarted_at]
    result = figures.report("redis SIGKILL + restart", **delivery_figures(
        sent, records, answered_503=load.answered_503, unanswered=load.unanswered,
        sent_after_restart=len(sent) - sent_before_restart,
        first_200_after_restart_s=round(min(after_restart), 2) if after_restart else "never"))
    assert len(sent) == 600, f"the clients could not send everything within the time: {result}"
    assert len(sent) > sent_before_restart, f"the crash came after the load: it proves nothing: {result}"
    assert len(sent - consumed(records).ids) == 0, f"items answered 200 were lost: {result}"


async def pending_of(client: aioredis.Redis, consumer: str) -> int:
    """Messages read by ``consumer`` and not acknowledged yet (0 while the group does not exist yet)."""
    try:
        info = await client.xpending(ITEMS_STREAM, GROUP)
    except ResponseError as exc:
        if "NOGROUP" in str(exc):
            return 0  # the consumer loop creates the group when it starts
        raise
    by_name = {entry["name"].decode(): int(entry["pending"]) for entry in info.get("consumers", [])}
    return by_name.get(consumer, 0)


async def test_consumer_sigkilled_its_pending_messages_reclaimed_by_a_peer(
    tmp_path: Path, redis_server: RedisServer, redis_client: aioredis.Redis, servers: ServerFactory, figures: Figures
) -> None:
    """A consumer is SIGKILLed holding a batch it read and never acknowledged: a peer takes the batch over.

    Every item is published before the victim's consumer starts (through its ``/mgmt`` route), so
    its first read takes a whole batch; its event takes 30 s per item, so it still holds that batch
    when killed. The peer, started after the kill, reads the rest of the stream and reclaims the
    batch once it has been idle ``claim_idle_ms``.
    """
    records = tmp_path / "records"
    victim = servers(stream_app_config(tmp_path / "victim", redis_url=redis_server.url, redis_settings=FAST_CLAIMS,
                                       delay_seconds=30.0, records=records),
                     name="consumer-victim", env={"HOPEIT_WORKER_ID": "victim"}, start_streams=False)
    victim_name = f"{socket.gethostname()}.victim"
    ids = [f"reclaim-{n}" for n in range(300)]
    statuses = await post_items(victim, ids, concurrency=10)
    sent = {item_id for item_id, status in statuses.items() if status == 200}
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{victim.base_url}/mgmt/stream-app/1x0/consume/start") as resp:
            assert resp.status == 200, f"the operator starts the victim's consumer: {await resp.text()}"

    async def victim_holds_messages() -> Optional[int]:
        pending = await pending_of(redis_client, victim_name)
        return pending or None

    pending_at_kill = await eventually(victim_holds_messages, timeout=30, what="the victim holding messages")
    victim.kill()
    peer = servers(stream_app_config(tmp_path / "peer", redis_url=redis_server.url, redis_settings=FAST_CLAIMS,
                                     delay_seconds=0.01, records=records),
                   name="consumer-peer", env={"HOPEIT_WORKER_ID": "peer"})
    await all_consumed(sent, records, timeout=60)
    left_pending = await pending_of(redis_client, victim_name)
    seen = consumed(records)
    result = figures.report("consumer SIGKILL", **delivery_figures(
        sent, records, pending_at_kill=pending_at_kill, left_pending=left_pending,
        by_peer=sum(seen.by_pid.get(peer.pid, {}).values())))
    assert sent == set(ids), f"not every item was accepted: {len(ids) - len(sent)} refused"
    assert len(sent - seen.ids) == 0, f"items answered 200 were lost: {result}"
    assert left_pending == 0, f"the killed consumer still holds {left_pending} messages: {result}"


async def test_poison_message_dead_lettered_while_the_rest_flows(
    tmp_path: Path, redis_server: RedisServer, redis_client: aioredis.Redis, servers: ServerFactory, figures: Figures
) -> None:
    """An item whose event always fails goes to the dead-letter stream, with its error; every other one is consumed."""
    settings = {**FAST_CLAIMS, "claim_idle_ms": 300, "claim_interval_ms": 100, "max_deliveries": 2}
    layout = stream_app_config(tmp_path, redis_url=redis_server.url, redis_settings=settings)
    server = servers(layout, name="stream-app")
    records = layout.folder / "records"
    ids = [f"flow-{n}" for n in range(200)]
    poison = "flow-50"
    statuses = await post_items(server, ids, concurrency=10, poison=[poison])
    sent = {item_id for item_id, status in statuses.items() if status == 200}
    good = sent - {poison}

    async def dead_lettered() -> Optional[List[Dict[str, str]]]:
        return await dead_letters(redis_client, ITEMS_STREAM) or None

    await all_consumed(good, records, timeout=30)
    entries = await eventually(dead_lettered, timeout=30, what=f"{poison} in {ITEMS_STREAM}.dlq")
    seen = consumed(records)
    dead_ids = [fields.get("id") for fields in entries]
    error = entries[0].get("dlq.error", "")
    result = figures.report("poison message", **delivery_figures(
        good, records, dead_lettered=len(entries), poison_deliveries=seen.deliveries[poison]),
        dlq_error=repr(error[:100]))
    assert sent == set(ids)
    assert len(good - seen.ids) == 0, f"good items were lost: {result}"
    assert dead_ids == [poison], f"dead-lettered: {dead_ids}"
    assert "ValueError" in error and "poison item" in error, f"the dead letter does not say what failed: {error!r}"


async def test_sigterm_under_load_loses_nothing_answered(
    tmp_path: Path, redis_server: RedisServer, servers: ServerFactory, figures: Figures
) -> None:
    """SIGTERM while clients post: the server drains and exits 0; what it answered 200 is consumed (after a restart)."""
    records = tmp_path / "records"
    config = stream_app_config(tmp_path / "server", redis_url=redis_server.url, redis_settings=FAST_CLAIMS,
                               delay_seconds=0.01, records=records)
    first = servers(config, name="stream-app-first", env={"HOPEIT_WORKER_ID": "w"})
    load = Load(first, clients=8, prefix="sigterm")

    async def terminate() -> int:
        await eventually(lambda: len(load.accepted) >= 300, timeout=30, what="300 items sent before SIGTERM")
        first.signal(signal.SIGTERM)
        code = await asyncio.get_running_loop().run_in_executor(None, first.wait, 60.0)
        load.stop()
        return code

    exit_code, _ = await asyncio.gather(terminate(), load.run(max_seconds=60))
    sent = set(load.accepted)
    # the same slot again: a restarted worker takes back what its predecessor read and did not finish
    servers(config, name="stream-app-restarted", env={"HOPEIT_WORKER_ID": "w"})
    await all_consumed(sent, records, timeout=60)
    result = figures.report("SIGTERM under load", **delivery_figures(
        sent, records, exit_code=exit_code, answered_503=load.answered_503, unanswered=load.unanswered))
    assert exit_code == 0, f"the server did not stop cleanly: {result}"
    assert len(sent - consumed(records).ids) == 0, f"items answered 200 were lost: {result}"
