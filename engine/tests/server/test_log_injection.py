"""Log injection (issue #12, item 6): whatever the values, one call writes one line.

A value with a newline (a track id, a query arg or payload field an app logs, an extra value)
used to start a forged line, and NUL bytes were written raw. Every value is escaped now: control
characters become visible escapes (``\\n`` as backslash and ``n``), other text stays as it is.
"""

import logging
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
from hopeit.server._log_lines import LineFileHandler, escape_line
from hopeit.server.logger import FORMAT, EngineLoggerWrapper, _Formatter, extra_values

FORGED = "inj\n2099-01-01 00:00:00,000 | CRITICAL | hopeit.engine | FORGED admin login ok | "


class Context:
    """What the wrapper reads from an EventContext."""

    def __init__(self, **track_ids: str) -> None:
        self.track_ids: Dict[str, str] = {"track.request_id": "r-1", **track_ids, "event.app": "app.1x0"}


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "lines.log"


@pytest.fixture
def wrapper(log_file: Path) -> Iterator[EngineLoggerWrapper]:
    """A wrapper writing to ``log_file`` with the engine's handler and format."""
    logger = logging.getLogger("hopeit-injection-test")
    handler = LineFileHandler(str(log_file))
    handler.setFormatter(_Formatter(FORMAT))
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield EngineLoggerWrapper(logger)
    logger.removeHandler(handler)
    handler.close()


def written(path: Path) -> List[str]:
    """Lines as a reader splitting on ``\\n`` sees them (``\\r``, NUL and the rest kept in the line)."""
    data = path.read_bytes().decode()
    assert data.endswith("\n")
    lines = data[:-1].split("\n")
    assert data.splitlines() == lines, "a line-breaking character other than \\n was written raw"
    return lines


def test_newline_in_a_message_stays_in_one_line(wrapper: EngineLoggerWrapper, log_file: Path) -> None:
    wrapper.info(Context(), f"login failed for user {FORGED}")
    [line] = written(log_file)
    assert "| INFO | hopeit-injection-test | login failed for user inj\\n2099-01-01 00:00:00,000 | CRITICAL" in line
    assert line.endswith("| track.request_id=r-1 | event.app=app.1x0")


def test_multi_line_app_message_is_one_line(wrapper: EngineLoggerWrapper, log_file: Path) -> None:
    wrapper.warning(Context(), "first\nsecond\r\nthird\tcolumn %s", "arg\nx")
    [line] = written(log_file)
    assert "| WARNING | hopeit-injection-test | first\\nsecond\\r\\nthird\\tcolumn arg\\nx |" in line


def test_nul_and_other_control_characters_are_escaped(wrapper: EngineLoggerWrapper, log_file: Path) -> None:
    wrapper.info(Context(), "nul\x00 bell\x07 esc\x1b[31m del\x7f c1\x85 ls\u2028 ps\u2029 fs\x1c vt\x0b ff\x0c")
    [line] = written(log_file)
    assert "nul\\x00 bell\\x07 esc\\x1b[31m del\\x7f c1\\x85 ls\\u2028 ps\\u2029 fs\\x1c vt\\x0b ff\\x0c |" in line
    assert "\x00" not in log_file.read_text()


def test_track_ids_and_extra_values_are_escaped(wrapper: EngineLoggerWrapper, log_file: Path) -> None:
    context = Context(**{"track.session_id": FORGED})
    wrapper.info(context, "saved", extra=extra_values([], item=f"id\n{FORGED}", count=1))
    wrapper.info(context, "saved", extra={"raw\nkey": "v\x00"})
    first, second = written(log_file)
    assert "| saved | extra.item=id\\ninj\\n2099-01-01 00:00:00,000 | CRITICAL |" in first
    assert "| extra.count=1 | track.request_id=r-1 | track.session_id=inj\\n2099-01-01" in first
    assert "| saved | raw\\nkey=v\\x00 | track.request_id=r-1 |" in second


def test_request_lines_escape_track_ids_and_access_values(wrapper: EngineLoggerWrapper, log_file: Path) -> None:
    context = Context(**{"track.session_id": FORGED})
    track = wrapper.start_request(context)
    wrapper.done_request(context, track, "response.status=200 | http.request=GET /x\n | http.peer=p")
    start, done = written(log_file)
    assert start.endswith("| START | track.request_id=r-1 | track.session_id=inj\\n2099-01-01 00:00:00,000 | "
                          "CRITICAL | hopeit.engine | FORGED admin login ok |  | event.app=app.1x0")
    assert "| DONE | response.status=200 | http.request=GET /x\\n | http.peer=p | track.request_id=r-1" in done


def test_string_context_and_exceptions_are_escaped(wrapper: EngineLoggerWrapper, log_file: Path) -> None:
    wrapper.info(f"ctx\n{FORGED}", "msg")
    try:
        raise ValueError(f"bad value {FORGED}")
    except ValueError as exc:
        wrapper.error(Context(), exc)
    first, second = written(log_file)
    assert "| [ctx\\ninj\\n2099-01-01 00:00:00,000 | CRITICAL" in first
    assert "| ERROR | hopeit-injection-test | bad value inj\\n2099-01-01" in second
    assert "trace=" in second


def test_plain_logging_records_are_escaped(wrapper: EngineLoggerWrapper, log_file: Path) -> None:
    """Records of plain ``logging`` calls (plugins), also with a traceback: one line each."""
    logger = wrapper.logger
    logger.warning("plugin says %s", FORGED)
    try:
        raise KeyError("k")
    except KeyError:
        logger.exception("failed\x00")
    wrapper.info(Context(), "with kwargs\n", stack_info=False)  # kwargs make the wrapper go through logging
    first, second, third = written(log_file)
    assert "| WARNING | hopeit-injection-test | plugin says inj\\n2099-01-01 00:00:00,000 | CRITICAL" in first
    assert "| ERROR | hopeit-injection-test | failed\\x00 | \\nTraceback (most recent call last):\\n" in second
    assert "| INFO | hopeit-injection-test | with kwargs\\n | track.request_id=r-1" in third


def test_logger_names_are_escaped(log_file: Path) -> None:
    logger = logging.getLogger("app 1.0 event\nFORGED")
    handler = LineFileHandler(str(log_file))
    handler.setFormatter(_Formatter(FORMAT))
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        EngineLoggerWrapper(logger).info(Context(), "direct")
        logger.info("record")
    finally:
        logger.removeHandler(handler)
        handler.close()
    direct, record = written(log_file)
    assert "| INFO | app 1.0 event\\nFORGED | direct |" in direct
    assert "| INFO | app 1.0 event\\nFORGED | record |" in record


@pytest.mark.parametrize("text", [
    "plain ascii | with = separators",
    "ñandú café \u2013 日本語 \u2014 emoji 🎉",
    "non-breaking\u00a0space and zero\u200bwidth",
    "back\\slash n: \\n stays as written",
    "",
])
def test_normal_text_is_unchanged(text: str) -> None:
    assert escape_line(text) == text


def test_escaping_is_done_once() -> None:
    escaped = escape_line("a\nb\x00c\x7fd\te")
    assert escaped == "a\\nb\\x00c\\x7fd\\te"
    assert escape_line(escaped) == escaped


def test_every_control_character_is_escaped() -> None:
    controls = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]]
    for char in controls:
        escaped = escape_line(f"a{char}b")
        assert escaped.startswith("a\\") and escaped.endswith("b") and escaped.isprintable(), repr(char)
    assert escape_line("".join(controls)).isprintable()

