"""LogFileHandler on real files: which files, batches, checkpoints across restarts, rotation both ways."""

import asyncio
import os
import shutil
from pathlib import Path
from typing import Dict, List

from conftest import ContextFactory, append_lines, lifecycle_line
from hopeit.log_streamer import LogFileHandler, LogReaderConfig, start_observer
from hopeit.log_streamer.handler import DETACHED_GRACE_SECS
from hopeit.testing.waiting import wait_until
from watchdog.events import DirModifiedEvent, FileSystemEvent


class Clock:
    """Monotonic time that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def handler_of(context_factory: ContextFactory, clock: Clock, **settings: object) -> LogFileHandler:
    context = context_factory(**settings)
    return LogFileHandler(context.settings(datatype=LogReaderConfig), context, clock=clock)


def logs(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir(exist_ok=True)
    return folder


def publish_all(handler: LogFileHandler) -> List[str]:
    """Take and commit batches until nothing is left; the lines taken."""
    taken: List[str] = []
    while True:
        batch = handler.take_batch()
        if not batch:
            return taken
        taken.extend(batch.lines)
        handler.commit(batch)


async def test_files_present_at_start_are_read_from_their_beginning(make_context: ContextFactory,
                                                                    tmp_path: Path) -> None:
    folder = logs(tmp_path)
    append_lines(folder / "my_app_1x0_ev_host_1.log", [lifecycle_line(1), "a debug line", lifecycle_line(2, "DONE")])
    append_lines(folder / "other.txt.log", [lifecycle_line(3, "FAILED")])
    append_lines(folder / "log_streamer_1x0_log_reader_host_9.log", [lifecycle_line(4)])  # its own lines
    append_lines(folder / "my_app.log.1", [lifecycle_line(5)])  # rotated before we ever saw it
    (folder / "sub").mkdir()
    append_lines(folder / "sub" / "x.log", [lifecycle_line(6)])
    handler = handler_of(make_context, Clock())
    assert sorted(publish_all(handler)) == sorted([lifecycle_line(1), lifecycle_line(2, "DONE"),
                                                   lifecycle_line(3, "FAILED")])
    handler.close()


async def test_prefix_limits_the_files(make_context: ContextFactory, tmp_path: Path) -> None:
    folder = logs(tmp_path)
    append_lines(folder / "wanted_a.log", [lifecycle_line(1)])
    append_lines(folder / "other_b.log", [lifecycle_line(2)])
    handler = handler_of(make_context, Clock(), prefix="wanted")
    assert publish_all(handler) == [lifecycle_line(1)]
    handler.close()


async def test_batches_hold_at_most_batch_size_lines(make_context: ContextFactory, tmp_path: Path) -> None:
    folder = logs(tmp_path)
    lines = [lifecycle_line(n) for n in range(25)]
    append_lines(folder / "a.log", lines)
    handler = handler_of(make_context, Clock(), batch_size=10)
    sizes = []
    while True:
        batch = handler.take_batch()
        if not batch:
            break
        sizes.append(len(batch.lines))
        handler.commit(batch)
    assert sizes == [10, 10, 5]
    handler.close()


async def test_batches_take_turns_between_busy_files(make_context: ContextFactory, tmp_path: Path) -> None:
    folder = logs(tmp_path)
    append_lines(folder / "a.log", [lifecycle_line(n) for n in range(10)])
    append_lines(folder / "b.log", [lifecycle_line(n) for n in range(100, 110)])
    handler = handler_of(make_context, Clock(), batch_size=5)
    first = handler.take_batch()
    handler.commit(first)
    second = handler.take_batch()
    assert {line[-4:] for line in first.lines} != {line[-4:] for line in second.lines}
    assert len(first.positions) == len(second.positions) == 1
    assert set(first.positions) != set(second.positions)
    handler.close()


async def test_a_restart_resumes_at_the_checkpoint(make_context: ContextFactory, tmp_path: Path) -> None:
    folder = logs(tmp_path)
    path = folder / "a.log"
    append_lines(path, [lifecycle_line(n) for n in range(3)])
    first = handler_of(make_context, Clock())
    assert len(publish_all(first)) == 3
    append_lines(path, [lifecycle_line(3)])
    unpublished = first.take_batch()  # taken, never published: the process dies here
    assert unpublished.lines == [lifecycle_line(3)]
    first.close()
    append_lines(path, [lifecycle_line(4), "partial without newline"])
    second = handler_of(make_context, Clock())
    assert publish_all(second) == [lifecycle_line(3), lifecycle_line(4)]
    second.close()
    third = handler_of(make_context, Clock())
    assert publish_all(third) == []
    third.close()


async def test_a_batch_not_published_is_taken_again(make_context: ContextFactory, tmp_path: Path) -> None:
    path = logs(tmp_path) / "a.log"
    append_lines(path, [lifecycle_line(1)])
    handler = handler_of(make_context, Clock())
    batch = handler.take_batch()
    handler.rewind(batch)
    again = handler.take_batch()
    assert again.lines == batch.lines == [lifecycle_line(1)]
    handler.commit(again)
    assert not handler.take_batch()
    handler.close()


async def test_rename_and_create_rotation(make_context: ContextFactory, tmp_path: Path) -> None:
    folder = logs(tmp_path)
    path, rotated = folder / "a.log", folder / "a.log.1"
    clock = Clock()
    append_lines(path, [lifecycle_line(1)])
    handler = handler_of(make_context, clock)
    assert publish_all(handler) == [lifecycle_line(1)]
    path.rename(rotated)
    append_lines(rotated, [lifecycle_line(2)])  # the writer has not reopened yet
    append_lines(path, [lifecycle_line(3)])
    assert sorted(publish_all(handler)) == [lifecycle_line(2), lifecycle_line(3)]
    assert handler.close_inactive_files() == []  # not idle long enough yet
    clock.now += DETACHED_GRACE_SECS
    assert handler.close_inactive_files() == [str(rotated)]
    assert len(handler.followers) == 1
    append_lines(path, [lifecycle_line(4)])
    assert publish_all(handler) == [lifecycle_line(4)]
    handler.close()


async def test_rotation_while_stopped_reads_the_rest_of_the_rotated_file(make_context: ContextFactory,
                                                                         tmp_path: Path) -> None:
    folder = logs(tmp_path)
    path, rotated = folder / "a.log", folder / "a.log.1"
    append_lines(path, [lifecycle_line(1)])
    first = handler_of(make_context, Clock())
    assert publish_all(first) == [lifecycle_line(1)]
    first.close()
    append_lines(path, [lifecycle_line(2)])
    path.rename(rotated)
    append_lines(path, [lifecycle_line(3)])
    second = handler_of(make_context, Clock())
    assert sorted(publish_all(second)) == [lifecycle_line(2), lifecycle_line(3)]
    second.close()


async def test_copytruncate_rotation(make_context: ContextFactory, tmp_path: Path) -> None:
    folder = logs(tmp_path)
    path = folder / "a.log"
    append_lines(path, [lifecycle_line(1), lifecycle_line(2)])
    handler = handler_of(make_context, Clock())
    assert publish_all(handler) == [lifecycle_line(1), lifecycle_line(2)]
    with open(path, "r+", encoding="utf-8") as file:
        file.truncate(0)
    append_lines(path, [lifecycle_line(3)])
    assert publish_all(handler) == [lifecycle_line(3)]
    assert handler.truncations() == (1,)
    handler.close()
    restarted = handler_of(make_context, Clock())
    assert publish_all(restarted) == []
    restarted.close()


async def test_truncated_to_empty_saves_the_new_start(make_context: ContextFactory, tmp_path: Path) -> None:
    path = logs(tmp_path) / "a.log"
    append_lines(path, [lifecycle_line(1)])
    handler = handler_of(make_context, Clock())
    publish_all(handler)
    path.write_text("", encoding="utf-8")
    batch = handler.take_batch()
    assert batch and not batch.lines
    handler.commit(batch)
    handler.close()
    append_lines(path, [lifecycle_line(2)])
    restarted = handler_of(make_context, Clock())
    assert publish_all(restarted) == [lifecycle_line(2)]
    restarted.close()


async def test_a_deleted_file_is_closed_once_read(make_context: ContextFactory, tmp_path: Path) -> None:
    path = logs(tmp_path) / "a.log"
    clock = Clock()
    append_lines(path, [lifecycle_line(1)])
    handler = handler_of(make_context, clock)
    with open(path, "a", encoding="utf-8") as writer:
        assert publish_all(handler) == [lifecycle_line(1)]
        path.unlink()
        writer.write(lifecycle_line(2) + "\n")
        writer.flush()
        clock.now += DETACHED_GRACE_SECS
        assert handler.close_inactive_files() == []  # the new line is not read yet
        assert publish_all(handler) == [lifecycle_line(2)]
        clock.now += DETACHED_GRACE_SECS
        assert handler.close_inactive_files() == [str(path)]
    assert handler.followers == {}
    handler.close()


async def test_idle_files_are_closed_and_opened_again_when_written(make_context: ContextFactory,
                                                                   tmp_path: Path) -> None:
    path = logs(tmp_path) / "a.log"
    clock = Clock()
    append_lines(path, [lifecycle_line(1)])
    handler = handler_of(make_context, clock, file_open_timeout_secs=60)
    assert publish_all(handler) == [lifecycle_line(1)]
    clock.now += 59
    assert handler.close_inactive_files() == []
    clock.now += 1
    assert handler.close_inactive_files() == [str(path)]
    assert publish_all(handler) == []
    assert handler.followers == {}  # unchanged: not opened again
    append_lines(path, [lifecycle_line(2)])
    assert publish_all(handler) == [lifecycle_line(2)]
    handler.close()


async def test_expired_checkpoints_are_ignored_and_removed(make_context: ContextFactory, tmp_path: Path) -> None:
    path = logs(tmp_path) / "a.log"
    append_lines(path, [lifecycle_line(1)])
    handler = handler_of(make_context, Clock())
    publish_all(handler)
    handler.close()
    saved = list((tmp_path / "checkpoints").iterdir())
    assert len(saved) == 1
    stale = saved[0].read_text(encoding="utf-8").replace('"expire": ', '"expire": -1')
    saved[0].write_text(stale, encoding="utf-8")
    restarted = handler_of(make_context, Clock())
    assert not saved[0].exists()
    assert publish_all(restarted) == [lifecycle_line(1)]
    restarted.close()


async def test_a_broken_checkpoint_reads_the_file_from_its_start(make_context: ContextFactory,
                                                                 tmp_path: Path) -> None:
    path = logs(tmp_path) / "a.log"
    append_lines(path, [lifecycle_line(1)])
    handler = handler_of(make_context, Clock())
    publish_all(handler)
    handler.close()
    for saved in (tmp_path / "checkpoints").iterdir():
        saved.write_text("{not json", encoding="utf-8")
    restarted = handler_of(make_context, Clock())
    assert publish_all(restarted) == [lifecycle_line(1)]
    restarted.close()


async def test_checkpoints_are_written_whole(make_context: ContextFactory, tmp_path: Path) -> None:
    path = logs(tmp_path) / "a.log"
    append_lines(path, [lifecycle_line(1)])
    handler = handler_of(make_context, Clock())
    publish_all(handler)
    handler.close()
    files: Dict[str, str] = {f.name: f.read_text(encoding="utf-8") for f in (tmp_path / "checkpoints").iterdir()}
    (name, text), = files.items()
    stat = os.stat(path)
    assert name == f"log_streamer.1x0.{stat.st_dev}-{stat.st_ino}.checkpoint.json"
    assert f'"offset": {stat.st_size}' in text and lifecycle_line(1) in text


async def test_the_observer_wakes_the_service_on_writes(make_context: ContextFactory, tmp_path: Path) -> None:
    folder = logs(tmp_path)
    handler = handler_of(make_context, Clock())
    observer = start_observer(handler, handler.folder)
    try:
        append_lines(folder / "a.log", [lifecycle_line(1)])
        await wait_until(handler.changed.is_set, timeout=10, what="watchdog saw the write")
        await handler.wait_for_changes(timeout=10)
        assert not handler.changed.is_set()
        assert publish_all(handler) == [lifecycle_line(1)]
        await handler.wait_for_changes(timeout=0.01)  # nothing changed: returns after the timeout
    finally:
        observer.stop()  # type: ignore[no-untyped-call,unused-ignore]
        observer.join()
        handler.close()


async def test_copytruncate_lines_written_before_the_truncation_are_read_from_the_copy(
    make_context: ContextFactory, tmp_path: Path
) -> None:
    folder = logs(tmp_path)
    path = folder / "a.log"
    clock = Clock()
    append_lines(path, [lifecycle_line(1)])
    append_lines(folder / "b.log", [lifecycle_line(100)])  # a file that is no copy of it
    handler = handler_of(make_context, clock)
    assert sorted(publish_all(handler)) == [lifecycle_line(1), lifecycle_line(100)]
    append_lines(path, [lifecycle_line(2), lifecycle_line(3)])  # not read yet when logrotate runs
    shutil.copyfile(path, folder / "a.log.1")
    (folder / "a.log.2").write_text(lifecycle_line(1) + "\n", encoding="utf-8")  # a copy with nothing more
    with open(path, "r+", encoding="utf-8") as file:
        file.truncate(0)
    append_lines(path, [lifecycle_line(4)])
    assert sorted(publish_all(handler)) == [lifecycle_line(n) for n in (2, 3, 4)]
    clock.now += DETACHED_GRACE_SECS
    assert handler.close_inactive_files() == [str(folder / "a.log.1")]
    handler.close()
    restarted = handler_of(make_context, Clock())
    assert publish_all(restarted) == []
    restarted.close()


async def test_reads_do_not_wake_the_service(make_context: ContextFactory, tmp_path: Path) -> None:
    class Opened(FileSystemEvent):
        event_type = "opened"

    handler = handler_of(make_context, Clock())
    handler.on_any_event(Opened(str(tmp_path / "logs" / "a.log")))
    handler.on_any_event(DirModifiedEvent(str(tmp_path / "logs")))  # the folder's own times
    await asyncio.sleep(0)  # what the observer thread asked the loop to run has run by now
    assert not handler.changed.is_set()
    handler.close()
