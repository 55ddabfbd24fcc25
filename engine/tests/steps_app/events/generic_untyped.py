"""STREAM event with a generic DataObject step and no 'dataobjects' configured."""

from hopeit.app.context import EventContext
from hopeit.dataobjects import DataObject

__steps__ = ["collect"]


def collect(payload: DataObject, context: EventContext) -> None:
    return None
