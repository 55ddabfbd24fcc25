"""POST produce: make the frame and publish it; the engine saves it as parquet, a pointer goes on the stream."""

import time

from hopeit.app.context import EventContext, PostprocessHook
from hopeit.dataframes import DataFrames

from dataframes_bench_app import Job, JobRequest, Wide, make_frame

__steps__ = ["produce"]


def produce(payload: JobRequest, context: EventContext) -> Job:
    frame = DataFrames.from_df(Wide, make_frame(payload.rows, payload.seed))
    return Job(job_id=payload.job_id, sent_at=time.time(), frame=frame)


def __postprocess__(payload: Job, context: EventContext, response: PostprocessHook) -> str:
    """Answer the job id only: the frame went to the stream (writing its million rows as JSON would not be fair)."""
    return payload.job_id
