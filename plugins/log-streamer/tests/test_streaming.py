"""End to end: log-app writes its lines through the engine, a log-streamer server publishes them to Redis.

Every lifecycle line in the log files must come out of the stream once: through a kill -9 and
restart of the streamer, logrotate's rename-and-create and copytruncate, and Redis going away.
"""

import asyncio
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any, AsyncIterator, Callable, List, Optional
from typing import Counter as CounterType

import aiohttp
import pytest
import redis.asyncio as aioredis
from hopeit.dataobjects.payload import Payload
from hopeit.log_streamer import LogBatch
from hopeit.log_streamer.parsing import is_lifecycle_line, parse_line
from hopeit.streams.messages import decode_message, payload_type_name
from hopeit.testing.redis import RedisServer
from hopeit.testing.waiting import wait_until
from servers import APP_BASE, HopeitServer, environment, log_app, streamer, streamer_config

STREAM = "hopeit.log-streamer.logs"
BATCH_SIZE = 50
OWN_FILES = "log_streamer_1x0_"  # the streamer's own lines are not streamed

pytestmark = pytest.mark.timeout(300)


class Traffic:
    """Requests to log-app, one after the other, until stopped: each writes two lifecycle lines."""

    PATHS = ("hello?name=x", "refuse", "hello?name=y", "hello?name=z", "refuse", "fail")

    def __init__(self, url: str) -> None:
        self.url = url
        self.sent = 0
        self.task: Optional[asyncio.Future[None]] = None
        self._running = False

    def start(self) -> None:
        self._running = True
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        async with aiohttp.ClientSession() as session:
            while self._running:
                path = self.PATHS[self.sent % len(self.PATHS)]
                async with session.get(f"{self.url}{APP_BASE}/{path}") as response:
                    await response.read()
                self.sent += 1

    async def more(self, count: int) -> None:
        """Wait until ``count`` more requests were answered."""
        mark = self.sent
        await wait_until(lambda: self.sent >= mark + count, timeout=60, what=f"{count} more requests")

    async def stop(self) -> None:
        self._running = False
        if self.task is not None:
            await self.task
            self.task = None


def written(logs: Path) -> CounterType[str]:
    """The entries of every lifecycle line in the log files (the streamer's own excluded), as JSON."""
    found: CounterType[str] = Counter()
    for path in logs.iterdir():
        if path.name.startswith(OWN_FILES):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if is_lifecycle_line(line):
                entry = parse_line(line)
                assert entry is not None, line
                found[Payload.to_json(entry)] += 1
    return found


async def published(raw: "aioredis.Redis") -> CounterType[str]:
    """The entries on the stream, as JSON."""
    found: CounterType[str] = Counter()
    for msg_id, fields in await raw.xrange(STREAM):
        event = decode_message(fields, msg_id=msg_id, stream_name=STREAM, consumer_group="test",
                               datatypes={payload_type_name(LogBatch): LogBatch}, track_headers=[])
        assert not isinstance(event, Exception), event
        for entry in event.payload.entries:
            found[Payload.to_json(entry)] += 1
    return found


async def caught_up(raw: "aioredis.Redis", logs: Path) -> CounterType[str]:
    """Wait until every written line is on the stream; the entries published then."""

    async def every_line_published() -> Optional[CounterType[str]]:
        entries = await published(raw)
        return entries if set(written(logs)) <= set(entries) else None

    return await wait_until(every_line_published, timeout=90, interval=0.2, what="every line published")


def check_one_for_one(entries: CounterType[str], logs: Path, max_repeated: int) -> None:
    """The stream holds exactly the written lines; at most ``max_repeated`` of them twice (none more)."""
    lines = written(logs)
    assert set(entries) == set(lines)
    assert all(count == 1 for count in lines.values()), "the test writes every line once"
    repeated = sum(count - 1 for count in entries.values())
    assert repeated <= max_repeated, f"{repeated} entries published twice"
    assert max(entries.values()) <= 2


async def background(call: Callable[[], Any]) -> Any:
    """Run a blocking call off the event loop (the traffic goes on meanwhile)."""
    return await asyncio.get_running_loop().run_in_executor(None, call)


@pytest.fixture
async def raw(redis_server: RedisServer) -> AsyncIterator["aioredis.Redis"]:
    client = aioredis.Redis.from_url(redis_server.url)
    await client.delete(STREAM)
    yield client
    await client.aclose()


@pytest.fixture
async def started() -> AsyncIterator[List[Any]]:
    """Servers and traffic a test starts, stopped at the end whatever happens."""
    items: List[Any] = []
    yield items
    for item in reversed(items):
        if isinstance(item, Traffic):
            await item.stop()
        elif isinstance(item, HopeitServer):
            item.stop()
        else:
            item.close()


async def test_every_line_once_through_kill_restart_and_rotations(
    raw: "aioredis.Redis", redis_server: RedisServer, tmp_path: Path, started: List[Any]
) -> None:
    logs, checkpoints = tmp_path / "logs", tmp_path / "checkpoints"
    env = environment(redis_server.url, logs, tmp_path)
    app = log_app(tmp_path, env).start()
    started.append(app)
    await background(app.wait_listening)
    assert app.proc is not None
    traffic = Traffic(app.url)
    started.append(traffic)
    traffic.start()
    await traffic.more(20)  # lines written before the streamer starts are published too

    server = streamer(tmp_path, env, streamer_config(tmp_path, logs, checkpoints, batch_size=BATCH_SIZE))
    started.append(server.start())
    await wait_until(lambda: raw.xlen(STREAM), timeout=60, what="first batches published")

    server.kill()  # mid-stream: the requests go on
    await traffic.more(100)
    server.start()
    before = await raw.xlen(STREAM)
    await wait_until(lambda: _grew(raw, before), timeout=60, what="the restarted streamer publishes")

    app_files = f"*_{app.proc.pid}.log"  # the files of log-app's process (of each event, and the engine's)
    rotated = [path.with_name(path.name + ".1") for path in logs.glob(app_files)]
    for path in logs.glob(app_files):  # logrotate's rename-and-create, under traffic
        path.rename(path.with_name(path.name + ".1"))
    await traffic.more(100)
    await wait_until(lambda: list(logs.glob(app_files)), timeout=30, what="log-app writes new files")
    await traffic.more(50)
    await traffic.stop()
    check_one_for_one(await caught_up(raw, logs), logs, max_repeated=BATCH_SIZE)
    assert any(is_lifecycle_line(path.read_text(encoding="utf-8")) for path in rotated)

    for path in logs.glob(app_files):  # logrotate's copytruncate, once the streamer is idle
        shutil.copyfile(path, path.with_name(path.name + ".2"))
        with open(path, "r+", encoding="utf-8") as file:
            file.truncate(0)
    traffic.start()
    await traffic.more(100)
    await traffic.stop()
    check_one_for_one(await caught_up(raw, logs), logs, max_repeated=BATCH_SIZE)


async def _grew(raw: "aioredis.Redis", before: int) -> bool:
    return int(await raw.xlen(STREAM)) > before


async def test_lines_are_kept_while_redis_is_away(tmp_path: Path, started: List[Any]) -> None:
    store = RedisServer(extra_args=["--appendonly", "yes"]).start()  # its data outlives a restart
    started.append(store)
    raw = aioredis.Redis.from_url(store.url)
    logs, checkpoints = tmp_path / "logs", tmp_path / "checkpoints"
    env = environment(store.url, logs, tmp_path)
    app = log_app(tmp_path, env).start()
    server = streamer(tmp_path, env, streamer_config(tmp_path, logs, checkpoints, batch_size=BATCH_SIZE))
    started.extend([app, server.start()])
    try:
        await background(app.wait_listening)
        traffic = Traffic(app.url)
        started.append(traffic)
        traffic.start()
        await wait_until(lambda: raw.xlen(STREAM), timeout=60, what="first batches published")

        store.stop()
        await traffic.more(100)
        await wait_until(lambda: _failed_publishing(logs), timeout=60, what="the streamer fails to publish")
        await background(store.start)
        await raw.aclose()
        raw = aioredis.Redis.from_url(store.url)  # a new connection: the old one died with the server
        await traffic.more(50)
        await traffic.stop()
        check_one_for_one(await caught_up(raw, logs), logs, max_repeated=BATCH_SIZE)
        assert server.proc is not None and server.proc.poll() is None
    finally:
        await raw.aclose()


def _failed_publishing(logs: Path) -> bool:
    return any("| FAILED |" in path.read_text(encoding="utf-8") for path in logs.glob(OWN_FILES + "*.log"))


async def test_entries_name_the_app_and_event_of_each_request(
    raw: "aioredis.Redis", redis_server: RedisServer, tmp_path: Path, started: List[Any]
) -> None:
    logs, checkpoints = tmp_path / "logs", tmp_path / "checkpoints"
    env = environment(redis_server.url, logs, tmp_path)
    app = log_app(tmp_path, env).start()
    server = streamer(tmp_path, env, streamer_config(tmp_path, logs, checkpoints))
    started.extend([app, server.start()])
    await background(app.wait_listening)
    async with aiohttp.ClientSession() as session:
        for path in ("hello", "fail", "refuse"):
            async with session.get(f"{app.url}{APP_BASE}/{path}") as response:
                await response.read()
    entries = await caught_up(raw, logs)
    seen = {(data["event"], data["msg"]) for data in (json.loads(text) for text in entries)}
    assert {
        ("log_app.1x0.hello", "START"), ("log_app.1x0.hello", "DONE"),
        ("log_app.1x0.fail", "START"), ("log_app.1x0.fail", "FAILED"),
        ("log_app.1x0.refuse", "START"), ("log_app.1x0.refuse", "IGNORED"),
    } <= seen
