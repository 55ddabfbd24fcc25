"""Fixtures of the engine's server tests: the log records an app engine writes."""

import logging
from typing import Iterator, List

import pytest
from hopeit.server.engine import AppEngine

__all__ = ["Records", "records"]


class Records(logging.Handler):
    """Keeps the records the engine logs, to assert on messages and extras."""

    def __init__(self) -> None:
        super().__init__()
        self.records: List[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self, level: int = logging.DEBUG) -> List[str]:
        return [
            f"{r.levelname} {r.getMessage()} | {getattr(r, 'extra', '')}" for r in self.records if r.levelno >= level
        ]


@pytest.fixture
def records(engine: AppEngine) -> Iterator[Records]:
    handler = Records()
    # the app's lines and each event's own (lifecycle lines go to the event's logger, as in 0.24)
    loggers = {engine.logger.logger, *(engine.event_logger(name).logger for name in engine.effective_events)}
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)
