"""Date partitions: the folder (``2024/03/05/``) an object is stored under.

A partition key is the UTC time of the object (its ``event_ts()``, or now when it has none)
formatted with the storage's ``partition_dateformat``, with a trailing ``/``. With no format the
key is ``""``: objects go straight into the storage folder (hopeit.engine 0.24 returned ``"/"``,
which joined onto a path pointed at the filesystem root).
"""

from datetime import datetime, timezone
from typing import Any, Optional

__all__ = ["get_file_partition_key", "get_partition_key"]


def _format(moment: datetime, partition_dateformat: Optional[str]) -> str:
    fmt = (partition_dateformat or "").strip("/")
    if not fmt:
        return ""
    # a naive datetime is taken as local time, as datetime.astimezone does
    return moment.astimezone(timezone.utc).strftime(fmt) + "/"


def get_partition_key(payload: Any, partition_dateformat: Optional[str]) -> str:
    """Partition of ``payload`` by its ``event_ts()`` (current UTC time when it has none), ending in ``/``."""
    event_ts = payload.event_ts() if callable(getattr(payload, "event_ts", None)) else None
    return _format(event_ts if event_ts is not None else datetime.now(tz=timezone.utc), partition_dateformat)


def get_file_partition_key(partition_dateformat: Optional[str], *, partition_dt: Optional[datetime] = None) -> str:
    """Partition for a raw file: by ``partition_dt`` when given, else the current UTC time; ends in ``/``."""
    return _format(partition_dt if partition_dt is not None else datetime.now(tz=timezone.utc), partition_dateformat)
