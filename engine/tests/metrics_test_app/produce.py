"""Publishes the item posted to the stream ``metrics_test.items``."""

from hopeit.app.context import EventContext

from metrics_test_app import Item

__steps__ = ["produce"]


def produce(payload: Item, context: EventContext) -> Item:
    return payload
