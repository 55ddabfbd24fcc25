r"""Structured log lines for the engine and apps.

Every line reads ``<utc time> | <LEVEL> | <logger name> | <message> | <extra>``, where ``<extra>``
joins the caller's extra values (``extra.k=v``), the context track ids (``track.request_id=...``)
and, for exceptions, ``trace=<url-quoted JSON of the traceback>``. Nothing is formatted when the
level is off, so logging at WARNING costs almost nothing on hot paths.

Every value is escaped before it is written (``_log_lines.escape_line``): a newline in a track id,
in a message an app builds from a request, or in an extra value shows as ``\n`` in its line
instead of starting a forged one; NUL and the other control characters are escaped too.
"""

import json
import logging
import os
import socket
import sys
import time
import traceback
import urllib.parse
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict, List, NoReturn, Optional, Tuple

from hopeit.contracts.settings import LoggingConfig, ServerConfig
from hopeit.server._log_lines import (
    EngineRecord,
    LineFileHandler,
    LineStreamHandler,
    asctime,
    escape_line,
    flush_line_handlers,
    line_handlers,
)
from hopeit.server.names import snakecase
from hopeit.server.version import ENGINE_NAME, ENGINE_VERSION

__all__ = [
    "LOG_FORMAT",
    "EngineLoggerWrapper",
    "EventLoggerWrapper",
    "combined",
    "engine_extra_logger",
    "engine_logger",
    "engine_warning",
    "exit_process",
    "extra_logger",
    "extra_values",
    "format_extra_values",
    "init_app",
    "init_cli",
    "init_server",
    "setup_app_logger",
]

FORMAT = "%(asctime)s | %(levelname)s | %(name)s | %(message)s | %(extra)s"
#: 0.24 name of ``FORMAT``.
LOG_FORMAT = FORMAT
_HOST = socket.gethostname()
_PID = os.getpid()
#: the config loggers are made with; the default is made when the first logger is (see ``_current``)
_config: Optional[LoggingConfig] = None


class _Formatter(logging.Formatter):
    """The line format for records of plain ``logging`` calls (the engine's own lines skip records)."""

    def formatTime(self, record: logging.LogRecord, datefmt: Optional[str] = None) -> str:
        """UTC time as ``logging``'s default format writes it."""
        return asctime(record.created)

    def format(self, record: logging.LogRecord) -> str:
        """The record's line, escaped: its message, extra values and traceback stay in one line."""
        if not hasattr(record, "extra"):
            record.extra = ""
        return escape_line(super().format(record))


def _current() -> LoggingConfig:
    """The config set by ``init_logger``, else the default.

    The default is made on first use rather than at import, so that ``HOPEIT_LOG_PATH``, set by the
    test kit once pytest knows its temporary folder, counts.
    """
    global _config
    if _config is None:
        _config = LoggingConfig()
    return _config


def _handlers(name: str) -> List[logging.Handler]:
    config = _current()
    formatter: logging.Formatter = _Formatter(FORMAT)
    file_class, stream_class = LineFileHandler, LineStreamHandler
    if config.log_format == "json":  # imported only by servers that log JSON lines
        from hopeit.server._log_json import json_lines
        formatter, file_class, stream_class = json_lines()
    handlers: List[logging.Handler] = []
    if not config.console_only:
        Path(config.log_path).mkdir(parents=True, exist_ok=True)
        handlers.append(file_class(f"{config.log_path}{snakecase(name.replace('.', 'x'))}.log"))
    if config.console_only or config.console or config.log_level == "DEBUG":
        handlers.append(stream_class(sys.stderr))
    for handler in handlers:
        handler.setFormatter(formatter)
    return handlers


def _logger(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    if not logger.handlers:
        for handler in _handlers(name):
            logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(_current().log_level)
    return logger


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def format_extra_values(values: Dict[str, Any], prefix: str = "") -> str:
    """``prefix+k=v | ...`` of ``values``."""
    # most values (track ids) are str: skip the type checks for them
    return " | ".join(
        [f"{prefix}{key}={value if value.__class__ is str else _format_value(value)}" for key, value in values.items()]
    )


def extra_values(required: List[str], *, prefix: str = "extra.", **kwargs: Any) -> Dict[str, str]:
    """``{"extra": "extra.k=v | ..."}`` for a log call.

    :raises KeyError: when a value listed in ``required`` is missing.
    """
    missing = [k for k in required if k not in kwargs]
    if missing:
        raise KeyError(f"missing extra logging values {missing}: configured in logging.extra_fields")
    return {"extra": format_extra_values(kwargs, prefix)}


def combined(*extras: Dict[str, str]) -> Dict[str, str]:
    """Join several ``{"extra": ...}`` values into one."""
    return {"extra": " | ".join(e["extra"] for e in extras if e.get("extra"))}


def _trace(exc: BaseException) -> str:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return "trace=" + urllib.parse.quote(json.dumps(lines))


class EngineLoggerWrapper:
    """A logger that takes an EventContext (or a string) first and adds its track ids to each line."""

    __slots__ = ("_heads", "logger")

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self._heads: Dict[int, str] = {}  # level -> " | LEVEL | name | "

    def _log(self, level: int, context: Any, msg: Any, args: Any, kwargs: Dict[str, Any]) -> None:
        logger = self.logger
        if not logger.isEnabledFor(level):
            return
        caller = kwargs.pop("extra", None) if kwargs else None
        extra = ""
        if caller:
            extra = caller["extra"] if isinstance(caller, dict) and "extra" in caller else format_extra_values(caller)
            if extra.__class__ is not str:
                extra = str(extra)
        trace = _trace(msg) if isinstance(msg, BaseException) else ""
        if context.__class__ is str:
            msg = f"[{context}] {msg}"
        elif context is not None:
            track = format_extra_values(context.track_ids)
            if track:
                extra = f"{extra} | {track}" if extra else track
        if trace:
            extra = f"{extra} | {trace}" if extra else trace
        if not kwargs:
            self._line(level, msg, args, extra)
        elif kwargs.keys() == {"exc_info"}:
            self._record(level, msg, args, extra, kwargs["exc_info"])
        else:  # stack_info and stacklevel need the caller's frames (and unknown keywords fail as in logging)
            logger.log(level, msg, *args, extra={"extra": extra}, **kwargs)

    def _record(self, level: int, msg: Any, args: Any, extra: str, exc_info: Any = None) -> None:
        """The line through ``logging``'s handlers and filters, as ``Logger.log`` would send it."""
        if exc_info:
            if isinstance(exc_info, BaseException):
                exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
            elif not isinstance(exc_info, tuple):
                exc_info = sys.exc_info()
        self.logger.handle(EngineRecord(self.logger.name, level, msg, args, extra, exc_info or None))

    def _line(self, level: int, msg: Any, args: Any, extra: str) -> None:
        handlers = line_handlers(self.logger)
        if handlers is None:
            self._record(level, msg, args, extra)  # the formatter escapes the line
            return
        # the line logging would write for this call, without a LogRecord
        text = (msg % args if args else msg) if msg.__class__ is str else str(msg)
        # inline checks: most text has no control character, and that costs one scan each
        self._write(
            handlers,
            level,
            text if text.isprintable() else escape_line(text),
            extra if extra.isprintable() else escape_line(extra),
        )

    def _escaped_line(self, level: int, text: str, extra: str) -> None:
        """A line of a message and extra column that are escaped already."""
        handlers = line_handlers(self.logger)
        if handlers is None:
            self._record(level, text, (), extra)
            return
        self._write(handlers, level, text, extra)

    def _write(self, handlers: Tuple[Any, ...], level: int, text: str, extra: str) -> None:
        head = self._heads.get(level)
        if head is None:
            head = self._heads[level] = f" | {logging.getLevelName(level)} | {escape_line(self.logger.name)} | "
        line = f"{asctime(time.time())}{head}{text} | {extra}\n"
        for handler in handlers:
            if level >= handler.level:
                handler.write_line(line, level)

    def start_request(self, context: Any) -> str:
        """``START`` of a web request, once the caller saw INFO enabled; returns the track column.

        The same line as ``start(context)``. The request's ``done_request`` reuses the returned
        text (escaped): its track ids were fixed when the request began.
        """
        track = format_extra_values(context.track_ids)
        if not track.isprintable():
            track = escape_line(track)
        self._escaped_line(logging.INFO, "START", track)
        return track

    def done_request(self, context: Any, track: str, access: str) -> None:
        """``DONE`` of a web request with its access values: ``done(context, extra={"extra": access})``.

        ``track`` is what ``start_request`` returned (escaped already); ``access`` is escaped here.
        """
        if not access.isprintable():
            access = escape_line(access)
        self._escaped_line(logging.INFO, "DONE", f"{access} | {track}" if track else access)

    def debug(self, context: Any, msg: Any, *args: Any, **kwargs: Any) -> None:
        """Log at DEBUG."""
        self._log(logging.DEBUG, context, msg, args, kwargs)

    def info(self, context: Any, msg: Any, *args: Any, **kwargs: Any) -> None:
        """Log at INFO."""
        self._log(logging.INFO, context, msg, args, kwargs)

    def warning(self, context: Any, msg: Any, *args: Any, **kwargs: Any) -> None:
        """Log at WARNING."""
        self._log(logging.WARNING, context, msg, args, kwargs)

    def error(self, context: Any, msg: Any, *args: Any, **kwargs: Any) -> None:
        """Log at ERROR."""
        self._log(logging.ERROR, context, msg, args, kwargs)

    def start(self, context: Any, **kwargs: Any) -> None:
        """``START`` of an event (INFO)."""
        self._log(logging.INFO, context, "START", (), kwargs)

    def done(self, context: Any, **kwargs: Any) -> None:
        """``DONE`` of an event (INFO)."""
        self._log(logging.INFO, context, "DONE", (), kwargs)

    def ignored(self, context: Any, **kwargs: Any) -> None:
        """``IGNORED``: a request rejected as bad or unauthorized (WARNING)."""
        self._log(logging.WARNING, context, "IGNORED", (), kwargs)

    def failed(self, context: Any, **kwargs: Any) -> None:
        """``FAILED`` of an event (ERROR)."""
        self._log(logging.ERROR, context, "FAILED", (), kwargs)

    def stats(self, context: Any, **kwargs: Any) -> None:
        """``STATS`` of a stream read loop (INFO)."""
        self._log(logging.INFO, context, "STATS", (), kwargs)

    def isEnabledFor(self, level: int) -> bool:
        """True when ``level`` would be logged."""
        return self.logger.isEnabledFor(level)


#: 0.24 name of the logger bound to event modules (``module.logger``): ours is an ``EngineLoggerWrapper``.
EventLoggerWrapper = EngineLoggerWrapper


_engine_name = "engine"


def engine_logger() -> EngineLoggerWrapper:
    """Logger of the engine itself."""
    return EngineLoggerWrapper(_logger(f"{ENGINE_NAME} {ENGINE_VERSION} {_engine_name} {_HOST} {_PID}"))


def engine_warning(text: str) -> None:
    """A warning in the engine log that shows on the console too (printed when the log is only a file)."""
    wrapper = engine_logger()
    wrapper.warning("server", text)
    if not any(isinstance(handler, LineStreamHandler) for handler in wrapper.logger.handlers):
        print(f"hopeit.engine: warning: {text}", file=sys.stderr, flush=True)


def extra_logger() -> Callable[..., Dict[str, str]]:
    """Builder of ``extra=`` values with no required keys."""
    return lambda **kwargs: extra_values([], **kwargs)


def engine_extra_logger() -> Tuple[EngineLoggerWrapper, Callable[..., Dict[str, str]]]:
    """Engine logger and extra builder."""
    return engine_logger(), extra_logger()


def exit_process(code: int) -> NoReturn:
    """Leave the process at once (``os._exit``, no clean-up) after writing what would be lost.

    ``os._exit`` skips Python's shutdown: INFO lines waiting for their loop turn to end, and text
    buffered in stdout and stderr, would never be written. Every immediate exit of the engine
    goes through here.
    """
    flush_line_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or broken: nothing more can be written to it
            pass
    os._exit(code)


def init_logger(config: Optional[LoggingConfig], engine_name: str = "engine") -> None:
    """Apply logging config to the loggers created from now on (and to existing hopeit loggers).

    ``None`` goes back to the default config, made when the next logger is (existing loggers keep
    their level).
    """
    global _config, _engine_name
    _config, _engine_name = config, engine_name
    if config is None:
        return
    for name in list(logging.root.manager.loggerDict):
        existing = logging.getLogger(name)
        if any(isinstance(handler, (LineFileHandler, LineStreamHandler)) for handler in existing.handlers):
            existing.setLevel(config.log_level)


def init_server(server_config: ServerConfig) -> EngineLoggerWrapper:
    """Set up logging for a server process; returns the engine logger."""
    init_logger(server_config.logging)
    logging.captureWarnings(True)
    # logging's global switches (caller frames, threads, processes) stay on for other libraries:
    # the engine's own records skip those lookups by themselves (``EngineRecord``)
    # plugins log through plain ``logging.getLogger("hopeit.<plugin>")``: give them the engine's lines
    plugins_root = logging.getLogger("hopeit")
    if not plugins_root.handlers:
        for handler in _handlers(f"{ENGINE_NAME} {ENGINE_VERSION} plugins {_HOST} {_PID}"):
            plugins_root.addHandler(handler)
    plugins_root.setLevel(server_config.logging.log_level)
    return engine_logger()


def init_cli(name: str) -> EngineLoggerWrapper:
    """Console logging at DEBUG for a command-line tool named ``name``."""
    init_logger(LoggingConfig(log_level="DEBUG", console_only=True), engine_name=name)
    return engine_logger()


def init_app(app_config: Any, plugins: List[Any]) -> EngineLoggerWrapper:
    """Logger of an app engine (named after the app)."""
    if app_config.server is not None:
        init_logger(app_config.server.logging)
    return EngineLoggerWrapper(_logger(f"{app_config.app.name} {app_config.app.version} engine {_HOST} {_PID}"))


def setup_app_logger(
    module: Any, *, app_config: Any, name: str, event_settings: Any
) -> EngineLoggerWrapper:
    """Bind ``module.logger`` and ``module.extra`` of an event module to its event; returns the event's logger.

    The logger is named ``<app name> <app version> <event> <host> <pid>`` and writes the file of
    that name: the event's own lines, and its START / DONE / FAILED / IGNORED lines, as in 0.24
    (log-streamer reads the app and event of each entry from that name).
    """
    wrapper = EngineLoggerWrapper(_logger(f"{app_config.app.name} {app_config.app.version} {name} {_HOST} {_PID}"))
    required = list(event_settings.logging.extra_fields) if event_settings is not None else []
    if hasattr(module, "extra"):
        module.extra = lambda **kwargs: extra_values(required, **kwargs)
    existing = getattr(module, "logger", None)
    if existing is not None and not isinstance(existing, EngineLoggerWrapper):
        module.logger = wrapper
    return wrapper
