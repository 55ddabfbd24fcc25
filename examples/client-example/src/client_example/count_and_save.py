"""Count and save: log in to simple-example, count its items, and save one more.

Send ``Authorization: Basic`` credentials of a simple-example user. Three calls, three auth
strategies (``settings`` of each app connection in app config):

1. ``login`` through ``simple_example_auth_conn`` (``FORWARD_CONTEXT``): the caller's Basic
   credentials are forwarded; simple-example answers with a token, verified here with
   simple-example's public key (both servers share ``auth.secrets_location``).
2. ``list_somethings`` through ``simple_example_conn`` (``CLIENT_APP_PUBLIC_KEY``): the client
   signs a short-lived token with client-example's own key; simple-example accepts it because
   it can read client-example's public key.
3. ``save_something`` through the same connection, with a new id: ``item<count>``.
"""

import base64
from typing import Optional

from hopeit.app.api import event_api
from hopeit.app.client import app_call, app_call_list
from hopeit.app.context import EventContext
from hopeit.app.errors import Unauthorized
from hopeit.app.logger import app_logger
from hopeit.toolkit import auth
from simple_example.model import AuthInfo, Something, SomethingParams

from client_example import CountAndSaveResult

__steps__ = ["ensure_login", "count_objects", "save_object"]

logger = app_logger()

__api__ = event_api(
    summary="Count simple-example items and save one more",
    query_args=[("wildcard", Optional[str], "Ids to count (default: *)")],
    responses={200: (CountAndSaveResult, "count and path of the saved item"), 401: (str, "bad credentials")},
)


async def ensure_login(payload: None, context: EventContext, wildcard: Optional[str] = None) -> str:
    """Log in to simple-example with the forwarded credentials; returns the wildcard to count."""
    auth_info: AuthInfo = await app_call(
        "simple_example_auth_conn", event="login", datatype=AuthInfo, payload=None, context=context
    )
    if auth.validate_token(auth_info.access_token, context) is None:
        raise Unauthorized("simple-example issued a token that cannot be verified")
    logger.info(context, f"logged in to simple-example as {auth_info.user}")
    return wildcard or "*"


async def count_objects(payload: str, context: EventContext) -> int:
    """How many items simple-example lists for the wildcard."""
    items = await app_call_list(
        "simple_example_conn", event="list_somethings", datatype=Something, payload=None, context=context,
        wildcard=payload,
    )
    return len(items)


async def save_object(payload: int, context: EventContext) -> CountAndSaveResult:
    """Save item ``item<count>`` in simple-example, owned by the user of the credentials."""
    credentials = base64.b64decode(str(context.auth_info.get("payload", ""))).decode()
    user = credentials.split(":", 1)[0]
    path: str = await app_call(
        "simple_example_conn", event="save_something", datatype=str,
        payload=SomethingParams(id=f"item{payload}", user=user), context=context,
    )
    return CountAndSaveResult(count=payload, save_path=path)
