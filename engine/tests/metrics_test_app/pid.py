"""Answers the id of the process that served the request."""

import os

from hopeit.app.context import EventContext

__steps__ = ["pid"]


def pid(payload: None, context: EventContext) -> int:
    return os.getpid()
