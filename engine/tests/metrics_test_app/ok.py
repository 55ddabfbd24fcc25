"""Answers ok."""

from hopeit.app.context import EventContext

__steps__ = ["ok"]


def ok(payload: None, context: EventContext) -> str:
    return "ok"
