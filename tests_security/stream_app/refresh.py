"""Refresh: an event protected by the Refresh scheme (the ``<app_key>.refresh`` cookie)."""

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

__steps__ = ["who"]

__api__ = event_api(
    summary="Who holds this refresh token",
    responses={200: (str, "the user of the refresh token"), 401: (str, "no valid refresh token")},
)


def who(payload: None, context: EventContext) -> str:
    """The ``user`` claim of the token that got in."""
    return str(context.auth_info.get("payload", {}).get("user"))
