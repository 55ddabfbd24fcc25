"""Answers with its settings: the storage path of the shared ``fs_storage`` section and its own value."""

from hopeit.app.context import EventContext
from hopeit.dataobjects import dataclass, dataobject

__steps__ = ["read"]


@dataobject
@dataclass
class Storage:
    path: str


@dataobject
@dataclass
class Own:
    value: str


async def read(payload: None, context: EventContext) -> str:
    storage = context.settings(key="fs_storage", datatype=Storage)
    return f"{storage.path}|{context.settings(datatype=Own).value}"
