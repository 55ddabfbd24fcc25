"""STREAM: a batch read from the stream arrives with its frames loaded; its summary is saved."""

from hopeit.app.context import EventContext
from hopeit.dataframes import DataFrames

from df_app import Batch, Summary
from df_app.events.storage import save

__steps__ = ["summarize"]


async def summarize(payload: Batch, context: EventContext) -> Summary:
    df = DataFrames.df(payload.readings)
    summary = Summary(batch_id=payload.batch_id, rows=len(df), total=float(df["value"].sum()))
    return await save(summary, context)
