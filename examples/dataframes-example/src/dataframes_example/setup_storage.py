"""SETUP: make sure the model folder exists before the first experiment."""

from pathlib import Path

from hopeit.app.context import EventContext
from hopeit.app.logger import app_extra_logger

from dataframes_example.iris import ModelStorage

__steps__ = ["init_storage"]

logger, extra = app_extra_logger()


def init_storage(payload: None, context: EventContext) -> None:
    """Create the model folder of settings ``model_storage``."""
    settings = context.settings(key="model_storage", datatype=ModelStorage)
    Path(settings.path).mkdir(parents=True, exist_ok=True)
    logger.info(context, "Model storage ready", extra=extra(path=settings.path))
