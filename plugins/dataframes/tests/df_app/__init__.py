"""A small app whose events take, publish and return dataframes: the plugin's end to end tests run it."""

from datetime import datetime
from typing import Optional

from hopeit.dataframes import dataframe, dataframeobject
from hopeit.dataobjects import dataclass, dataobject


@dataframe
@dataclass
class Reading:
    """Readings of sensors."""

    sensor: str
    value: float
    count: int
    at: Optional[datetime] = None


@dataframe
@dataclass
class Values:
    """Just the values."""

    value: float


@dataframeobject
@dataclass
class Batch:
    """A batch of readings, and those rejected from it."""

    batch_id: str
    readings: Reading
    rejected: Optional[Reading] = None


@dataobject
@dataclass
class Summary:
    """What a batch added up to."""

    batch_id: str
    rows: int
    total: float
    rejected: int = 0
