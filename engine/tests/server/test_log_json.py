"""Log lines as JSON objects (``logging.log_format: "json"``): the fields of the text lines, one object a line."""

import json
import logging
import threading
import types
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from hopeit.app.config import AppConfig, AppDescriptor, EventLoggingConfig, EventSettings
from hopeit.contracts.settings import LOG_FORMAT_ENV, LoggingConfig
from hopeit.server import logger as logger_module
from hopeit.server._log_json import JsonLineFileHandler, JsonLineStreamHandler, extra_fields
from hopeit.server._log_lines import flush_line_handlers
from hopeit.server.logger import EngineLoggerWrapper, setup_app_logger
from hopeit.testing.apps import create_test_context


@pytest.fixture
def json_dir(tmp_path: Path) -> Iterator[Path]:
    """JSON logging into a temporary folder; global logging state restored afterwards."""
    saved = (logger_module._config, logger_module._engine_name)
    before = set(logging.root.manager.loggerDict)
    logger_module.init_logger(LoggingConfig(log_level="INFO", log_path=f"{tmp_path}/", log_format="json"))
    yield tmp_path
    for name in set(logging.root.manager.loggerDict) - before:
        created = logging.getLogger(name)
        for handler in list(created.handlers):
            handler.close()
            created.removeHandler(handler)
    logger_module.init_logger(*saved)


def _event_logger(event: str = "my_event") -> EngineLoggerWrapper:
    app_config = AppConfig(app=AppDescriptor(name=f"json-{uuid.uuid4().hex[:8]}", version="1.0"))
    module = types.ModuleType("event_module")
    module.logger, module.extra = logging.getLogger("placeholder"), None  # type: ignore[attr-defined]
    settings = EventSettings(logging=EventLoggingConfig(extra_fields=[]))
    return setup_app_logger(module, app_config=app_config, name=event, event_settings=settings)


def _objects(wrapper: EngineLoggerWrapper) -> List[Dict[str, Any]]:
    flush_line_handlers()
    handler = wrapper.logger.handlers[0]
    assert isinstance(handler, JsonLineFileHandler)
    text = Path(handler.baseFilename).read_text()
    return [json.loads(line) for line in text.splitlines()]


def test_lifecycle_lines_are_objects_with_the_text_fields(json_dir: Path, mock_app_config: AppConfig) -> None:
    wrapper = _event_logger()
    context = create_test_context(mock_app_config, "mock_get", track_ids={"track.session_id": "s-1"})
    track = wrapper.start_request(context)
    wrapper.done_request(context, track, "response.status=200 | metrics.duration=1.250 | http.request=GET /x")
    wrapper.info(context, "hello %s", "world", extra={"extra": "extra.item=42"})
    start, done, hello = _objects(wrapper)
    assert list(start)[:4] == ["time", "level", "logger", "message"]
    assert start["message"] == "START" and start["level"] == "INFO" and start["logger"] == wrapper.logger.name
    assert start["time"].endswith("Z") and len(start["time"]) == len("2024-05-01T10:20:30.123Z")
    assert start["track.session_id"] == "s-1" and start["track.request_id"] == context.track_ids["track.request_id"]
    assert done["message"] == "DONE" and done["response.status"] == "200" and done["metrics.duration"] == "1.250"
    assert done["http.request"] == "GET /x" and done["track.session_id"] == "s-1"
    assert hello["message"] == "hello world" and hello["extra.item"] == "42"


def test_newlines_and_controls_stay_inside_one_line(json_dir: Path) -> None:
    wrapper = _event_logger()
    forged = 'x\n2024-01-01 00:00:00,000 | ERROR | forged | "quoted" \u2028 \x00'
    value = 'line\nbreak "quoted" \u2028 \x00'
    wrapper.warning("server", forged, extra={"extra": f"extra.value={value}"})
    (only,) = _objects(wrapper)
    assert only["level"] == "WARNING" and only["message"] == f"[server] {forged}"
    assert only["extra.value"] == value


def test_a_traceback_is_the_list_of_its_lines(json_dir: Path) -> None:
    wrapper = _event_logger()
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        wrapper.error("server", exc)
        wrapper.logger.exception("plain logging call")
    from_engine, from_logging = _objects(wrapper)
    assert isinstance(from_engine["trace"], list) and from_engine["trace"][-1] == "RuntimeError: boom\n"
    assert from_logging["message"] == "plain logging call" and from_logging["trace"][-1] == "RuntimeError: boom\n"


def test_extra_column_parsing() -> None:
    assert extra_fields("a=1 | b=x=y | loose | c=") == {"a": "1", "b": "x=y", "c": "", "extra": "loose"}
    assert extra_fields("trace=not%20json") == {"trace": "not%20json"}  # as the text line holds it
    assert extra_fields("trace=%5B%22line%5Cn%22%5D") == {"trace": ["line\n"]}
    assert extra_fields("") == {}


def test_console_lines_are_json_too(json_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logger_module.init_logger(LoggingConfig(log_level="INFO", log_path=f"{json_dir}/", log_format="json",
                                            console=True))
    wrapper = _event_logger("console_event")
    assert any(isinstance(h, JsonLineStreamHandler) for h in wrapper.logger.handlers)
    stream = next(h for h in wrapper.logger.handlers if isinstance(h, JsonLineStreamHandler))
    stream.setStream(__import__("sys").stderr)
    try:
        raise ValueError("bad")
    except ValueError as exc:
        wrapper.error("server", exc)
    flush_line_handlers()
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert json.loads(line)["trace"][-1] == "ValueError: bad\n"


def test_log_format_default_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOG_FORMAT_ENV, "JSON")
    assert LoggingConfig().log_format == "json"
    monkeypatch.delenv(LOG_FORMAT_ENV)
    assert LoggingConfig().log_format == "text"
    with pytest.raises(ValueError, match="log_format 'xml': use one of 'text', 'json'"):
        LoggingConfig(log_format="xml")


def test_lines_written_from_threads_are_whole_objects(json_dir: Path) -> None:
    wrapper = _event_logger()
    def write(n: int) -> None:
        for i in range(50):
            wrapper.info("t", f"line {n}-{i}")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = sorted(f"[t] line {n}-{i}" for n in range(4) for i in range(50))
    assert sorted(o["message"] for o in _objects(wrapper)) == expected
