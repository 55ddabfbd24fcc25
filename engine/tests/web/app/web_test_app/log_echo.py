"""Logs a query arg the way apps log request values (used by the log injection tests)."""

from hopeit.app.context import EventContext
from hopeit.app.logger import app_extra_logger

__steps__ = ["echo"]

logger, extra = app_extra_logger()


def echo(payload: None, context: EventContext, note: str = "") -> str:
    logger.info(context, f"note: {note}", extra=extra(note=note))
    return "logged"
