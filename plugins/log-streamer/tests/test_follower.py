"""FileFollower on real files: partial lines, offsets, truncation, rename and delete."""

import os
from pathlib import Path
from typing import List

import hopeit.log_streamer.follower as follower_module
import pytest
from hopeit.log_streamer.follower import FileFollower, Position, line_ends_at


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as file:
        file.write(text)


def drain(follower: FileFollower) -> List[str]:
    lines: List[str] = []
    while True:
        line = follower.next_line()
        if line is None:
            return lines
        lines.append(line.text)


def test_reads_complete_lines_with_their_end_offsets(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    append(path, "one\ntwo\n")
    follower = FileFollower(str(path))
    first, second = follower.next_line(), follower.next_line()
    assert first is not None and (first.text, first.position.offset) == ("one", 4)
    assert second is not None and (second.text, second.position.offset, second.position.line) == ("two", 8, b"two")
    assert follower.next_line() is None
    follower.close()
    follower.close()  # twice is harmless


def test_a_partial_last_line_waits_for_its_newline(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    append(path, "one\ntw")
    follower = FileFollower(str(path))
    assert drain(follower) == ["one"]
    append(path, "o and")
    assert drain(follower) == []
    assert not follower.fully_published()
    append(path, " more\nthree\n")
    assert drain(follower) == ["two and more", "three"]
    assert follower.position().offset == path.stat().st_size
    follower.close()


def test_resumes_at_a_position_the_file_still_holds(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    append(path, "one\ntwo\nthree\n")
    follower = FileFollower(str(path), Position(8, b"two"))
    assert follower.resumed
    assert drain(follower) == ["three"]
    follower.close()


def test_a_position_the_file_does_not_hold_starts_over(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    append(path, "one\ntwo\nthree\n")
    for wrong in (Position(8, b"one"), Position(100, b"two"), Position(2, b"three")):
        follower = FileFollower(str(path), wrong)
        assert not follower.resumed
        assert drain(follower) == ["one", "two", "three"]
        follower.close()


def test_line_ends_at(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    append(path, "one\ntwo\n")
    fd = os.open(path, os.O_RDONLY)
    try:
        assert line_ends_at(fd, 0, b"")
        assert line_ends_at(fd, 8, b"two")
        assert not line_ends_at(fd, 7, b"two")
        assert not line_ends_at(fd, 3, b"one and more")
    finally:
        os.close(fd)


def test_rewind_hands_out_the_uncommitted_lines_again(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    append(path, "one\ntwo\nthree\n")
    follower = FileFollower(str(path))
    follower.next_line()
    follower.commit(follower.position())
    assert drain(follower) == ["two", "three"]
    follower.rewind()
    assert drain(follower) == ["two", "three"]
    follower.commit(follower.position())
    assert follower.fully_published()
    follower.close()


def test_copytruncate_is_found_by_size_and_read_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    append(path, "one\ntwo\n")
    follower = FileFollower(str(path))
    assert drain(follower) == ["one", "two"]
    stale = follower.position()
    with open(path, "r+", encoding="utf-8") as file:  # what copytruncate does after its copy
        file.truncate(0)
    append(path, "new\n")
    assert drain(follower) == ["new"]
    assert follower.truncations == 1
    follower.commit(stale)  # a position from before the truncation is no use after it
    assert follower.committed.offset == 0
    follower.close()


def test_a_truncated_file_written_past_the_old_size_is_found_by_its_last_line(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    append(path, "one\ntwo\n")
    follower = FileFollower(str(path))
    assert drain(follower) == ["one", "two"]
    with open(path, "w", encoding="utf-8") as file:
        file.write("a much longer first line\nsecond\n")
    assert drain(follower) == ["a much longer first line", "second"]
    assert follower.truncations == 1
    follower.close()


def test_a_renamed_file_is_read_to_its_end_under_its_new_name(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    append(path, "one\n")
    follower = FileFollower(str(path))
    assert drain(follower) == ["one"]
    assert not follower.is_detached()
    rotated = tmp_path / "a.log.1"
    path.rename(rotated)
    assert follower.is_detached()
    append(rotated, "late\n")  # the writer has not reopened yet
    path.write_text("fresh\n", encoding="utf-8")
    assert follower.is_detached()
    assert drain(follower) == ["late"]
    follower.close()


def test_a_deleted_file_is_still_read_to_its_end(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    append(path, "one\n")
    with open(path, "a", encoding="utf-8") as writer:
        follower = FileFollower(str(path))
        path.unlink()
        writer.write("two\n")
        writer.flush()
        assert follower.is_detached()
        assert drain(follower) == ["one", "two"]
    follower.commit(follower.position())
    assert follower.fully_published()
    follower.close()


def test_invalid_utf8_is_replaced_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    path.write_bytes(b"ok\n\xff\xfe bad\n")
    follower = FileFollower(str(path))
    assert drain(follower) == ["ok", "\ufffd\ufffd bad"]
    assert follower.position().line == b"\xff\xfe bad"
    follower.close()


def test_lines_longer_than_a_read_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.log"
    append(path, "x" * 25 + "\nshort\n")
    monkeypatch.setattr(follower_module, "READ_CHUNK_BYTES", 4)
    follower = FileFollower(str(path))
    assert drain(follower) == ["x" * 25, "short"]
    follower.close()
