"""GET experiment: a saved experiment (Dataset pointers and its metrics), 404 until training is done."""

from typing import Any, Optional

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook

from dataframes_example.iris import Experiment
from dataframes_example.storage import load_experiment

__steps__ = ["find_experiment"]

__api__ = event_api(
    summary="dataframes-example: experiment",
    query_args=[("experiment_id", str, "id answered by train-model")],
    responses={200: (Experiment, "the experiment, its dataframes as Dataset pointers"), 404: (str, "not saved yet")},
)


async def find_experiment(payload: None, context: EventContext, experiment_id: str) -> Optional[Any]:
    """The saved experiment, None when there is none (yet)."""
    return await load_experiment(context, experiment_id)


async def __postprocess__(found: Optional[Any], context: EventContext, response: PostprocessHook) -> Any:
    if found is None:
        response.set_status(404)
        return "experiment not found"
    return found
