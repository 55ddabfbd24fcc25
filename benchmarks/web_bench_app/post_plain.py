"""Echo a validated nested body, from a plain ``def`` step and no ``__api__``."""

from hopeit.app.context import EventContext

from web_bench_app import Nested

__steps__ = ["echo"]


def echo(payload: Nested, context: EventContext) -> Nested:
    """The body, as read."""
    return payload
