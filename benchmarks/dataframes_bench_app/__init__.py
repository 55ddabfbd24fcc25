"""The app of ``benchmarks/dataframes_bench.py``: a POST that makes a big frame, a STREAM event that reads it."""

import os
from typing import Any, Dict, List

import numpy as np
import pandas as pd
from hopeit.dataframes import dataframe, dataframeobject
from hopeit.dataobjects import dataclass, dataobject

#: the columns of the benchmark frame: ten float64 columns
COLUMNS: List[str] = [f"c{i}" for i in range(10)]


@dataframe(unsafe=True)
@dataclass
class Wide:
    """Ten float columns."""

    c0: float
    c1: float
    c2: float
    c3: float
    c4: float
    c5: float
    c6: float
    c7: float
    c8: float
    c9: float


@dataframeobject(unsafe=True)
@dataclass
class Job:
    """A frame and when the producer let go of it (``time.perf_counter`` is per process: wall time here)."""

    job_id: str
    sent_at: float
    frame: Wide


@dataobject
@dataclass
class JobRequest:
    """What the benchmark POSTs: how big a frame to make."""

    job_id: str
    rows: int
    seed: int = 1


def make_frame(rows: int, seed: int) -> pd.DataFrame:
    """The same frame for the same ``rows`` and ``seed``: what both sides of the benchmark move."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.random((rows, len(COLUMNS))), columns=COLUMNS)


def memory_status() -> Dict[str, Any]:
    """This process's pid, resident memory now and its peak since the last reset (kB, Linux)."""
    status: Dict[str, Any] = {"pid": os.getpid()}
    with open("/proc/self/status") as lines:
        for line in lines:
            if line.startswith(("VmRSS:", "VmHWM:")):
                status[line.split(":")[0]] = int(line.split()[1])
    return status
