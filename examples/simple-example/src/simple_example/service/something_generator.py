"""Something generator: a SERVICE that produces a ``Something`` every few seconds.

A SERVICE event runs ``__service__`` when the server starts streams (``--start-streams``) and
until it stops; every item yielded goes through the steps, and results go to ``write_stream``,
where ``streams.process_events`` picks them up. It waits for the marker written by the SETUP
event ``setup_something``. Pace and count: ``settings["service.something_generator"]``.
"""

import asyncio

from hopeit.app.context import EventContext
from hopeit.app.events import Spawn, service_running
from hopeit.app.logger import app_logger
from hopeit.dataobjects import dataclass, dataobject

from simple_example.model import Something, SomethingParams, StatusType, User
from simple_example.setup_something import marker_path
from simple_example.storage import now

__steps__ = ["create_something"]

logger = app_logger()


@dataobject
@dataclass
class GeneratorSettings:
    """How often to produce an item, and how many to produce in total."""

    interval_seconds: float = 10.0
    max_items: int = 10


async def __service__(context: EventContext) -> Spawn[SomethingParams]:
    """Yield up to ``max_items`` params, one every ``interval_seconds``, while the service runs."""
    if not marker_path(context).exists():
        raise RuntimeError(f"{marker_path(context)} not found: the SETUP event setup_something must run first")
    settings = context.settings(datatype=GeneratorSettings)
    produced = 0
    while service_running(context):
        if produced < settings.max_items:
            yield SomethingParams(id=f"generated-{produced}", user="generator")
            produced += 1
        # short sleeps: the loop notices a stop request within a second
        waited = 0.0
        while waited < settings.interval_seconds and service_running(context):
            step = min(1.0, settings.interval_seconds - waited)
            await asyncio.sleep(step)
            waited += step
    logger.info(context, f"generator stopped after {produced} items")


def create_something(payload: SomethingParams, context: EventContext) -> Something:
    """A NEW ``Something`` for the params."""
    item = Something(id=payload.id, user=User(id=payload.user, name=payload.user))
    item.set_status(StatusType.NEW, now())
    return item
