"""Data objects of simple-example: what its events receive, return, store and publish.

Annotations use ``typing.List``/``Optional`` (not ``list[...]``/``X | None``): the engine reads them
at run time to validate payloads and build the OpenAPI schemas, and the app runs on Python 3.8.
"""

from datetime import datetime
from enum import Enum
from typing import List, Optional

from hopeit.dataobjects import BinaryDownload, dataclass, dataobject, field

__all__ = [
    "AuthInfo",
    "FileUploadInfo",
    "FirstPart",
    "ItemsCollected",
    "ItemsInfo",
    "SecondPart",
    "Something",
    "SomethingFile",
    "SomethingNotFound",
    "SomethingParams",
    "SomethingStored",
    "Status",
    "StatusType",
    "UploadedFile",
    "User",
]


class StatusType(str, Enum):
    """Life cycle of a ``Something``."""

    NEW = "NEW"
    LOADED = "LOADED"
    SUBMITTED = "SUBMITTED"
    PROCESSED = "PROCESSED"


@dataobject
@dataclass
class Status:
    """A status and when it was set."""

    ts: datetime
    type: StatusType


@dataobject
@dataclass
class User:
    """Who a ``Something`` belongs to."""

    id: str
    name: str


@dataobject(event_id="id", event_ts="status.ts")
@dataclass
class Something:
    """The object the app saves, queries and streams.

    ``event_id``/``event_ts`` tell streams and storage which field is the message id and which
    timestamp picks the date partition a stored copy lands in.
    """

    id: str
    user: User
    status: Optional[Status] = None
    history: List[Status] = field(default_factory=list)

    def set_status(self, status_type: StatusType, ts: datetime) -> None:
        """Move the current status (if any) to ``history`` and set a new one."""
        if self.status is not None:
            self.history.append(self.status)
        self.status = Status(ts=ts, type=status_type)


@dataobject
@dataclass
class SomethingParams:
    """What a client sends to create a ``Something``."""

    id: str
    user: str


@dataobject
@dataclass
class SomethingNotFound:
    """Answer of queries when no stored ``Something`` has the id (sent with status 404)."""

    path: str
    id: str


@dataobject(event_id="payload.id", event_ts="payload.status.ts")
@dataclass
class SomethingStored:
    """A ``Something`` after it was saved, and the file it was saved to."""

    path: str
    payload: Something


@dataobject
@dataclass
class ItemsInfo:
    """Two ids to load at once, optionally from one date partition (``YYYY/MM/DD/HH``)."""

    item1_id: str
    item2_id: str
    partition_key: str = ""


@dataobject
@dataclass
class ItemsCollected:
    """The items a collector found."""

    items: List[Something]


@dataobject(event_id="data.id")
@dataclass
class FirstPart:
    """First half of the work on a ``Something`` (see ``shuffle.parallelize_event``)."""

    data: Something


@dataobject(event_id="data.id")
@dataclass
class SecondPart:
    """Second half of the work on a ``Something`` (see ``shuffle.parallelize_event``)."""

    data: Something


@dataobject
@dataclass
class UploadedFile:
    """One file received by ``upload_something``; ``file_name`` is what ``download_something`` takes."""

    field_name: str
    file_name: str
    size: int


@dataobject
@dataclass
class FileUploadInfo:
    """What ``upload_something`` received: form fields and saved files."""

    id: str
    user: str
    uploaded_files: List[UploadedFile] = field(default_factory=list)


@dataobject
@dataclass
class SomethingFile(BinaryDownload):
    """A file to send back; documented in OpenAPI as a binary response."""

    file_name: str
    path: str
    size: int


@dataobject
@dataclass
class AuthInfo:
    """Answer of ``login``: a bearer token for the events that require one."""

    access_token: str
    token_type: str
    expires_in: int
    user: str
