"""STREAM event with a generic DataObject step (types from 'dataobjects' in config)."""

from typing import List

from hopeit.app.context import EventContext
from hopeit.dataobjects import DataObject

__steps__ = ["collect"]

COLLECTED: List[object] = []


def collect(payload: DataObject, context: EventContext) -> None:
    COLLECTED.append(payload)
