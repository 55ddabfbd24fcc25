"""Where experiments and models are kept, from the app settings."""

import pickle
from pathlib import Path
from typing import Any, Optional

from hopeit.app.context import EventContext
from hopeit.dataframes import DataFrames
from hopeit.fs_storage import FileStorage, FileStorageSettings
from hopeit.storage import check_key

from dataframes_example.iris import Experiment, ModelStorage

__all__ = ["experiments", "load_experiment", "load_model", "model_path", "save_model"]


def experiments(context: EventContext) -> "FileStorage[Any]":
    """The experiment storage (settings ``experiment_storage``)."""
    return FileStorage.with_settings(context.settings(key="experiment_storage", datatype=FileStorageSettings))


def model_path(context: EventContext, experiment_id: str) -> Path:
    """File of the model of ``experiment_id`` (a literal name: an id with a path in it is refused, 400)."""
    settings = context.settings(key="model_storage", datatype=ModelStorage)
    return Path(settings.path) / f"model_{check_key(experiment_id, what='experiment_id')}.pkl5"


def save_model(model: Any, context: EventContext, experiment_id: str) -> str:
    """Pickle ``model`` (protocol 5) to its file; returns the path."""
    path = model_path(context, experiment_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(model, protocol=5))
    return str(path)


def load_model(context: EventContext, experiment_id: str) -> Optional[Any]:
    """The model trained by ``experiment_id``, None when there is none. Only files this app wrote are read."""
    path = model_path(context, experiment_id)
    if not path.exists():
        return None
    return pickle.loads(path.read_bytes())


async def load_experiment(context: EventContext, experiment_id: str) -> Optional[Any]:
    """The saved (serialized) experiment, newest partition first; None when there is none."""
    storage = experiments(context)
    serialized: Any = DataFrames.serialized_type(Experiment)
    for locator in await storage.locate(check_key(experiment_id, what="experiment_id")):
        found = await storage.get(experiment_id, datatype=serialized, partition_key=locator.partition_key)
        if found is not None:
            return found
    return None
