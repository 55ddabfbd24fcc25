"""STREAM: the last event of the chain, reading ``trace_test.relayed``; ``fail`` items fail."""

from hopeit.app.context import EventContext

from trace_test_app import Item, seen

__steps__ = ["finish"]


async def finish(payload: Item, context: EventContext) -> None:
    seen("finish", context)
