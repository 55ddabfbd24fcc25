"""Greeting: say hello to someone.

A GET event: the query argument ``name`` reaches the first step, which returns a ``Greeting`` data
object; the server answers with it as JSON. The greeting word comes from the event's settings in
``config/app-config.json`` (``settings.greeting``), read with ``context.settings(...)``.
"""

from typing import Optional

from hopeit.app.api import event_api
from hopeit.app.context import EventContext
from hopeit.app.logger import app_logger
from hopeit.dataobjects import dataclass, dataobject

__steps__ = ["say_hello"]

logger = app_logger()


@dataobject
@dataclass
class GreetingSettings:
    """Settings section of this event (``settings.greeting`` in app config)."""

    word: str = "Hello"


@dataobject
@dataclass
class Greeting:
    """What the event answers: the message and how many characters it has."""

    message: str
    length: int


__api__ = event_api(
    summary="Say hello",
    query_args=[("name", Optional[str], "Who to greet (default: World)")],
    responses={200: (Greeting, "The greeting")},
)


def say_hello(payload: None, context: EventContext, *, name: str = "World") -> Greeting:
    """Build the greeting for ``name`` with the configured greeting word."""
    settings = context.settings(datatype=GreetingSettings)
    message = f"{settings.word}, {name}!"
    logger.info(context, f"greeting {name}")
    return Greeting(message=message, length=len(message))
