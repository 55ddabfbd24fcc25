"""SETUP event ``setup.dataframes``: choose where datasets are saved and let dataframes travel by reference.

It reads the plugin's ``dataset_serialization`` settings, creates the dataset storage they name and
registers the dataframes payload codec with the engine (``hopeit.contracts.codecs``). Running it
again replaces both: nothing is wrapped twice.
"""

from typing import Any

from hopeit.app.context import EventContext
from hopeit.app.logger import app_extra_logger
from hopeit.contracts.codecs import register_codec
from hopeit.dataframes.codec import DataFramesCodec
from hopeit.dataframes.serialization.dataset import DatasetSerialization, find_protocol_impl
from hopeit.dataframes.serialization.storage import configure

__steps__ = ["register_serialization"]

__all__ = ["register_serialization", "setup_serialization"]

logger, extra = app_extra_logger()


def setup_serialization(settings: DatasetSerialization) -> Any:
    """Create the dataset storage ``settings`` name, make it the one in use and register the codec; returns it."""
    protocol = find_protocol_impl(settings.protocol)
    storage = protocol(
        location=settings.location,
        partition_dateformat=settings.partition_dateformat,
        storage=settings.storage,
        storage_settings=settings.storage_settings,
    )
    configure(storage)
    register_codec(DataFramesCodec())
    return storage


def register_serialization(payload: None, context: EventContext) -> None:
    """Step of ``setup.dataframes``: set up dataset serialization from settings ``dataset_serialization``."""
    settings = context.settings(key="dataset_serialization", datatype=DatasetSerialization)
    setup_serialization(settings)
    logger.info(context, "Dataset serialization ready", extra=extra(protocol=settings.protocol,
                                                                     location=settings.location))
