"""Query remote: load an item from simple-example, without credentials.

The call goes through app connection ``simple_example_conn_unsecured`` (auth strategy
``UNSECURED``) to simple-example's ``query_something``. ``responses`` maps the statuses this
event handles to the type to parse them as: a 404 comes back as ``SomethingNotFound`` instead of
raising ``UnhandledResponse``. Track ids of the request (``X-Track-Session-Id``...) travel with
the call.
"""

from typing import Optional, Union

from hopeit.app.api import event_api
from hopeit.app.client import app_call
from hopeit.app.context import EventContext, PostprocessHook
from hopeit.app.logger import app_logger
from simple_example.model import Something, SomethingNotFound

__steps__ = ["query_simple_example"]

logger = app_logger()

__api__ = event_api(
    summary="Query an item of simple-example",
    query_args=[
        ("item_id", str, "Id of the item"),
        ("partition_key", Optional[str], "Date partition (YYYY/MM/DD/HH); default: the newest holding the id"),
    ],
    responses={200: (Something, "the item"), 404: (SomethingNotFound, "simple-example has no such item")},
)


async def query_simple_example(
    payload: None, context: EventContext, *, item_id: str, partition_key: Optional[str] = None
) -> Union[Something, SomethingNotFound]:
    """Call simple-example's ``query_something``."""
    query = {"item_id": item_id} if not partition_key else {"item_id": item_id, "partition_key": partition_key}
    result: Union[Something, SomethingNotFound] = await app_call(
        "simple_example_conn_unsecured",
        event="query_something",
        datatype=Something,
        payload=None,
        context=context,
        responses={404: SomethingNotFound},
        **query,
    )
    logger.info(context, f"simple-example answered with {type(result).__name__}")
    return result


async def __postprocess__(
    payload: Union[Something, SomethingNotFound], context: EventContext, response: PostprocessHook
) -> Union[Something, SomethingNotFound]:
    """Pass simple-example's 404 on."""
    if isinstance(payload, SomethingNotFound):
        response.set_status(404)
    return payload
