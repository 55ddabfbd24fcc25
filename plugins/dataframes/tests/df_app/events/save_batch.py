"""POST a batch; the answer is its serialized form: Dataset pointers to the saved frames."""

from typing import Any

from hopeit.app.context import EventContext, PostprocessHook
from hopeit.dataframes import DataFrames

from df_app import Batch

__steps__ = ["keep"]


def keep(payload: Batch, context: EventContext) -> Batch:
    return payload


async def __postprocess__(payload: Batch, context: EventContext, response: PostprocessHook) -> Any:
    return await DataFrames.serialize(payload)
