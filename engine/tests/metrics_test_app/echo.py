"""Echoes the item posted."""

from hopeit.app.context import EventContext

from metrics_test_app import Item

__steps__ = ["echo"]


def echo(payload: Item, context: EventContext) -> Item:
    return payload
