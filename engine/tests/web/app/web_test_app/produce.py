"""Publishes items to the test stream."""

from hopeit.app.context import EventContext

from web_test_app import Item

__steps__ = ["produce"]


def produce(payload: Item, context: EventContext) -> Item:
    return payload
