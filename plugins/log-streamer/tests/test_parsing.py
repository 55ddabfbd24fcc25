"""Parsing rules of lifecycle lines (spec section 6), and lines that do not parse."""

import pytest
from hopeit.log_streamer import LogEntry
from hopeit.log_streamer.parsing import counters, is_lifecycle_line, parse_line, parse_lines

LINE = (
    "2021-06-02 18:01:44,290 | INFO | simple-example 0.24 query_something host 17031 | START | "
    "track.operation_id=op-1 | track.request_id=req-1"
)


def test_a_start_line_becomes_an_entry() -> None:
    assert parse_line(LINE) == LogEntry(
        ts="2021-06-02 18:01:44,290",
        msg="START",
        app_name="simple-example",
        app_version="0.24",
        event_name="query_something",
        event="simple_example.0x24.query_something",
        extra={"track.operation_id": "op-1", "track.request_id": "req-1"},
        host="host",
        pid="17031",
    )


@pytest.mark.parametrize("msg", ["START", "DONE", "FAILED", "IGNORED"])
def test_every_lifecycle_message_is_kept(msg: str) -> None:
    line = LINE.replace("| START |", f"| {msg} |")
    assert is_lifecycle_line(line)
    entry = parse_line(line)
    assert entry is not None and entry.msg == msg


@pytest.mark.parametrize("msg", ["STATS", "Service started.", "start", "STARTED", ""])
def test_other_messages_are_not_entries(msg: str) -> None:
    line = LINE.replace("| START |", f"| {msg} |")
    assert not is_lifecycle_line(line)
    assert parse_line(line) is None


def test_host_and_pid_default_to_empty_with_three_words() -> None:
    entry = parse_line("2021-06-02 18:01:44,290 | INFO | my-app 1.0 some.event | DONE | k=v")
    assert entry is not None
    assert (entry.app_name, entry.app_version, entry.event_name, entry.host, entry.pid) == (
        "my-app", "1.0", "some.event", "", ""
    )
    assert entry.event == "my_app.1x0.some.event"


def test_four_words_give_a_host_and_no_pid() -> None:
    entry = parse_line("t | INFO | my-app 1.0 ev node1 | DONE")
    assert entry is not None and (entry.host, entry.pid, entry.extra) == ("node1", "", {})


def test_extra_keeps_only_values_with_exactly_one_equal_sign() -> None:
    line = LINE + " | extra.query=a=b | no_value | metrics.duration=12.5 | extra.empty=\n"
    entry = parse_line(line)
    assert entry is not None
    assert entry.extra == {
        "track.operation_id": "op-1",
        "track.request_id": "req-1",
        "metrics.duration": "12.5",
        "extra.empty": "",
    }


def test_newlines_are_stripped_from_values() -> None:
    entry = parse_line(LINE + " | extra.note=a\r\n")
    assert entry is not None and entry.extra["extra.note"] == "a"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "not a log line",
        "| START |",
        "2021-06-02 | INFO | START",  # three parts
        "2021-06-02 | INFO | two words | START | k=v",  # app info of two words
        "2021-06-02 | INFO |  | DONE | k=v",  # no app info
        "\x00\x01 | START | \xff",
    ],
)
def test_garbage_does_not_parse(garbage: str) -> None:
    assert parse_line(garbage) is None


def test_parse_lines_skips_and_counts_garbage_and_sorts_start_first() -> None:
    before = (counters.parsed, counters.unparsable)
    done = LINE.replace("| START |", "| DONE |")
    earlier = LINE.replace("18:01:44,290", "18:01:44,100").replace("| START |", "| FAILED |")
    entries = parse_lines([done, "garbage | START | x", LINE, earlier, "t | INFO | a | IGNORED"])
    assert [e.msg for e in entries] == ["FAILED", "START", "DONE"]
    assert (counters.parsed, counters.unparsable) == (before[0] + 3, before[1] + 2)


JSON_LINE = (
    '{"time": "2021-06-02T18:01:44.290Z", "level": "INFO", "logger": "simple-example 0.24 query_something host 17031", '
    '"message": "START", "track.operation_id": "op-1", "track.request_id": "req-1"}'
)


def test_a_json_line_becomes_the_entry_of_its_text_line() -> None:
    assert is_lifecycle_line(JSON_LINE)
    entry = parse_line(JSON_LINE)
    text_entry = parse_line(LINE)
    assert entry is not None and text_entry is not None
    assert entry.ts == "2021-06-02T18:01:44.290Z"
    assert {**entry.to_dict(), "ts": text_entry.ts} == text_entry.to_dict()


@pytest.mark.parametrize("line", [
    JSON_LINE.replace('"START"', '"hello"'), '{"message": "START"', '["message", "START"]',
    JSON_LINE.replace('"logger": "simple-example 0.24 query_something host 17031"', '"logger": "just-one"'),
    JSON_LINE.replace('"time": "2021-06-02T18:01:44.290Z"', '"time": 5'),
])
def test_json_lines_that_are_not_lifecycle_entries_are_skipped(line: str) -> None:
    assert parse_line(line) is None
