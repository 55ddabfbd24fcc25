"""GET prepare-data: the iris data bundled with scikit-learn, saved as a dataset; answers its pointers."""

from typing import Any

from hopeit.app.api import event_api
from hopeit.app.context import EventContext
from hopeit.dataframes import DataFrames
from hopeit.dataobjects import fields
from sklearn import datasets

from dataframes_example.iris import InputData, Iris

__steps__ = ["download_data", "save_raw_data"]

__api__ = event_api(
    summary="dataframes-example: prepare data",
    responses={200: (InputData, "InputData with Dataset pointers: POST it to train-model")},
)


def download_data(payload: None, context: EventContext) -> Iris:
    """scikit-learn's iris data (bundled: nothing is downloaded), columns named as ``Iris`` declares them."""
    raw = datasets.load_iris(as_frame=True).frame
    names = {f.metadata["source_field_name"]: f.name for f in fields(Iris)}
    return DataFrames.from_df(Iris, raw.rename(columns=names))


async def save_raw_data(iris: Iris, context: EventContext) -> Any:
    """Save the data as a dataset; the answer points at it."""
    return await DataFrames.serialize(InputData(iris=iris))
