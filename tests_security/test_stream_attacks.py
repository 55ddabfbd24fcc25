"""Issue #12 items 2, 3 and 5 (trims): what reaches a real Redis, from a client and from anyone who can XADD."""

from __future__ import annotations

import asyncio
import pickle
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

import aiohttp
import redis.asyncio as aioredis
from harness.clients import SESSION, data_files
from harness.configs import ITEMS_STREAM, SIMPLE_EXAMPLE, simple_example_config, stream_app_config
from harness.figures import Figures
from harness.processes import ServerFactory
from harness.streams import consumed, dead_letters, eventually, message_fields, post_items, text
from hopeit.testing.redis import RedisServer
from redis.exceptions import ResponseError

#: Fast redelivery, so a message that cannot be processed reaches the dead-letter stream in about a second.
FAST_DEAD_LETTER = {"max_deliveries": 1, "claim_idle_ms": 500, "claim_interval_ms": 200}


class RunsCode:
    """Unpickling this runs ``exec(code)``: what a crafted pickle in a stream message would do."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __reduce__(self) -> Tuple[Any, Tuple[str]]:
        return exec, (self.code,)


async def test_crafted_pickle_message_runs_no_code(
    tmp_path: Path, redis_server: RedisServer, redis_client: aioredis.Redis, servers: ServerFactory, figures: Figures
) -> None:
    """One XADD of a pickle to a JSON stream: refused and dead-lettered, no code runs, the stream flows on."""
    layout = stream_app_config(tmp_path, redis_url=redis_server.url, redis_settings=FAST_DEAD_LETTER)
    server = servers(layout, name="stream-app")
    records = layout.folder / "records"
    marker = tmp_path / "pwned"
    assert (await post_items(server, ["before"], concurrency=1)) == {"before": 200}
    await eventually(lambda: consumed(records).ids >= {"before"}, timeout=20, what="the first item consumed")

    evil = pickle.dumps(RunsCode(f"open({str(marker)!r}, 'w').write('code ran in the consumer')"), protocol=5)
    crafted_id = text(await redis_client.xadd(ITEMS_STREAM, message_fields("stream_app.Item", evil, "pickle:5")))
    after = [f"after-{i}" for i in range(10)]
    statuses = await post_items(server, after, concurrency=5)
    assert set(statuses.values()) == {200}, statuses
    await eventually(lambda: consumed(records).ids >= set(after), timeout=30,
                     what="the items sent after the crafted message consumed")

    async def dead_lettered() -> Optional[Dict[str, str]]:
        entries = await dead_letters(redis_client, ITEMS_STREAM)
        found = [fields for fields in entries if fields.get("dlq.msg_id") == crafted_id]
        return found[0] if found else None

    code_ran = marker.exists()  # the items after it were consumed: the crafted one was read before them
    dead: Optional[Dict[str, str]] = None
    if not code_ran:
        dead = await eventually(dead_lettered, timeout=20, what=f"message {crafted_id} in {ITEMS_STREAM}.dlq")
    figures.report("crafted pickle", code_ran=code_ran, dead_lettered=dead is not None,
                   dlq_error=repr((dead or {}).get("dlq.error", "")[:120]))
    assert not code_ran, "the consumer unpickled the crafted message: its code ran"


async def test_150_concurrent_stream_posts_get_no_503(
    tmp_path: Path, redis_server: RedisServer, servers: ServerFactory, figures: Figures
) -> None:
    """150 clients at once POST items that go to a Redis stream: a busy pool waits, it never answers 503.

    Every item must then be processed and stored by simple-example's consumer.
    """
    layout = simple_example_config(tmp_path, redis_url=redis_server.url)
    server = servers(layout, name="simple-example-redis")
    rounds, clients = 4, 150
    statuses: Dict[str, int] = {}
    ids = [f"busy-{n}" for n in range(rounds * clients)]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def post(item_id: str) -> None:
            item = {"id": item_id, "user": {"id": "u", "name": "load"}}
            async with session.post(f"{server.base_url}{SIMPLE_EXAMPLE}/streams/something-event", json=item,
                                    headers=SESSION) as resp:
                await resp.read()
                statuses[item_id] = resp.status

        for start in range(0, len(ids), clients):
            await asyncio.gather(*(post(item_id) for item_id in ids[start:start + clients]))
    accepted = {item_id for item_id, status in statuses.items() if status == 200}

    def stored() -> Set[str]:
        return {path.stem for path in data_files(layout.somethings, "busy-*.json")}

    await eventually(lambda: stored() >= accepted, timeout=60, what="every accepted item stored")
    count_503 = list(statuses.values()).count(503)
    figures.report("concurrent posts", clients=clients, posts=len(statuses), ok=len(accepted),
                   answered_503=count_503, other=len(statuses) - len(accepted) - count_503,
                   stored=len(stored() & accepted))
    assert count_503 == 0, f"{count_503} of {len(statuses)} POSTs answered 503 while Redis was healthy"
    assert accepted == set(ids), f"{len(ids) - len(accepted)} POSTs were not accepted"


async def test_trimming_unread_entries_is_logged(
    tmp_path: Path, redis_server: RedisServer, redis_client: aioredis.Redis, servers: ServerFactory, figures: Figures
) -> None:
    """With the consumer stopped, writes beyond ``target_max_len`` trim entries nobody read: a WARNING says so."""
    stream_settings = {"target_max_len": 100, "batch_size": 5}
    # the operator stops the consumer without a token here: this test is about trimming, not auth
    layout = simple_example_config(tmp_path, redis_url=redis_server.url, auth={"mgmt_auth_methods": ["Unsecured"]},
                                   settings={"{events.streams.something_event.write_stream.name}": stream_settings})
    server = servers(layout, name="simple-example-redis")
    stream = "simple_example.1x0.streams.something_event.high-prio"

    async def group_created() -> bool:
        try:
            return bool(await redis_client.xinfo_groups(stream))
        except ResponseError:  # no stream yet
            return False

    async with aiohttp.ClientSession() as session:
        # stopped once its consumer group exists: entries are then written past what the group read
        await eventually(group_created, timeout=20, what=f"the consumer group of {stream}")
        async with session.get(f"{server.base_url}/mgmt/simple-example/1x0/streams/process-events/stop") as resp:
            assert resp.status == 200, f"the operator stops the consumer: {resp.status} {await resp.text()}"
        ids = [f"unread-{n}" for n in range(500)]
        statuses: List[int] = []

        async def post(item_id: str) -> None:
            item = {"id": item_id, "user": {"id": "u", "name": "trim"}}
            async with session.post(f"{server.base_url}{SIMPLE_EXAMPLE}/streams/something-event", json=item,
                                    headers=SESSION) as resp:
                await resp.read()
                statuses.append(resp.status)

        for start in range(0, len(ids), 20):
            await asyncio.gather(*(post(item_id) for item_id in ids[start:start + 20]))
    assert set(statuses) == {200}, f"statuses: {sorted(set(statuses))}"
    kept = int(await redis_client.xlen(stream))
    trimmed = len(ids) - kept
    assert trimmed > 0, f"the stream kept {kept} of {len(ids)} entries: nothing was trimmed, the test proves nothing"

    def warning_lines() -> List[str]:
        found: List[str] = []
        for path in layout.log_files():
            for line in path.read_text(errors="replace").splitlines():
                if "WARNING" in line and "trim" in line.lower() and "something_event" in line:
                    found.append(line)
        return found

    async def logged() -> Optional[List[str]]:
        return warning_lines() or None

    try:
        lines = await eventually(logged, timeout=10, what="a WARNING about trimmed unread entries")
    except AssertionError:
        lines = []
    figures.report("trim of unread entries", posted=len(ids), kept=kept, trimmed_unread=trimmed,
                   warning_lines=len(lines))
    assert lines, f"{trimmed} entries no consumer group had read were trimmed and nothing was logged"
