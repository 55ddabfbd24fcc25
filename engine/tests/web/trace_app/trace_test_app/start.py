"""POST: the item goes to ``trace_test.started`` (plain step, then an async one)."""

from hopeit.app.context import EventContext

from trace_test_app import Item, seen

__steps__ = ["check", "publish"]


def check(payload: Item, context: EventContext) -> Item:
    return payload


async def publish(payload: Item, context: EventContext) -> Item:
    seen("start", context)
    return payload
