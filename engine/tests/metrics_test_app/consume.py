"""Consumes ``metrics_test.items``: an item marked ``fail`` fails (and stays pending)."""

from hopeit.app.context import EventContext

from metrics_test_app import Item

__steps__ = ["consume"]


def consume(payload: Item, context: EventContext) -> None:
    if payload.fail:
        raise RuntimeError(f"asked to fail {payload.id}")
