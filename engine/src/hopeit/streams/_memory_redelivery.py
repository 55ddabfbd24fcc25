"""Delivering messages again, and dead letters, for the in-process streams (see ``hopeit.streams.memory``)."""

import logging
from typing import Callable, Dict, List, Sequence, Tuple

from hopeit.streams import MessageRefusedError, StreamConfigError, StreamEvent, StreamsConfig
from hopeit.streams._memory_store import Entry, Group, MemoryStream, Pending
from hopeit.streams.messages import MessageFields, error_text, utc_iso_now

__all__ = ["Redelivery", "int_setting"]

logger = logging.getLogger("hopeit.streams")

_NO_ERROR_SEEN = "the event failed or timed out: see its FAILED log lines for this stream.msg_id"


def int_setting(config: StreamsConfig, name: str, default: int, *, minimum: int) -> int:
    """Option ``name`` of ``config.settings`` as a whole number of at least ``minimum``.

    :raises StreamConfigError: naming the option, when it is not such a number.
    """
    value = config.settings.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = minimum - 1
    if number < minimum or isinstance(value, bool):
        raise StreamConfigError(
            f"streams.settings.{name} of the memory stream manager must be a whole number >= {minimum}, got {value!r}"
        )
    return number


class Redelivery:
    """What one manager does with messages left pending: deliver them again, or dead-letter them.

    ``stream_of(name)`` gives (creating it) the stream where dead letters go.
    """

    def __init__(self, config: StreamsConfig, consumer: str, stream_of: Callable[[str], MemoryStream]) -> None:
        self.consumer = consumer
        self.stream_of = stream_of
        self.claim_idle_ms = int_setting(config, "claim_idle_ms", 120_000, minimum=1)
        self.max_deliveries = int_setting(config, "max_deliveries", 5, minimum=0)
        self.dead_letter_suffix = str(config.settings.get("dead_letter_suffix", ".dlq"))
        self.reclaimed: Dict[str, int] = {}
        self.dead_lettered: Dict[str, int] = {}
        self.dead_lettered_groups: Dict[Tuple[str, str], int] = {}  # by (stream, group): for group_stats

    def stale(
        self, stream_name: str, consumer_group: str, stream: MemoryStream, group: Group, count: int, now: float
    ) -> List[Entry]:
        """Up to ``count`` messages of the group pending ``claim_idle_ms``, delivered again to this consumer.

        Those past ``max_deliveries`` are dead-lettered instead (and logged).
        """
        if not group.pending:
            return []
        entries: List[Entry] = []
        limit = self.max_deliveries
        for pending in group.take_stale(self.consumer, count, self.claim_idle_ms / 1000, now):
            if 0 < limit < pending.delivery_count:
                reason = f"delivered {pending.delivery_count} times without being acknowledged (max_deliveries={limit})"
                target = self.dead_letter(stream_name, consumer_group, stream, group, pending, reason)
                logger.warning(
                    "Dead-lettered message %s of stream '%s' group '%s' to '%s': %s%s", pending.entry.key.decode(),
                    stream_name, consumer_group, target, reason,
                    f"; last error: {pending.last_error}" if pending.last_error else "",
                )
            else:
                entries.append(pending.entry)
        if entries:
            self.reclaimed[stream_name] = self.reclaimed.get(stream_name, 0) + len(entries)
        return entries

    def refused(
        self, stream_name: str, consumer_group: str, stream: MemoryStream, group: Group, entry: Entry,
        error: MessageRefusedError,
    ) -> MessageRefusedError:
        """Dead-letter a message just read that the decoder refused; the error saying where it went."""
        pending = group.pending[entry.key]
        pending.last_error = error_text(error)
        target = self.dead_letter(stream_name, consumer_group, stream, group, pending, error.reason)
        return MessageRefusedError(
            f"{error}; moved to dead-letter stream '{target}'", msg_id=entry.key, reason=error.reason
        )

    def dead_letter(
        self, stream_name: str, consumer_group: str, stream: MemoryStream, group: Group, pending: Pending, reason: str
    ) -> str:
        """Copy a pending message to the dead-letter stream and acknowledge it; returns that stream's name.

        The copy has the message's fields and the ``dlq.*`` fields of redis-streams.
        """
        target = stream_name + self.dead_letter_suffix
        entry = pending.entry
        own: MessageFields = {
            **entry.own,
            "dlq.stream": stream_name,
            "dlq.consumer_group": consumer_group,
            "dlq.msg_id": entry.key.decode(),
            "dlq.deliveries": str(pending.delivery_count),
            "dlq.consumer": self.consumer,
            "dlq.reason": reason,
            "dlq.error": pending.last_error or _NO_ERROR_SEEN,
            "dlq.ts": utc_iso_now(),
        }
        self.stream_of(target).append([own], entry.shared)
        stream.ack(group, entry.key)
        self.dead_lettered[stream_name] = self.dead_lettered.get(stream_name, 0) + 1
        key = (stream_name, consumer_group)
        self.dead_lettered_groups[key] = self.dead_lettered_groups.get(key, 0) + 1
        return target

    @staticmethod
    def record_errors(group: Group, failures: Sequence[Tuple[StreamEvent, BaseException]]) -> None:
        """Keep the error of each failed message still pending, for its dead-letter entry."""
        for stream_event, error in failures:
            pending = group.pending.get(stream_event.msg_internal_id)
            if pending is not None:
                pending.last_error = error_text(error)
