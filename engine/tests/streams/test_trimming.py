"""Entries trimmed by a maximum length before a consumer group read them are counted and warned about."""

import logging

import pytest
from hopeit.streams import trimming
from hopeit.streams.trimming import UnreadTrimCounter

from .conftest import ManagerFactory
from .memory_support import GROUP, STREAM, events, read, write
from .payloads import Plain


async def test_trimming_unread_entries_is_counted_and_logged(
    managers: ManagerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A group with no consumer: writing 3x target_max_len loses 2x to it, logged once and counted exactly."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    with caplog.at_level(logging.WARNING, logger="hopeit.streams"):
        for i in range(30):
            await write(manager, Plain(value=i), target_max_len=10)
    assert manager.stream_length(STREAM) == 10
    assert manager.stats()["trimmed_unread"] == {STREAM: 20}
    warnings = [r.getMessage() for r in caplog.records if "trimmed" in r.getMessage()]
    assert len(warnings) == 1  # rate-limited: not one line per message
    assert f"Stream '{STREAM}' trimmed 1 entry (maximum length 10) before consumer group(s) '{GROUP}'" in warnings[0]


async def test_trimming_what_every_group_read_is_not_counted(managers: ManagerFactory) -> None:
    """Entries already read (acked or pending) are not lost when trimmed; a stream with no group counts nothing."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    for i in range(30):
        await write(manager, Plain(value=i), target_max_len=10)
        events(await read(manager))  # read at once, left pending
    await write(manager, *[Plain(value=i) for i in range(30)], stream="no.group", target_max_len=10)
    assert manager.stats()["trimmed_unread"] == {}


class Clock:
    """``time.monotonic`` of the trimming module, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


def test_warnings_are_rate_limited_per_stream(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first loss of a stream warns at once; later ones are summed into the next warning when due."""
    clock = Clock()
    monkeypatch.setattr(trimming, "time", clock)
    counter = UnreadTrimCounter(logging.getLogger("hopeit.streams"), warn_interval=60)
    with caplog.at_level(logging.WARNING, logger="hopeit.streams"):
        counter.add("a", 5, groups=["g"], max_len=100)
        counter.add("a", 7, groups=["g"], max_len=100)
        counter.add("b", 1, groups=["h\nFORGED"], max_len=0)
        counter.add("a", 0, groups=["g"])
    assert counter.counts == {"a": 12, "b": 1}
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert "'a' trimmed 5 entries (maximum length 100)" in lines[0] and "(5 since start)" in lines[0]
    assert "'h\\nFORGED'" in lines[1] and "\n" not in lines[1]
    clock.now += 60
    with caplog.at_level(logging.WARNING, logger="hopeit.streams"):
        counter.add("a", 1, groups=["g"])
    assert "'a' trimmed 8 entries before" in caplog.records[-1].getMessage()  # 7 unreported + 1
