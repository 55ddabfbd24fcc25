"""STREAM: what ``start`` wrote goes on to ``trace_test.relayed``."""

from hopeit.app.context import EventContext

from trace_test_app import Item, seen

__steps__ = ["relay"]


def relay(payload: Item, context: EventContext) -> Item:
    seen("relay", context)
    return payload
