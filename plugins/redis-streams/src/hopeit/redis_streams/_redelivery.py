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

The error of a message that failed (its event raised or timed out, or it could not be decoded) is
kept in Redis under ``<stream><dead_letter_suffix>.error.<msg id>``, expiring on its own, so the
dead-letter entry carries it whichever consumer dead-letters the message. Messages the decoder
refuses (a serialization the stream does not allow) are dead-lettered at once: they can never be read.
"""

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from hopeit.redis_streams.settings import RedisStreamsSettings
from hopeit.streams.messages import escape_text
from hopeit.streams.trimming import UnreadTrimCounter
from redis.asyncio import Redis

__all__ = ["DeadLetter", "Entry", "GroupState", "Redelivery", "entries_by_stream", "entries_of"]

logger = logging.getLogger("hopeit.redis_streams")

#: ``(message id, fields)`` as redis-py returns them (fields empty when the entry was trimmed away).
Entry = Tuple[bytes, Dict[bytes, bytes]]

_CURSOR_START = b"0-0"
_MAX_ERRORS_KEPT = 10_000
_HOUR_MS = 3_600_000
_WEEK_MS = 7 * 24 * _HOUR_MS
_NO_ERROR_SEEN = "the event failed or timed out: see its FAILED log lines for this stream.msg_id"


class DeadLetter(NamedTuple):
    """A message to move to the dead-letter stream, and why."""

    msg_id: bytes
    fields: Dict[bytes, bytes]
    deliveries: int
    reason: str
    error: str = ""  # known already (a refusal); else the last error recorded for the message


@dataclass
class GroupState:
    """Where this consumer stands in one consumer group."""

    pending_cursor: Optional[bytes] = b"0"  # None once its own pending list was read through
    claim_cursor: bytes = _CURSOR_START
    next_claim: float = 0.0  # time.monotonic() of the next XAUTOCLAIM
    next_forget: float = 0.0  # time.monotonic() of the next look for consumers to forget


def entries_of(reply: Any) -> List[Entry]:
    """Messages of the single stream in an ``XREADGROUP`` reply (RESP2 list or RESP3 map)."""
    found: List[Entry] = []
    for messages in entries_by_stream(reply).values():
        found.extend(messages)
    return found


def entries_by_stream(reply: Any) -> Dict[str, List[Entry]]:
    """Messages of each stream (by name) in an ``XREADGROUP`` reply (RESP2 list or RESP3 map)."""
    if not reply:
        return {}
    pairs = reply.items() if isinstance(reply, dict) else ((item[0], item[1]) for item in reply)
    return {_as_text(name): _messages(messages) for name, messages in pairs}


def _messages(messages: Any) -> List[Entry]:
    """The entries of one stream of a reply; redis-py's RESP3 parser wraps them in one more list."""
    if not messages:
        return []
    first = messages[0]
    if isinstance(first, list) and not (first and isinstance(first[0], (bytes, str))):
        return [entry for wrapped in messages for entry in wrapped]
    return list(messages)


def _as_bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def _as_text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Redelivery:
    """Pending-message recovery and dead-lettering for one stream manager."""

    def __init__(self, *, settings: RedisStreamsSettings, consumer: str, trims: UnreadTrimCounter) -> None:
        self.settings = settings
        self.consumer = consumer
        self.trims = trims  # pending messages trimmed away are lost to their group too
        self.states: Dict[Tuple[str, str], GroupState] = {}
        self.reclaimed: Dict[str, int] = {}
        self.dead_lettered: Dict[str, int] = {}
        self.dead_lettered_groups: Dict[Tuple[str, str], int] = {}  # by (stream, group): for group_stats
        self._errors: OrderedDict[Tuple[str, bytes], str] = OrderedDict()
        # an error must outlive the deliveries before dead-lettering: each may wait claim_idle_ms
        cycle = settings.claim_idle_ms + settings.claim_interval_ms
        self.error_ttl_ms = max(_HOUR_MS, min(_WEEK_MS, (settings.max_deliveries + 2) * cycle))

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

    def error_key(self, stream_name: str, msg_id: bytes) -> str:
        """Redis key of the last error recorded for a message."""
        return f"{stream_name}{self.settings.dead_letter_suffix}.error.{_as_text(msg_id)}"

    async def record_errors(self, client: "Redis", stream_name: str, errors: Sequence[Tuple[bytes, str]]) -> None:
        """Keep why messages failed (``error_text``), here and in Redis, for their dead-letter entries."""
        if not errors or self.settings.max_deliveries == 0:  # never dead-lettered: nothing to keep
            return
        pipe = client.pipeline(transaction=False)
        for msg_id, text in errors:
            key = (stream_name, msg_id)
            self._errors[key] = text
            self._errors.move_to_end(key)
            pipe.set(self.error_key(stream_name, msg_id), text, px=self.error_ttl_ms)
        while len(self._errors) > _MAX_ERRORS_KEPT:
            self._errors.popitem(last=False)
        await pipe.execute()

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
            self.trims.add(stream, len(deleted), groups=[group])

    async def _screen(self, client: "Redis", stream: str, group: str, entries: List[Entry]) -> List[Entry]:
        """Drop entries trimmed away or already acked; dead-letter the over-delivered; keep the rest."""
        gone = [msg_id for msg_id, fields in entries if not fields]
        live = [(msg_id, fields) for msg_id, fields in entries if fields]
        self.trims.add(stream, len(gone), groups=[group])  # read, never acked, then trimmed: lost
        pipe = client.pipeline(transaction=False)
        for msg_id in gone:  # trimmed by MAXLEN while pending: nothing left to deliver
            pipe.xack(stream, group, msg_id)
        for msg_id, _ in live:
            pipe.xpending_range(stream, group, min=msg_id, max=msg_id, count=1)
        replies = await pipe.execute()
        keep: List[Entry] = []
        dead: List[DeadLetter] = []
        limit = self.settings.max_deliveries
        for (msg_id, fields), pending in zip(live, replies[len(gone) :]):
            if not pending:
                continue  # acknowledged by another consumer meanwhile
            deliveries = int(pending[0]["times_delivered"])
            if 0 < limit < deliveries:
                reason = f"delivered {deliveries} times without being acknowledged (max_deliveries={limit})"
                dead.append(DeadLetter(msg_id, fields, deliveries, reason))
            else:
                keep.append((msg_id, fields))
        if dead:
            await self.dead_letter(client, stream, group, dead)
        return keep

    async def dead_letter(
        self, client: "Redis", stream: str, group: str, dead: Sequence[DeadLetter], *, log: bool = True
    ) -> str:
        """Copy ``dead`` to the dead-letter stream and acknowledge them, in one ``MULTI``; returns its name.

        ``log=False`` when the caller reports each message itself (refused ones come back as read items).
        """
        target = stream + self.settings.dead_letter_suffix
        max_len = self.settings.dead_letter_max_len or None
        now = datetime.now(tz=timezone.utc).isoformat()
        keys = [self.error_key(stream, letter.msg_id) for letter in dead]
        recorded = await client.mget(keys)  # errors recorded by any consumer of the group
        errors = []
        pipe = client.pipeline(transaction=True)  # the copy and the ack land together or not at all
        for letter, key, shared_error in zip(dead, keys, recorded):
            local_error = self._errors.pop((stream, letter.msg_id), "")
            error = letter.error or (_as_text(shared_error) if shared_error else local_error)
            record: Dict[Any, Any] = dict(letter.fields)
            record.update({
                b"dlq.stream": stream,
                b"dlq.consumer_group": group,
                b"dlq.msg_id": letter.msg_id,
                b"dlq.deliveries": str(letter.deliveries),
                b"dlq.consumer": self.consumer,
                b"dlq.reason": letter.reason,
                b"dlq.error": error or _NO_ERROR_SEEN,
                b"dlq.ts": now,
            })
            pipe.xadd(target, record, maxlen=max_len, approximate=True)
            pipe.xack(stream, group, letter.msg_id)
            pipe.delete(key)
            errors.append(error)
        await pipe.execute()
        self.dead_lettered[stream] = self.dead_lettered.get(stream, 0) + len(dead)
        self.dead_lettered_groups[(stream, group)] = self.dead_lettered_groups.get((stream, group), 0) + len(dead)
        if log:
            for letter, error in zip(dead, errors):
                logger.warning(
                    "Dead-lettered message %s of stream '%s' group '%s' to '%s': %s%s",
                    letter.msg_id.decode(), stream, group, target, letter.reason,
                    f"; last error: {escape_text(error, 500)}" if error else "",
                )
        return target
