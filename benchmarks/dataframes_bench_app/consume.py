"""STREAM consume: the frame arrives loaded; how long it took and a checksum go to a result file."""

import json
import os
import time

from hopeit.app.context import EventContext
from hopeit.dataframes import DataFrames

from dataframes_bench_app import Job, memory_status

__steps__ = ["consume"]


def consume(payload: Job, context: EventContext) -> None:
    elapsed = time.time() - payload.sent_at
    df = DataFrames.df(payload.frame)
    result = {"job_id": payload.job_id, "seconds": elapsed, "rows": len(df), "checksum": float(df.sum().sum()),
              **memory_status()}
    path = os.path.join(os.environ["DF_BENCH_RESULTS"], f"{payload.job_id}.json")
    with open(path + ".tmp", "w") as out:
        json.dump(result, out)
    os.replace(path + ".tmp", path)
