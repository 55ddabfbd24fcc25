"""The data of in-process streams (see ``hopeit.streams.memory``): entries, consumer groups, pending lists."""

import asyncio
import time
from collections import OrderedDict
from typing import Dict, List, Optional, Set, Tuple

from hopeit.streams._decoding import MessageFields

__all__ = ["STREAMS", "Entry", "Group", "MemoryStream", "MsgId", "Pending", "format_id", "parse_id", "wake"]

MsgId = Tuple[int, int]  # (milliseconds, sequence), ordered like Redis ids


class Entry:
    """One message of a stream: its fields kept as the part of its own and the part its write shares."""

    __slots__ = ("key", "msg_id", "own", "serial", "shared")

    def __init__(self, serial: int, msg_id: MsgId, own: MessageFields, shared: MessageFields) -> None:
        self.serial = serial  # position in the stream: ids may repeat a millisecond, serials never
        self.msg_id = msg_id
        self.key = format_id(msg_id)  # the id readers see and acknowledge with
        self.own = own  # fields of this message (encode_own)
        self.shared = shared  # fields of every message of its write (encode_shared)


class Pending:
    """A message delivered to a consumer of a group and not acknowledged yet."""

    __slots__ = ("consumer", "delivered_at", "delivery_count", "entry", "last_error")

    def __init__(self, entry: Entry, consumer: str, delivered_at: float) -> None:
        self.entry = entry  # keeps the data of a pending message alive even once trimmed
        self.consumer = consumer
        self.delivery_count = 1
        self.delivered_at = delivered_at  # manager clock time of the last delivery
        self.last_error = ""  # why its event failed last (for its dead-letter entry)

    def deliver(self, consumer: str, now: float) -> None:
        """Count one more delivery, to ``consumer``."""
        self.consumer = consumer
        self.delivery_count += 1
        self.delivered_at = now


class Group:
    """A consumer group: the next entry it reads and its pending messages."""

    __slots__ = ("next_serial", "pending")

    def __init__(self, next_serial: int) -> None:
        self.next_serial = next_serial
        self.pending: OrderedDict[bytes, Pending] = OrderedDict()  # by entry key, in order of last delivery

    def redeliver(self, pendings: List[Pending], consumer: str, now: float) -> None:
        """Deliver ``pendings`` again, to ``consumer``: they become the most recently delivered."""
        for pending in pendings:
            pending.deliver(consumer, now)
            self.pending.move_to_end(pending.entry.key)

    def take_stale(self, consumer: str, count: int, idle: float, now: float) -> List[Pending]:
        """Deliver again to ``consumer`` up to ``count`` messages pending ``idle`` seconds or more.

        ``count`` <= 0: all of them. Like Redis ``XAUTOCLAIM``: whoever they were delivered to, they
        are ``consumer``'s now.
        """
        stale: List[Pending] = []
        for pending in self.pending.values():  # oldest delivery first: stop at the first recent one
            if now - pending.delivered_at < idle or (0 < count <= len(stale)):
                break
            stale.append(pending)
        self.redeliver(stale, consumer, now)
        return stale


class MemoryStream:
    """Entries in order, the groups reading them, and the readers waiting for new ones."""

    __slots__ = ("entries", "groups", "last_id", "next_serial", "waiters")

    def __init__(self) -> None:
        self.entries: OrderedDict[int, Entry] = OrderedDict()
        self.groups: Dict[str, Group] = {}
        self.next_serial = 0
        self.last_id: MsgId = (0, 0)
        # Futures rather than asyncio.Condition: streams outlive event loops (one per test) and a
        # future belongs to the loop of the reader that created it.
        self.waiters: Set[asyncio.Future[None]] = set()

    def append(self, owns: List[MessageFields], shared: MessageFields) -> None:
        """Add one entry per ``own`` part, all sharing ``shared``, with increasing ids."""
        now_ms = int(time.time() * 1000)
        for own in owns:
            ms, seq = self.last_id
            self.last_id = (now_ms, 0) if now_ms > ms else (ms, seq + 1)
            self.entries[self.next_serial] = Entry(self.next_serial, self.last_id, own, shared)
            self.next_serial += 1

    def trim(self, max_len: int) -> Tuple[int, Set[str]]:
        """Drop the oldest entries past ``max_len``.

        Returns how many of them some group had not read yet (lost to it: a pending entry keeps its
        data, so only unread ones count), and the names of those groups.
        """
        unread, behind = 0, set()
        while len(self.entries) > max_len:
            serial, _ = self.entries.popitem(last=False)
            groups = [name for name, group in self.groups.items() if group.next_serial <= serial]
            if groups:
                unread += 1
                behind.update(groups)
        return unread, behind

    def take_new(self, group: Group, consumer: str, count: int, now: float) -> List[Entry]:
        """Deliver up to ``count`` entries the group has not read to ``consumer`` (``count`` <= 0: all) at ``now``."""
        if self.entries:
            # entries trimmed before this group read them are lost to it, as on Redis
            group.next_serial = max(group.next_serial, next(iter(self.entries)))
        taken: List[Entry] = []
        while group.next_serial < self.next_serial and (count <= 0 or len(taken) < count):
            entry = self.entries.get(group.next_serial)
            group.next_serial += 1
            if entry is not None:  # holes: entries acked by every group before this one existed
                group.pending[entry.key] = Pending(entry, consumer, now)
                taken.append(entry)
        return taken

    def acked_by_all(self, entry: Entry) -> bool:
        """True when every group has read ``entry`` and none has it pending."""
        for group in self.groups.values():
            if group.next_serial <= entry.serial or entry.key in group.pending:
                return False
        return True

    def ack(self, group: Group, key: bytes) -> int:
        """Remove ``key`` from the group's pending list (dropping the entry once all are done); 1 if it was pending."""
        pending = group.pending.pop(key, None)
        if pending is None:
            return 0
        entry = pending.entry
        if self.entries.get(entry.serial) is entry and self.acked_by_all(entry):
            del self.entries[entry.serial]
        return 1


def wake(waiters: Set["asyncio.Future[None]"]) -> None:
    """Resolve every waiter, each on its own event loop."""
    try:
        running: Optional[asyncio.AbstractEventLoop] = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    for waiter in list(waiters):
        if waiter.get_loop() is running:
            _resolve(waiter)
            continue
        try:
            waiter.get_loop().call_soon_threadsafe(_resolve, waiter)
        except RuntimeError:  # the reader's loop is closed: nobody left to wake
            waiters.discard(waiter)


def _resolve(waiter: "asyncio.Future[None]") -> None:
    if not waiter.done():
        waiter.set_result(None)


def format_id(msg_id: MsgId) -> bytes:
    """``<ms>-<seq>`` as Redis shows ids."""
    return f"{msg_id[0]}-{msg_id[1]}".encode()


def parse_id(offset: str) -> MsgId:
    """The id of a read offset (``'0'``, ``'1700000000000-0'``).

    :raises ValueError: for anything else.
    """
    ms, _, seq = offset.partition("-")
    try:
        return int(ms), int(seq or 0)
    except ValueError:
        raise ValueError(
            f"Invalid stream offset '{offset}': use '>' for new messages, or an id like '0' or '1700000000000-0'"
        ) from None


#: address -> stream name -> stream; shared by every manager of the process
STREAMS: Dict[str, Dict[str, MemoryStream]] = {}
