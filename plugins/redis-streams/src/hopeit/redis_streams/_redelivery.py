"""Messages that were read but never acknowledged: finish them, or give up on them loudly.

Three sources, looked at before new messages on every read:

1. this consumer's own pending list, read once from id ``0`` after start and after every
   reconnection (a restarted process, or a reply lost with the connection);
2. messages pending on any consumer of the group (a crashed one, or this one when the event
   failed) for longer than ``claim_idle_ms``, taken over with ``XAUTOCLAIM`` every
   ``claim_interval_ms``;
3. for both, the delivery count from ``XPENDING``: past ``max_deliveries`` the message goes to
   the dead-letter stream ``<stream><dead_letter_suffix>`` with the reason and the last error seen,
   and is acknowledged in the same ``MULTI`` so the stream keeps flowing.

Consumers of the group idle longer than ``forget_consumers_idle_ms`` with nothing pending (the
names of hosts that went away) are removed, at most once a minute per group after a claim pass.
"""

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

from hopeit.redis_streams.settings import RedisStreamsSettings
from redis.asyncio import Redis

__all__ = ["Entry", "GroupState", "Redelivery", "entries_of"]

logger = logging.getLogger("hopeit.redis_streams")

#: ``(message id, fields)`` as redis-py returns them (fields empty when the entry was trimmed away).
Entry = Tuple[bytes, Dict[bytes, bytes]]

_CURSOR_START = b"0-0"
_MAX_ERRORS_KEPT = 10_000


@dataclass
class GroupState:
    """Where this consumer stands in one consumer group."""

    pending_cursor: Optional[bytes] = b"0"  # None once its own pending list was read through
    claim_cursor: bytes = _CURSOR_START
    next_claim: float = 0.0  # time.monotonic() of the next XAUTOCLAIM
    next_forget: float = 0.0  # time.monotonic() of the next look for consumers to forget


def entries_of(reply: Any) -> List[Entry]:
    """Messages of the single stream in an ``XREADGROUP`` reply (RESP2 list or RESP3 map)."""
    if not reply:
        return []
    streams = reply.values() if isinstance(reply, dict) else [item[1] for item in reply]
    found: List[Entry] = []
    for messages in streams:
        found.extend(messages or [])
    return found


def _as_bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def _as_text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Redelivery:
    """Pending-message recovery and dead-lettering for one stream manager."""

    def __init__(self, *, settings: RedisStreamsSettings, consumer: str) -> None:
        self.settings = settings
        self.consumer = consumer
        self.states: Dict[Tuple[str, str], GroupState] = {}
        self.reclaimed: Dict[str, int] = {}
        self.dead_lettered: Dict[str, int] = {}
        self._errors: OrderedDict[Tuple[str, bytes], str] = OrderedDict()

    def state(self, stream_name: str, consumer_group: str) -> GroupState:
        """The state of ``(stream, group)``, created on first use."""
        key = (stream_name, consumer_group)
        found = self.states.get(key)
        if found is None:
            found = self.states[key] = GroupState()
        return found

    def reconnected(self) -> None:
        """Read own pending lists again: replies lost with a connection left messages pending here."""
        for state in self.states.values():
            state.pending_cursor = b"0"

    def note_error(self, stream_name: str, msg_id: bytes, error: Exception) -> None:
        """Remember why a message could not be read, for its dead-letter record."""
        key = (stream_name, msg_id)
        self._errors[key] = f"{type(error).__name__}: {error}"
        self._errors.move_to_end(key)
        while len(self._errors) > _MAX_ERRORS_KEPT:
            self._errors.popitem(last=False)

    async def fetch(self, client: "Redis", stream_name: str, consumer_group: str, count: int) -> List[Entry]:
        """Messages to deliver again before new ones: own pending first, then reclaimed ones."""
        state = self.state(stream_name, consumer_group)
        if state.pending_cursor is not None:
            streams = {stream_name: state.pending_cursor}
            reply = await client.xreadgroup(consumer_group, self.consumer, streams, count=count)  # type: ignore[arg-type]
            entries = entries_of(reply)
            if entries:
                state.pending_cursor = _as_bytes(entries[-1][0])
                return await self._screen(client, stream_name, consumer_group, entries)
            state.pending_cursor = None
        now = time.monotonic()
        if now < state.next_claim:
            return []
        start = state.claim_cursor
        reply = await client.xautoclaim(
            stream_name, consumer_group, self.consumer, self.settings.claim_idle_ms, start, count=count
        )
        # Redis 6.2 answers [cursor, messages], 7.0+ adds the ids of deleted entries: use [0] and [1] only
        state.claim_cursor = _as_bytes(reply[0])
        if state.claim_cursor == _CURSOR_START:
            state.next_claim = now + self.settings.claim_interval_ms / 1000
            if self.settings.forget_consumers_idle_ms and now >= state.next_forget:
                state.next_forget = now + max(60.0, self.settings.claim_interval_ms / 1000)
                await self._forget_consumers(client, stream_name, consumer_group)
        claimed = [item for item in reply[1] if item]
        entries = [(_as_bytes(item[0]), item[1] or {}) for item in claimed if item[0] is not None]
        if len(entries) < len(claimed):
            await self._drop_deleted(client, stream_name, consumer_group, start, state.claim_cursor, entries)
        if not entries:
            return []
        self.reclaimed[stream_name] = self.reclaimed.get(stream_name, 0) + len(entries)
        logger.info(
            "Reclaimed %d message(s) pending longer than %d ms in stream '%s' group '%s' for consumer '%s'",
            len(entries), self.settings.claim_idle_ms, stream_name, consumer_group, self.consumer,
        )
        return await self._screen(client, stream_name, consumer_group, entries)

    async def _forget_consumers(self, client: "Redis", stream: str, group: str) -> None:
        """``XGROUP DELCONSUMER`` the consumers idle past ``forget_consumers_idle_ms`` with nothing pending."""
        forgotten = []
        for info in await client.xinfo_consumers(stream, group):
            name = _as_text(info.get("name"))
            if name != self.consumer and int(info.get("pending", 0)) == 0 and (
                int(info.get("idle", 0)) >= self.settings.forget_consumers_idle_ms
            ):
                # a consumer still alive is created again by its next read: removing it loses nothing
                await client.xgroup_delconsumer(stream, group, name)
                forgotten.append(name)
        if forgotten:
            logger.info(
                "Removed %d consumer(s) idle for more than %d ms with nothing pending from stream '%s' group '%s': %s",
                len(forgotten), self.settings.forget_consumers_idle_ms, stream, group, ", ".join(forgotten),
            )

    async def _drop_deleted(
        self, client: "Redis", stream: str, group: str, start: bytes, cursor: bytes, entries: List[Entry]
    ) -> None:
        """Ack pending entries trimmed from the stream that Redis 6.2 claims as nil, ids unknown.

        (7.0+ removes them from the pending list itself.) They are this consumer's pending entries
        in the claimed id range that no longer exist in the stream.
        """
        end = b"+" if cursor == _CURSOR_START else b"(" + cursor
        mine = await client.xpending_range(stream, group, min=start, max=end, count=1000, consumername=self.consumer)
        known = {msg_id for msg_id, _ in entries}
        candidates = [_as_bytes(p["message_id"]) for p in mine if _as_bytes(p["message_id"]) not in known]
        if not candidates:
            return
        pipe = client.pipeline(transaction=False)
        for msg_id in candidates:
            pipe.xrange(stream, min=msg_id, max=msg_id, count=1)
        found = await pipe.execute()
        deleted = [msg_id for msg_id, exists in zip(candidates, found) if not exists]
        if deleted:
            await client.xack(stream, group, *deleted)

    async def _screen(self, client: "Redis", stream: str, group: str, entries: List[Entry]) -> List[Entry]:
        """Drop entries trimmed away or already acked; dead-letter the over-delivered; keep the rest."""
        gone = [msg_id for msg_id, fields in entries if not fields]
        live = [(msg_id, fields) for msg_id, fields in entries if fields]
        pipe = client.pipeline(transaction=False)
        for msg_id in gone:  # trimmed by MAXLEN while pending: nothing left to deliver
            pipe.xack(stream, group, msg_id)
        for msg_id, _ in live:
            pipe.xpending_range(stream, group, min=msg_id, max=msg_id, count=1)
        replies = await pipe.execute()
        keep: List[Entry] = []
        dead: List[Tuple[bytes, Dict[bytes, bytes], int]] = []
        limit = self.settings.max_deliveries
        for (msg_id, fields), pending in zip(live, replies[len(gone) :]):
            if not pending:
                continue  # acknowledged by another consumer meanwhile
            deliveries = int(pending[0]["times_delivered"])
            if 0 < limit < deliveries:
                dead.append((msg_id, fields, deliveries))
            else:
                keep.append((msg_id, fields))
        if dead:
            await self._dead_letter(client, stream, group, dead)
        return keep

    async def _dead_letter(
        self, client: "Redis", stream: str, group: str, dead: List[Tuple[bytes, Dict[bytes, bytes], int]]
    ) -> None:
        target = stream + self.settings.dead_letter_suffix
        max_len = self.settings.dead_letter_max_len or None
        now = datetime.now(tz=timezone.utc).isoformat()
        records = []
        pipe = client.pipeline(transaction=True)  # the copy and the ack land together or not at all
        for msg_id, fields, deliveries in dead:
            error = self._errors.pop((stream, msg_id), "")
            reason = (
                f"delivered {deliveries} times without being acknowledged "
                f"(max_deliveries={self.settings.max_deliveries})"
            )
            record: Dict[Any, Any] = dict(fields)
            record.update({
                b"dlq.stream": stream,
                b"dlq.consumer_group": group,
                b"dlq.msg_id": msg_id,
                b"dlq.deliveries": str(deliveries),
                b"dlq.consumer": self.consumer,
                b"dlq.reason": reason,
                b"dlq.error": error or "the event failed or timed out: see its FAILED log lines for this stream.msg_id",
                b"dlq.ts": now,
            })
            pipe.xadd(target, record, maxlen=max_len, approximate=True)
            pipe.xack(stream, group, msg_id)
            records.append((msg_id, reason, error))
        await pipe.execute()
        self.dead_lettered[stream] = self.dead_lettered.get(stream, 0) + len(dead)
        for msg_id, reason, error in records:
            logger.warning(
                "Dead-lettered message %s of stream '%s' group '%s' to '%s': %s%s",
                msg_id.decode(), stream, group, target, reason, f"; last error: {error}" if error else "",
            )
