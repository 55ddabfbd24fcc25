"""POST predict?experiment_id=...: the variety of each flower, by the model of an experiment."""

from typing import Any, Union

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook
from hopeit.dataframes import DataFrames

from dataframes_example.iris import (
    IrisBatchPredictionRequest,
    IrisBatchPredictionResponse,
    IrisFeatures,
    IrisLabels,
    IrisPredictionResponse,
)
from dataframes_example.storage import load_model

__steps__ = ["predict"]

__api__ = event_api(
    summary="dataframes-example: predict",
    query_args=[("experiment_id", str, "experiment whose model predicts")],
    payload=(IrisBatchPredictionRequest, "flowers"),
    responses={200: (IrisBatchPredictionResponse, "predicted varieties"), 404: (str, "no such model")},
)


def predict(payload: IrisBatchPredictionRequest, context: EventContext,
            experiment_id: str) -> Union[IrisBatchPredictionResponse, None]:
    """Varieties predicted by the model of ``experiment_id`` (None when there is no such model)."""
    model = load_model(context, experiment_id)
    if model is None:
        return None
    features = DataFrames.from_dataobjects(IrisFeatures, (item.features for item in payload.items))
    labels = DataFrames.from_array(IrisLabels, model.predict(DataFrames.df(features)))
    return IrisBatchPredictionResponse(items=[
        IrisPredictionResponse(prediction_id=item.prediction_id, prediction=row)
        for item, row in zip(payload.items, DataFrames.to_dataobjects(labels))
    ])


async def __postprocess__(result: Any, context: EventContext, response: PostprocessHook) -> Any:
    if result is None:
        response.set_status(404)
        return "model not found"
    return result
