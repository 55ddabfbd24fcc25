"""Engine log lines written without ``LogRecord``s, buffered per event-loop turn."""

import asyncio
import io
import json
import logging
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from hopeit.server._log_lines import (
    MAX_TURN_LINES,
    LineFileHandler,
    LineStreamHandler,
    line_handlers,
    readable_trace,
)
from hopeit.server.logger import FORMAT, EngineLoggerWrapper, _Formatter


class Context:
    """What the wrapper reads from an EventContext."""

    track_ids = {"track.request_id": "r-1", "event.app": "app.1x0"}


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "lines.log"


def wrapper_to(handler: logging.Handler, name: str) -> EngineLoggerWrapper:
    logger = logging.getLogger(f"hopeit-line-test {name}")
    for old in list(logger.handlers):
        logger.removeHandler(old)
    handler.setFormatter(_Formatter(FORMAT))
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return EngineLoggerWrapper(logger)


def read(path: Path) -> List[str]:
    return path.read_text().splitlines() if path.exists() else []


def without_time(line: str) -> str:
    return line.split(" | ", 1)[1]


def test_direct_lines_are_the_lines_logging_writes(log_file: Path) -> None:
    """The line written directly is the one the record path writes for the same call."""
    handler = LineFileHandler(str(log_file))
    wrapper = wrapper_to(handler, "same")
    assert line_handlers(wrapper.logger) == (handler,)
    wrapper.info(Context(), "DONE %s", "now", extra={"metrics.duration": 1.5, "http.peer": "127.0.0.1"})
    wrapper.logger.addFilter(lambda record: True)  # a filter: the wrapper goes through logging
    assert line_handlers(wrapper.logger) is None
    wrapper.info(Context(), "DONE %s", "now", extra={"metrics.duration": 1.5, "http.peer": "127.0.0.1"})
    direct, recorded = read(log_file)
    assert without_time(direct) == without_time(recorded) == (
        "INFO | hopeit-line-test same | DONE now | metrics.duration=1.500 | http.peer=127.0.0.1 | "
        "track.request_id=r-1 | event.app=app.1x0"
    )
    assert direct[:23] <= recorded[:23]
    handler.close()


def test_other_handlers_and_propagation_get_records(log_file: Path) -> None:
    """A foreign handler, or propagation, sends the call through logging: every handler sees it."""
    handler = LineFileHandler(str(log_file))
    wrapper = wrapper_to(handler, "foreign")
    seen: List[logging.LogRecord] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    collector = Collector()
    wrapper.logger.addHandler(collector)
    wrapper.info("ctx", "hello")
    assert [r.getMessage() for r in seen] == ["[ctx] hello"]
    assert [without_time(line) for line in read(log_file)] == ["INFO | hopeit-line-test foreign | [ctx] hello | "]
    wrapper.logger.removeHandler(collector)
    wrapper.logger.propagate = True
    assert line_handlers(wrapper.logger) is None
    handler.close()


async def test_lines_of_a_loop_turn_are_written_when_it_ends(log_file: Path) -> None:
    """INFO lines wait for the end of the loop turn; a WARNING writes them first, then itself, at once."""
    handler = LineFileHandler(str(log_file))
    wrapper = wrapper_to(handler, "turn")
    wrapper.info("ctx", "one")
    wrapper.info("ctx", "two")
    assert read(log_file) == []
    await asyncio.sleep(0)
    assert [line.split(" | ")[3] for line in read(log_file)] == ["[ctx] one", "[ctx] two"]
    wrapper.info("ctx", "three")
    wrapper.warning("ctx", "four")
    assert [line.split(" | ")[3] for line in read(log_file)][2:] == ["[ctx] three", "[ctx] four"]
    await asyncio.sleep(0)
    assert len(read(log_file)) == 4
    handler.close()


async def test_a_turn_that_never_ends_writes_its_lines_by_the_thousand(log_file: Path) -> None:
    """A loop turn that logs on and on (a CPU-bound step) holds at most ``MAX_TURN_LINES`` lines."""
    handler = LineFileHandler(str(log_file))
    wrapper = wrapper_to(handler, "long turn")
    for i in range(MAX_TURN_LINES * 2 + 5):
        wrapper.info("ctx", f"line {i}")
    assert len(read(log_file)) == MAX_TURN_LINES * 2
    await asyncio.sleep(0)
    lines = [line.split(" | ")[3] for line in read(log_file)]
    assert lines == [f"[ctx] line {i}" for i in range(MAX_TURN_LINES * 2 + 5)]
    handler.close()


def test_lines_outside_a_loop_and_of_a_stopped_loop_are_written(log_file: Path) -> None:
    """Without a running loop lines are written at once; lines left by a loop that stopped are not lost."""
    handler = LineFileHandler(str(log_file))
    wrapper = wrapper_to(handler, "outside")
    wrapper.info("ctx", "sync")
    assert len(read(log_file)) == 1

    async def log_and_stop() -> None:
        wrapper.info("ctx", "last of a loop")
        asyncio.get_running_loop().stop()

    loop = asyncio.new_event_loop()
    task = loop.create_task(log_and_stop())
    loop.run_forever()  # stops before the flush of that turn runs
    assert task.done()
    loop.close()
    assert len(read(log_file)) == 1
    wrapper.info("ctx", "after")
    assert [line.split(" | ")[3] for line in read(log_file)] == ["[ctx] sync", "[ctx] last of a loop", "[ctx] after"]
    handler.close()


async def test_close_writes_what_waits(log_file: Path) -> None:
    """Closing (as logging.shutdown does at exit) writes the lines of the current turn."""
    handler = LineFileHandler(str(log_file))
    wrapper = wrapper_to(handler, "close")
    wrapper.info("ctx", "pending")
    handler.close()
    assert len(read(log_file)) == 1


def test_moved_file_is_reopened(log_file: Path, tmp_path: Path) -> None:
    """After logrotate moves the file, lines go to a new file at the configured path."""
    handler = LineFileHandler(str(log_file))
    wrapper = wrapper_to(handler, "rotate")
    wrapper.info("ctx", "before")
    log_file.rename(tmp_path / "lines.log.1")
    handler._checked = 0.0  # the check runs at most once a second
    wrapper.info("ctx", "after")
    assert [line.split(" | ")[3] for line in read(log_file)] == ["[ctx] after"]
    handler.close()


def test_a_broken_stream_never_breaks_the_caller(capsys: Any) -> None:
    """A stream that fails is reported on stderr by logging's handleError; the caller goes on."""
    stream = io.StringIO()
    handler = LineStreamHandler(stream)
    wrapper = wrapper_to(handler, "broken")
    stream.close()
    wrapper.error("ctx", "lost")
    assert "Logging error" in capsys.readouterr().err


def test_lines_of_a_loop_in_another_thread_stay_that_loops(log_file: Path) -> None:
    """A line logged from another thread is written at once; the waiting lines of a running loop stay its own."""
    import threading

    handler = LineFileHandler(str(log_file))
    wrapper = wrapper_to(handler, "threads")
    buffered, release = threading.Event(), threading.Event()

    async def log_in_turn() -> None:
        wrapper.info("loop", "from the loop")
        buffered.set()
        release.wait(5)  # the turn is not over: the line waits in the buffer

    thread = threading.Thread(target=lambda: asyncio.run(log_in_turn()))
    thread.start()
    assert buffered.wait(5)
    wrapper.info("main", "from another thread")
    assert [line.split(" | ")[3] for line in read(log_file)] == ["[main] from another thread"]
    release.set()
    thread.join(5)
    assert [line.split(" | ")[3] for line in read(log_file)] == ["[main] from another thread", "[loop] from the loop"]
    handler.close()


_EXITING_WORKER = """
import asyncio, sys
from hopeit.server import logger
from hopeit.server.config import LoggingConfig

logger.init_logger(LoggingConfig(log_level="INFO", log_path=sys.argv[1]))
engine = logger.engine_logger()

async def leave() -> None:
    engine.info("exit-test", "first line of the turn")
    engine.info("exit-test", "last line of the turn")
    print("on stdout, unflushed", end="")
    logger.exit_process(3)

asyncio.run(leave())
"""


def test_exit_process_writes_the_lines_of_the_loop_turn(tmp_path: Path) -> None:
    """A process leaving at once (``os._exit``) through ``exit_process`` loses none of its buffered INFO lines."""
    result = subprocess.run([sys.executable, "-c", _EXITING_WORKER, f"{tmp_path}/"],
                            capture_output=True, timeout=60)
    assert result.returncode == 3, result.stderr.decode()
    [log] = list(tmp_path.glob("*.log"))
    assert [line.split(" | ")[3] for line in read(log)] == [
        "[exit-test] first line of the turn", "[exit-test] last line of the turn"]
    assert result.stdout == b"on stdout, unflushed"


def test_no_engine_module_leaves_without_flushing() -> None:
    """Every ``os._exit`` of the engine goes through ``exit_process``, which writes the waiting lines first."""
    import hopeit.server.logger

    source_root = Path(hopeit.server.logger.__file__).parent.parent
    callers = sorted(
        str(path.relative_to(source_root)) for path in source_root.rglob("*.py") if "os._exit(" in path.read_text()
    )
    assert callers == [str(Path("server") / "logger.py")]


def test_readable_trace_writes_the_traceback_column_as_lines() -> None:
    frames = ["Traceback (most recent call last):\n", '  File "x.py", line 1, in f\n', "ValueError: boom\n"]
    line = f"2024 | ERROR | app | boom | extra.k=v | trace={urllib.parse.quote(json.dumps(frames))} | a=b\n"
    assert readable_trace(line) == (
        "2024 | ERROR | app | boom | extra.k=v | a=b\n"
        "    Traceback (most recent call last):\n"
        '      File "x.py", line 1, in f\n'
        "    ValueError: boom\n"
    )
    for odd in ("no trace here\n", "x | trace=%7Bnot-json\n", "x | trace=%7B%22a%22%3A1%7D\n", "x | trace=%5B1%5D\n"):
        assert readable_trace(odd) == odd  # what does not decode as a list of text is left as it is
