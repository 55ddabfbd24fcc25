"""Engine and app log lines (spec engine §11.1, §11.2)."""

import json
import logging
import logging.handlers
import os
import re
import threading
import time
import types
import urllib.parse
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, List, Tuple, cast

import pytest
from hopeit.app.config import AppConfig, AppDescriptor, EventLoggingConfig, EventSettings
from hopeit.contracts.settings import LoggingConfig, ServerConfig
from hopeit.server import logger as logger_module
from hopeit.server._log_lines import LineStreamHandler, asctime
from hopeit.server.logger import (
    EngineLoggerWrapper,
    combined,
    engine_extra_logger,
    engine_logger,
    extra_logger,
    extra_values,
    format_extra_values,
    init_app,
    init_cli,
    init_server,
    setup_app_logger,
)
from hopeit.server.names import snakecase
from hopeit.server.version import ENGINE_NAME, ENGINE_VERSION
from hopeit.testing.apps import create_test_context

LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) \| (?P<level>\w+) \| (?P<name>[^|]+) \| "
    r"(?P<msg>.*?) \| (?P<extra>.*)$"
)


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    """Logging config pointing at a temporary folder; global logging state restored afterwards."""
    saved = (logger_module._config, logger_module._engine_name)
    before = set(logging.root.manager.loggerDict)
    logger_module.init_logger(LoggingConfig(log_level="INFO", log_path=f"{tmp_path}/"))
    yield tmp_path
    for name in set(logging.root.manager.loggerDict) - before:
        created = logging.getLogger(name)
        for handler in list(created.handlers):
            handler.close()
            created.removeHandler(handler)
    logger_module.init_logger(*saved)
    logging.captureWarnings(False)


def app_wrapper(event: str = "my_event", extra_fields: Tuple[str, ...] = ()) -> Tuple[Any, EngineLoggerWrapper, str]:
    """A fresh event module wired like the engine does, its wrapper and logger name."""
    app_config = AppConfig(app=AppDescriptor(name=f"log-test-{uuid.uuid4().hex[:8]}", version="1.0"))
    module = types.ModuleType("event_module")
    module.logger, module.extra = logging.getLogger("placeholder"), None  # type: ignore[attr-defined]
    settings = EventSettings(logging=EventLoggingConfig(extra_fields=list(extra_fields)))
    wrapper = setup_app_logger(module, app_config=app_config, name=event, event_settings=settings)
    assert isinstance(wrapper, EngineLoggerWrapper)
    return module, wrapper, wrapper.logger.name


def lines(log_dir: Path, name: str) -> List[str]:
    path = log_dir / f"{snakecase(name.replace('.', 'x'))}.log"
    return path.read_text().splitlines()


def test_line_format_with_extras_then_track_ids(log_dir: Path, mock_app_config: AppConfig) -> None:
    """``<utc time> | LEVEL | name | msg | extra.k=v | track ids``, as the spec's example line."""
    module, _, name = app_wrapper("mock_event", ("field1",))
    context = create_test_context(mock_app_config, "mock_get", track_ids={"track.request_ts": "2024-01-01T00:00:00"})
    module.logger.info(context, "Test message", extra=module.extra(field1="value1"))
    [line] = lines(log_dir, name)
    found = LINE.match(line)
    assert found is not None, line
    assert found["level"] == "INFO" and found["msg"] == "Test message"
    assert found["name"] == name and name.startswith("log-test-") and " 1.0 mock_event " in name
    assert found["extra"] == (
        "extra.field1=value1 | track.operation_id=test_operation_id | track.request_id=test_request_id | "
        "track.request_ts=2024-01-01T00:00:00 | track.session_id= | event.app=mock_app.1x0"
    )
    logged = datetime.strptime(found["time"], "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=timezone.utc)
    assert abs((datetime.now(tz=timezone.utc) - logged).total_seconds()) < 60  # UTC, not local time


def test_string_context_and_plain_dict_extras(log_dir: Path) -> None:
    """A string context prefixes the message; dict extras are written as ``k=v`` (floats with 3 decimals)."""
    _, wrapper, name = app_wrapper()
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    wrapper.warning("my-context", "message %s", "arg", extra={"metrics.duration": 1.5, "at": when})
    wrapper.error(None, "no context")
    first, second = (LINE.match(line) for line in lines(log_dir, name))
    assert first is not None and second is not None
    assert first["level"] == "WARNING" and first["msg"] == "[my-context] message arg"
    assert first["extra"] == "metrics.duration=1.500 | at=2024-01-02T03:04:05+00:00"
    assert second["level"] == "ERROR" and second["msg"] == "no context" and second["extra"] == ""


def test_exception_message_adds_url_quoted_trace(log_dir: Path, mock_app_config: AppConfig) -> None:
    """An exception as message adds ``trace=<url-quoted JSON of the traceback lines>`` after the track ids."""
    _, wrapper, name = app_wrapper()
    context = create_test_context(mock_app_config, "mock_get")
    try:
        raise ValueError("boom")
    except ValueError as exc:
        wrapper.error(context, exc)
    [line] = lines(log_dir, name)
    found = LINE.match(line)
    assert found is not None
    assert found["msg"] == "boom"
    parts = found["extra"].split(" | ")
    assert parts[-2] == "event.app=mock_app.1x0" and parts[-1].startswith("trace=")
    trace = json.loads(urllib.parse.unquote(parts[-1][len("trace=") :]))
    assert trace[0].startswith("Traceback") and trace[-1] == "ValueError: boom\n"


def test_exception_with_string_context_keeps_trace(log_dir: Path) -> None:
    """Engine errors logged with a string context (e.g. the stream loop) still carry the trace."""
    _, wrapper, name = app_wrapper()
    wrapper.error("my_event", ValueError("undecodable"))
    [line] = lines(log_dir, name)
    assert "trace=" in line


def test_lifecycle_helpers(log_dir: Path) -> None:
    """START/DONE (INFO), IGNORED (WARNING), FAILED (ERROR), STATS (INFO)."""
    _, wrapper, name = app_wrapper()
    wrapper.start("c")
    wrapper.done("c", extra={"metrics.duration": 2.0})
    wrapper.ignored("c")
    wrapper.failed("c")
    wrapper.stats("c", extra={"metrics.stream.rate": 0.5})
    found = [LINE.match(line) for line in lines(log_dir, name)]
    assert [(m["level"], m["msg"], m["extra"]) for m in found if m is not None] == [
        ("INFO", "[c] START", ""),
        ("INFO", "[c] DONE", "metrics.duration=2.000"),
        ("WARNING", "[c] IGNORED", ""),
        ("ERROR", "[c] FAILED", ""),
        ("INFO", "[c] STATS", "metrics.stream.rate=0.500"),
    ]


def test_request_lines_are_the_start_and_done_lines(log_dir: Path, mock_app_config: AppConfig) -> None:
    """``start_request`` / ``done_request`` (web requests at INFO) write what ``start`` / ``done`` write."""
    _, wrapper, name = app_wrapper()
    context = create_test_context(mock_app_config, "mock_get")
    track = wrapper.start_request(context)
    wrapper.done_request(context, track, "response.status=200 | http.peer=127.0.0.1")
    wrapper.start(context)
    wrapper.done(context, extra={"extra": "response.status=200 | http.peer=127.0.0.1"})
    found = [LINE.match(line) for line in lines(log_dir, name)]
    assert all(m is not None for m in found) and len(found) == 4
    columns = [(m["level"], m["msg"], m["extra"]) for m in found if m is not None]
    assert columns[:2] == columns[2:]
    assert columns[1] == ("INFO", "DONE", f"response.status=200 | http.peer=127.0.0.1 | {track}")
    assert track.startswith("track.operation_id=test_operation_id | ") and track.endswith("event.app=mock_app.1x0")


def test_nothing_is_formatted_when_the_level_is_off(log_dir: Path) -> None:
    """Below the logger level neither the message nor the context are touched."""
    _, wrapper, name = app_wrapper()
    wrapper.logger.setLevel(logging.WARNING)

    class Untouchable:
        @property
        def track_ids(self) -> Any:
            raise AssertionError("track ids read for a disabled level")

        def __str__(self) -> str:
            raise AssertionError("message formatted for a disabled level")

    wrapper.info(Untouchable(), Untouchable())
    wrapper.debug(Untouchable(), Untouchable(), extra={"x": Untouchable()})
    wrapper.start(Untouchable())
    assert not wrapper.isEnabledFor(logging.INFO) and wrapper.isEnabledFor(logging.ERROR)
    assert lines(log_dir, name) == []


def test_extra_builder_requires_configured_fields(log_dir: Path) -> None:
    """The module's ``extra`` raises KeyError when a configured ``extra_fields`` value is missing."""
    module, _, _ = app_wrapper(extra_fields=("item_id", "user"))
    with pytest.raises(KeyError, match=r"missing extra logging values \['user'\]"):
        module.extra(item_id="1")
    assert module.extra(item_id="1", user="u", more=2) == {"extra": "extra.item_id=1 | extra.user=u | extra.more=2"}


def test_module_wiring_rules(log_dir: Path) -> None:
    """``logger``/``extra`` are replaced only when the module defines them; wrappers are kept."""
    app_config = AppConfig(app=AppDescriptor(name=f"log-test-{uuid.uuid4().hex[:8]}", version="1.0"))
    bare = types.ModuleType("bare")
    wrapper = setup_app_logger(bare, app_config=app_config, name="e", event_settings=None)
    assert not hasattr(bare, "logger") and not hasattr(bare, "extra")
    wired = types.ModuleType("wired")
    wired.logger = wrapper  # type: ignore[attr-defined]
    wired.extra = None  # type: ignore[attr-defined]
    setup_app_logger(wired, app_config=app_config, name="e", event_settings=None)
    assert wired.logger is wrapper  # type: ignore[attr-defined]
    assert cast(Any, wired).extra(a=1) == {"extra": "extra.a=1"}


def test_log_file_name(log_dir: Path) -> None:
    """``log_path + snakecase(logger name with '.' -> 'x') + '.log'``; no console handler at INFO."""
    _, wrapper, name = app_wrapper("streams.my_event")
    wrapper.info("c", "written")
    expected = log_dir / (snakecase(name.replace(".", "x")) + ".log")
    assert expected.is_file() and "1x0_streamsxmy_event" in expected.name
    handlers = wrapper.logger.handlers
    assert len(handlers) == 1 and isinstance(handlers[0], logging.handlers.WatchedFileHandler)
    assert wrapper.logger.propagate is False


def test_debug_adds_console_and_console_only_has_no_file(log_dir: Path) -> None:
    """DEBUG logs to the file and the console; ``console_only`` writes no file."""
    logger_module.init_logger(LoggingConfig(log_level="DEBUG", log_path=f"{log_dir}/"))
    _, debug_wrapper, _ = app_wrapper()
    file_handler, console_handler = debug_wrapper.logger.handlers
    assert isinstance(file_handler, logging.handlers.WatchedFileHandler)
    assert type(console_handler) is LineStreamHandler
    logger_module.init_logger(LoggingConfig(log_level="INFO", log_path=f"{log_dir}/nope/", console_only=True))
    _, console_wrapper, _ = app_wrapper()
    assert [type(h) for h in console_wrapper.logger.handlers] == [LineStreamHandler]
    assert not (log_dir / "nope").exists()


def test_init_logger_changes_levels_of_existing_loggers(log_dir: Path) -> None:
    """A new level applies to hopeit loggers already created."""
    _, wrapper, _ = app_wrapper()
    assert wrapper.logger.level == logging.INFO
    logger_module.init_logger(LoggingConfig(log_level="ERROR", log_path=f"{log_dir}/"))
    assert wrapper.logger.level == logging.ERROR


def test_engine_loggers(log_dir: Path) -> None:
    """Engine logger name: ``hopeit.engine <version> engine <host> <pid>``; CLI tools use their name."""
    wrapper = init_server(ServerConfig(logging=LoggingConfig(log_level="WARNING", log_path=f"{log_dir}/")))
    assert wrapper.logger.name.startswith(f"{ENGINE_NAME} {ENGINE_VERSION} engine ")
    assert wrapper.logger.level == logging.WARNING
    assert engine_logger().logger is wrapper.logger
    engine, extra = engine_extra_logger()
    assert engine.logger is wrapper.logger and extra(a=1) == {"extra": "extra.a=1"}
    assert extra_logger()(b=2.25) == {"extra": "extra.b=2.250"}
    cli = init_cli("hopeit_test_cli")
    assert cli.logger.name.startswith(f"{ENGINE_NAME} {ENGINE_VERSION} hopeit_test_cli ")
    assert cli.logger.level == logging.DEBUG
    assert [type(h) for h in cli.logger.handlers] == [LineStreamHandler]


def test_init_app_logger(log_dir: Path) -> None:
    """An app engine logs as ``<app> <version> engine <host> <pid>`` with its server's logging config."""
    app_config = AppConfig(app=AppDescriptor(name=f"log-test-{uuid.uuid4().hex[:8]}", version="2.0"))
    app_config.server = ServerConfig(logging=LoggingConfig(log_level="DEBUG", log_path=f"{log_dir}/"))
    wrapper = init_app(app_config, [])
    assert wrapper.logger.name.startswith(f"{app_config.app.name} 2.0 engine ")
    assert wrapper.logger.level == logging.DEBUG
    app_config.server = None
    assert init_app(app_config, []).logger is wrapper.logger


def test_extra_helpers() -> None:
    """Values formatting, required values, prefixes and combination."""
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert format_extra_values({"a": 1, "b": 0.12345, "c": when}, prefix="p.") == (
        "p.a=1 | p.b=0.123 | p.c=2024-01-01T00:00:00+00:00"
    )
    assert extra_values(["a"], a=1) == {"extra": "extra.a=1"}
    assert extra_values([], prefix="", a=1) == {"extra": "a=1"}
    with pytest.raises(KeyError):
        extra_values(["a", "b"], a=1)
    assert combined({"extra": "a=1"}, {"extra": ""}, {}, {"extra": "b=2"}) == {"extra": "a=1 | b=2"}


def test_records_without_extra_format_an_empty_column(log_dir: Path) -> None:
    """Lines logged straight through the underlying logger still have the extra column."""
    _, wrapper, name = app_wrapper()
    wrapper.logger.warning("plain %s", "record")
    [line] = lines(log_dir, name)
    found = LINE.match(line)
    assert found is not None and found["msg"] == "plain record" and found["extra"] == ""


def test_time_column_text_per_millisecond() -> None:
    """Times in one millisecond share a text; the next millisecond and second get their own."""
    reference = logging.Formatter("%(asctime)s")
    reference.converter = time.gmtime  # type: ignore[assignment]
    base = 1_700_000_000.0
    for now in (base + 0.1234, base + 0.12349, base + 0.1239, base + 0.9999, base + 1.0001, base + 86400.5):
        record = logging.LogRecord("n", logging.INFO, "p", 1, "m", None, None)
        record.created, record.msecs = now, int((now - int(now)) * 1000)
        assert asctime(now) == reference.formatTime(record)
    assert asctime(base + 0.1231) == asctime(base + 0.1238) != asctime(base + 0.1241)


def test_time_column_matches_logging_default_in_utc(log_dir: Path) -> None:
    """The cached date part gives the same text as logging's default formatter, in UTC."""
    formatter = logger_module._Formatter(logger_module.FORMAT)
    record = logging.LogRecord("n", logging.INFO, "p", 1, "m", None, None)
    reference = logging.Formatter("%(asctime)s")
    reference.converter = time.gmtime  # type: ignore[assignment]
    assert formatter.formatTime(record) == reference.formatTime(record)
    assert formatter.formatTime(record) == formatter.formatTime(record)  # from the cache


def test_init_server_leaves_other_libraries_records_alone(log_dir: Path) -> None:
    """Another library's record keeps its file, line, function, thread and process after ``init_server``."""
    init_server(ServerConfig(logging=LoggingConfig(log_level="INFO", log_path=f"{log_dir}/")))
    seen: List[logging.LogRecord] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    library = logging.getLogger(f"some_library_{uuid.uuid4().hex[:8]}")
    library.addHandler(Collector())
    library.propagate = False
    library.setLevel(logging.INFO)

    def library_function() -> None:
        library.info("from the library")

    thread = threading.Thread(target=library_function, name="library-thread")
    thread.start()
    thread.join()
    [record] = seen
    assert (record.pathname, record.funcName) == (__file__, "library_function")
    assert record.lineno == library_function.__code__.co_firstlineno + 1
    assert (record.threadName, record.thread) == ("library-thread", thread.ident)
    assert (record.process, record.processName) == (os.getpid(), "MainProcess")


def test_engine_records_skip_caller_lookups(log_dir: Path) -> None:
    """When the engine's lines go through ``logging`` (a filter listens), records are built without frames."""
    _, wrapper, name = app_wrapper()
    records: List[logging.LogRecord] = []

    def keep(record: logging.LogRecord) -> bool:
        records.append(record)
        return True

    wrapper.logger.addFilter(keep)
    wrapper.info("ctx", "through %s", "logging", extra={"a": 1})
    try:
        raise ValueError("boom")
    except ValueError:
        wrapper.error("ctx", "failed", exc_info=True)
    first, second = records
    assert (first.pathname, first.lineno, first.funcName, first.threadName) == (
        "(unknown file)", 0, "(unknown function)", None)
    assert first.getMessage() == "[ctx] through logging" and first.extra == "a=1"  # type: ignore[attr-defined]
    assert second.exc_info is not None and second.exc_info[0] is ValueError
    logged = lines(log_dir, name)
    assert [LINE.match(line)["msg"] for line in logged[:2]] == ["[ctx] through logging", "[ctx] failed"]  # type: ignore[index]
    assert "ValueError: boom" in logged[1]  # the formatter escapes the traceback into the line
