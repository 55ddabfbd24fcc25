"""Echo: answers the message upper-cased, with its length."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext
from hopeit.app.logger import app_extra_logger

from legacy_app.model import Message

__steps__ = ["upper"]

__api__ = event_api(payload=(Message, "the message"), responses={200: (Message, "the message upper-cased")})

logger, extra = app_extra_logger()


async def upper(payload: Message, context: EventContext) -> Message:
    logger.info(context, "echo", extra=extra(length=len(payload.text)))
    return Message(text=payload.text.upper(), length=len(payload.text))
