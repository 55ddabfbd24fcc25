"""One round trip for the commands issued in the same event-loop turn.

The engine writes the results of an event with concurrent ``write_stream`` calls and acknowledges
each message of a batch from its own task. Sent one by one, each of those would wait for its own
reply and hold its own pooled connection; here they queue up while the loop turns once, then go
to Redis together in one pipeline (no MULTI), and each caller gets its own reply or error.

Writes keep at most ``max_connections`` pipelines in flight (``Slots``). Under load the queue keeps
filling while a batch waits for a slot, so batches grow instead of connections: a busy pool is
never mistaken for a Redis failure. A batch that waits longer than ``pool_timeout`` for a slot
fails with ``StreamBusyError``.
"""

import asyncio
from abc import ABC, abstractmethod
from collections import deque
from typing import Any, Callable, Deque, Dict, Generic, List, Optional, Sequence, Set, Tuple, TypeVar

from hopeit.streams import StreamBusyError
from hopeit.streams.messages import MessageFields
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

__all__ = ["AckBatcher", "Slots", "StreamWrite", "WriteBatcher"]

_Item = TypeVar("_Item")


class Slots:
    """At most ``size`` holders at a time; the others wait in line, each up to ``timeout`` seconds."""

    def __init__(self, size: int, timeout: float) -> None:
        self.size = size
        self.timeout = timeout
        self.in_use = 0
        self._waiting: Deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        """Take a slot, waiting in line for one.

        :raises StreamBusyError: when none was free within ``timeout`` seconds.
        """
        if self.in_use < self.size and not self._waiting:
            self.in_use += 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            await asyncio.wait([turn], timeout=self.timeout)
        finally:
            if not turn.done():  # timed out or cancelled: leave the line (release skips done turns)
                turn.cancel()
        if turn.cancelled():
            raise StreamBusyError(
                f"All {self.size} Redis write connections stayed busy for {self.timeout}s: the write was not sent. "
                "Redis answers, but writes arrive faster than it takes them: raise streams.settings.max_connections "
                "or pool_timeout, or add capacity"
            )

    def release(self) -> None:
        """Hand the slot to the next in line, or free it."""
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot passes on: in_use stays
                return
        self.in_use -= 1


class _TurnBatcher(ABC, Generic[_Item]):
    """Collects items during one loop turn and sends them together; each caller awaits its own result."""

    def __init__(self, client: "Redis", timeout: Optional[float], slots: Optional[Slots] = None) -> None:
        self._client = client
        self._timeout = timeout  # None: the client's own socket timeout bounds the round trip
        self._slots = slots  # None: as many pipelines in flight as turns that queued items
        self._queued: List[Tuple[_Item, asyncio.Future[Any]]] = []
        self._tasks: Set[asyncio.Task[None]] = set()

    async def _submit(self, item: _Item) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._queued.append((item, future))
        if len(self._queued) == 1:
            task = loop.create_task(self._flush())
            self._tasks.add(task)  # keep a reference until done: the loop holds tasks weakly
            task.add_done_callback(self._tasks.discard)
        return await future

    @abstractmethod
    def _pipeline(self, pipe: Pipeline, items: List[_Item]) -> Callable[[Sequence[Any]], List[Any]]:
        """Add the items' commands to ``pipe``; return how to map the replies to one result per item."""

    async def _flush(self) -> None:
        await asyncio.sleep(0)  # let the calls of this turn join the batch
        if self._slots is not None:
            try:
                await self._slots.acquire()  # items queued meanwhile join this batch
            except BaseException as exc:
                self._fail(self._take(), exc)
                if not isinstance(exc, Exception):
                    raise
                return
        try:
            await self._send(self._take())
        finally:
            if self._slots is not None:
                self._slots.release()

    def _take(self) -> List[Tuple[_Item, "asyncio.Future[Any]"]]:
        batch, self._queued = self._queued, []
        return batch

    @staticmethod
    def _fail(batch: List[Tuple[_Item, "asyncio.Future[Any]"]], exc: BaseException) -> None:
        for _, future in batch:
            if not future.done():
                future.set_exception(exc if isinstance(exc, Exception) else ConnectionError(repr(exc)))

    async def _send(self, batch: List[Tuple[_Item, "asyncio.Future[Any]"]]) -> None:
        try:
            pipe = self._client.pipeline(transaction=False)
            results_of = self._pipeline(pipe, [item for item, _ in batch])
            sending = pipe.execute(raise_on_error=False)
            replies = await (sending if self._timeout is None else asyncio.wait_for(sending, self._timeout))
            results = results_of(replies)
        except BaseException as exc:  # every caller of the batch gets the failure
            self._fail(batch, exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, future), result in zip(batch, results):
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def close(self) -> None:
        """Wait for batches in flight (their callers get their replies or errors)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


#: One write: ``(stream name, the messages' fields, target_max_len)``.
StreamWrite = Tuple[str, List[MessageFields], int]

#: Told how many entries an ``XTRIM`` removed: ``(stream name, count, max length)``.
TrimListener = Callable[[str, int, int], None]


class WriteBatcher(_TurnBatcher[StreamWrite]):
    """Stream writes: an ``XADD`` per message, then one ``XTRIM MAXLEN ~`` per stream written with a maximum length.

    Trimming once per stream and batch (rather than ``XADD MAXLEN ~`` per message) gives the same
    stream, costs a command a batch, and answers how many entries went, for ``on_trimmed``.
    """

    def __init__(
        self, client: "Redis", timeout: Optional[float], slots: Optional[Slots], on_trimmed: TrimListener
    ) -> None:
        super().__init__(client, timeout, slots)
        self._on_trimmed = on_trimmed

    async def write(self, stream_name: str, messages: List[MessageFields], target_max_len: int) -> int:
        """Append ``messages`` to ``stream_name``; returns how many were written.

        :raises: the first ``XADD`` error, or the connection error of the batch.
        """
        return int(await self._submit((stream_name, messages, target_max_len)))

    def _pipeline(self, pipe: Pipeline, items: List[StreamWrite]) -> Callable[[Sequence[Any]], List[Any]]:
        spans: List[Tuple[int, int]] = []  # (first reply, number of replies) of each write
        trims: Dict[str, int] = {}
        sent = 0
        for stream_name, messages, target_max_len in items:
            for fields in messages:
                pipe.xadd(stream_name, fields)  # type: ignore[arg-type]
            spans.append((sent, len(messages)))
            sent += len(messages)
            if target_max_len > 0:
                trims[stream_name] = min(target_max_len, trims.get(stream_name, target_max_len))
        for stream_name, max_len in trims.items():
            pipe.xtrim(stream_name, maxlen=max_len, approximate=True)

        def results_of(replies: Sequence[Any]) -> List[Any]:
            for (stream_name, max_len), trimmed in zip(trims.items(), replies[sent:]):
                if isinstance(trimmed, int) and trimmed > 0:
                    self._on_trimmed(stream_name, trimmed, max_len)
            results: List[Any] = []
            for first, count in spans:
                errors = [r for r in replies[first : first + count] if isinstance(r, Exception)]
                results.append(errors[0] if errors else count)
            return results

        return results_of


class AckBatcher(_TurnBatcher[Tuple[str, str, bytes]]):
    """Acknowledgements: one ``XACK`` with every id of the turn per stream and consumer group."""

    async def ack(self, stream_name: str, consumer_group: str, msg_id: bytes) -> int:
        """Acknowledge one message: 1 when it was pending, 0 when it was not.

        When some messages sharing one ``XACK`` were no longer pending, Redis only says how many
        were acknowledged: the first callers of that ``XACK`` get the 1s.
        """
        return int(await self._submit((stream_name, consumer_group, msg_id)))

    def _pipeline(
        self, pipe: Pipeline, items: List[Tuple[str, str, bytes]]
    ) -> Callable[[Sequence[Any]], List[Any]]:
        positions: Dict[Tuple[str, str], List[int]] = {}
        for index, (stream, group, _) in enumerate(items):
            positions.setdefault((stream, group), []).append(index)
        for (stream, group), indexes in positions.items():
            pipe.xack(stream, group, *(items[i][2] for i in indexes))

        def results_of(replies: Sequence[Any]) -> List[Any]:
            results: List[Any] = [0] * len(items)
            for indexes, reply in zip(positions.values(), replies):
                for rank, index in enumerate(indexes):
                    results[index] = reply if isinstance(reply, Exception) else int(rank < int(reply))
            return results

        return results_of
