"""One round trip for the commands issued in the same event-loop turn.

The engine writes the results of an event with concurrent ``write_stream`` calls and acknowledges
each message of a batch from its own task. Sent one by one, each of those would wait for its own
reply and hold its own pooled connection; here they queue up while the loop turns once, then go
to Redis together in one pipeline (no MULTI), and each caller gets its own reply or error.
"""

import asyncio
from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, Generic, List, Optional, Sequence, Set, Tuple, TypeVar

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

__all__ = ["AckBatcher", "Pipeliner"]

Command = Callable[[Pipeline], Any]
_Item = TypeVar("_Item")


class _TurnBatcher(ABC, Generic[_Item]):
    """Collects items during one loop turn and sends them together; each caller awaits its own result."""

    def __init__(self, client: "Redis", timeout: Optional[float]) -> None:
        self._client = client
        self._timeout = timeout  # None: the client's own socket timeout bounds the round trip
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
        batch, self._queued = self._queued, []
        try:
            pipe = self._client.pipeline(transaction=False)
            results_of = self._pipeline(pipe, [item for item, _ in batch])
            sending = pipe.execute(raise_on_error=False)
            replies = await (sending if self._timeout is None else asyncio.wait_for(sending, self._timeout))
            results = results_of(replies)
        except BaseException as exc:  # every caller of the batch gets the failure
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc if isinstance(exc, Exception) else ConnectionError(repr(exc)))
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


class Pipeliner(_TurnBatcher[Command]):
    """Any commands, one pipeline per turn."""

    async def call(self, command: Command) -> Any:
        """Queue ``command`` (a function adding one command to a pipeline) and wait for its reply.

        :raises: the command's own error (``ResponseError``...) or the connection error of the batch.
        """
        return await self._submit(command)

    def _pipeline(self, pipe: Pipeline, items: List[Command]) -> Callable[[Sequence[Any]], List[Any]]:
        for command in items:
            command(pipe)
        return list


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
