"""POST a batch (pointers or records): it is published to a stream, its frames saved as parquet."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from df_app import Batch

__steps__ = ["accept"]

__api__ = event_api(
    payload=(Batch, "a batch: its frames as Dataset pointers or lists of rows"),
    responses={200: (Batch, "the batch, its frames as lists of rows")},
)


def accept(payload: Batch, context: EventContext) -> Batch:
    return payload
