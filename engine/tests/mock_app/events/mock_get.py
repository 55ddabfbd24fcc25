"""GET event with query args, settings and logging."""

from dataclasses import dataclass

from hopeit.app.context import EventContext
from hopeit.app.logger import app_extra_logger
from hopeit.dataobjects import dataobject

from mock_app import MockData

__steps__ = ["entry", "greet"]

logger, extra = app_extra_logger()
INITIALIZED = []


@dataobject
@dataclass
class Greeting:
    greeting: str


async def __init_event__(context: EventContext) -> None:
    INITIALIZED.append(context.event_name)


def entry(payload: None, context: EventContext, item_id: str = "0") -> MockData:
    logger.info(context, "entry", extra=extra(item_id=item_id))
    return MockData(id=item_id, value=context.settings(datatype=Greeting).greeting)


async def greet(payload: MockData, context: EventContext) -> MockData:
    shared = context.settings(key="shared", datatype=Greeting)
    payload.value = f"{payload.value} {shared.greeting} {context.env['storage']['path']}"
    return payload
