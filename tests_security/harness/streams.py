"""Watching streams from outside: stream-app's records files, Redis entries, waiting for conditions."""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Set, TypeVar, Union, overload

import aiohttp

from harness.configs import STREAM_APP
from harness.processes import ServerProcess

__all__ = ["Consumed", "Load", "consumed", "dead_letters", "eventually", "message_fields", "post_items", "text"]

T = TypeVar("T")


@overload
async def eventually(check: Callable[[], Awaitable[Optional[T]]], *, timeout: float, what: str,
                     interval: float = 0.1) -> T: ...


@overload
async def eventually(check: Callable[[], Optional[T]], *, timeout: float, what: str, interval: float = 0.1) -> T: ...


async def eventually(check: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.1) -> Any:
    """The first result of ``check`` (a function or a coroutine function) that is neither None nor False.

    It is polled every ``interval`` seconds until ``timeout``.

    :raises AssertionError: naming ``what`` was awaited, when it never happens.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result is not None and result is not False:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)


class Consumed:
    """What stream-app's ``consume`` recorded: deliveries per item id, per process."""

    def __init__(self, lines: Iterable[Dict[str, Any]]) -> None:
        self.deliveries: Counter[str] = Counter()
        self.by_pid: Dict[int, Counter[str]] = {}
        for line in lines:
            self.deliveries[line["id"]] += 1
            self.by_pid.setdefault(int(line["pid"]), Counter())[line["id"]] += 1

    @property
    def ids(self) -> Set[str]:
        """Ids consumed at least once."""
        return set(self.deliveries)

    @property
    def duplicated(self) -> int:
        """Deliveries beyond the first of each id (at least once: allowed, and reported)."""
        return sum(count - 1 for count in self.deliveries.values())


def consumed(records: Path) -> Consumed:
    """Read every ``consumed-<pid>.jsonl`` under ``records`` (a torn last line of a killed process is skipped)."""
    lines: List[Dict[str, Any]] = []
    for path in sorted(records.glob("consumed-*.jsonl")):
        for raw in path.read_text().splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                continue
    return Consumed(lines)


async def post_items(
    server: ServerProcess, ids: Iterable[str], *, concurrency: int, poison: Iterable[str] = (),
    session: Optional[aiohttp.ClientSession] = None,
) -> Dict[str, int]:
    """POST each id to stream-app's ``publish`` (``concurrency`` at a time); status per id (0: no answer)."""
    bad = set(poison)
    statuses: Dict[str, int] = {}
    queue = list(ids)
    own = session is None
    client = session or aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))
    try:

        async def worker() -> None:
            while queue:
                item_id = queue.pop(0)
                try:
                    async with client.post(f"{server.base_url}{STREAM_APP}/publish",
                                           json={"id": item_id, "poison": item_id in bad}) as resp:
                        await resp.read()
                        statuses[item_id] = resp.status
                except aiohttp.ClientError:
                    statuses[item_id] = 0

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        if own:
            await client.close()
    return statuses


def message_fields(item_type: str, payload: bytes, serialization: str) -> Dict[Any, Any]:
    """The fields of a stream message in the engine's wire format, as anyone with Redis access can XADD."""
    return {
        "id": "crafted",
        "type": item_type,
        "submit_ts": "2024-01-01T00:00:00+00:00",
        "event_ts": "",
        "track.request_id": "crafted",
        "track.request_ts": "2024-01-01T00:00:00+00:00",
        "track.operation_id": "crafted",
        "auth_info": base64.b64encode(json.dumps({"allowed": True, "auth_type": "Unsecured"}).encode()),
        "ser": serialization,
        "comp": "none",
        "payload": payload,
        "queue": "AUTO",
    }


class Load:
    """Clients POSTing new items to stream-app until stopped, each resending what was not accepted.

    An item counts as sent once it got a 200. A 503 or a dropped connection means "not taken, try
    again", as a client would do; both are counted. ``run`` stops by itself after ``max_seconds``.
    """

    def __init__(self, server: ServerProcess, *, clients: int, prefix: str, total: Optional[int] = None) -> None:
        self.server = server
        self.clients = clients
        self.prefix = prefix
        self.total = total
        self.accepted: List[str] = []
        #: ``time.monotonic()`` of each acceptance, in the order of ``accepted``
        self.accepted_at: List[float] = []
        self.answered_503 = 0
        self.unanswered = 0
        self._next = 0
        self._retry: List[str] = []
        self._stop = asyncio.Event()

    def stop(self) -> None:
        """Ask the clients to stop after their current request."""
        self._stop.set()

    def _take(self) -> Optional[str]:
        if self._retry:
            return self._retry.pop(0)
        if self.total is not None and self._next >= self.total:
            return None
        self._next += 1
        return f"{self.prefix}-{self._next - 1}"

    async def run(self, max_seconds: float) -> None:
        """Send until stopped, until ``total`` items were accepted, or ``max_seconds`` passed."""
        deadline = time.monotonic() + max_seconds
        url = f"{self.server.base_url}{STREAM_APP}/publish"
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self.clients),
                                         timeout=aiohttp.ClientTimeout(total=10)) as session:

            async def client() -> None:
                while not self._stop.is_set() and time.monotonic() < deadline:
                    item_id = self._take()
                    if item_id is None:
                        if self.total is not None and len(self.accepted) >= self.total:
                            return
                        await asyncio.sleep(0.05)  # others' items may come back for a retry
                        continue
                    try:
                        async with session.post(url, json={"id": item_id}) as resp:
                            await resp.read()
                            status = resp.status
                    except (aiohttp.ClientError, asyncio.TimeoutError):
                        status = 0
                    if status == 200:
                        self.accepted.append(item_id)
                        self.accepted_at.append(time.monotonic())
                        continue
                    if status == 503:
                        self.answered_503 += 1
                    else:
                        self.unanswered += 1
                    self._retry.append(item_id)
                    await asyncio.sleep(0.05)

            await asyncio.gather(*(client() for _ in range(self.clients)))


def text(value: Union[bytes, str, None]) -> str:
    """A Redis reply value as text (redis-py answers bytes unless told otherwise)."""
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value or ""


async def dead_letters(client: Any, stream: str) -> List[Dict[str, str]]:
    """The entries of ``stream``'s dead-letter stream (``<stream>.dlq``), every field as text."""
    entries = await client.xrange(f"{stream}.dlq")
    return [{text(key): text(value) for key, value in (fields or {}).items()} for _, fields in entries or []]
