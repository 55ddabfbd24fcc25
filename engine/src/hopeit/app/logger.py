"""Loggers for event modules.

In an event module::

    from hopeit.app.logger import app_extra_logger
    logger, extra = app_extra_logger()

    def step(payload: Something, context: EventContext) -> Something:
        logger.info(context, "saving", extra=extra(item_id=payload.id))

When the engine loads the module it replaces ``logger`` with a logger bound to the event (its
lines carry the app, event, track ids and extra values) and ``extra`` with a builder that
requires the event's configured ``logging.extra_fields``.
"""

import logging
from typing import Any, Callable, Dict, Tuple

__all__ = ["app_extra_logger", "app_logger"]


def app_logger() -> logging.Logger:
    """Placeholder logger; the engine replaces it when it loads the event module."""
    return logging.getLogger("hopeit.app")


def _extra_placeholder(**kwargs: Any) -> Dict[str, str]:
    return {"extra": " | ".join(f"extra.{k}={v}" for k, v in kwargs.items())}


def app_extra_logger() -> Tuple[logging.Logger, Callable[..., Dict[str, str]]]:
    """Placeholder logger and ``extra(**values)`` builder; both are replaced at module load."""
    return app_logger(), _extra_placeholder
