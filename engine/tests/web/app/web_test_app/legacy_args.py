"""Legacy args

A step written for 0.24: query args declared typed, taken as strings and converted by the step.
"""

from typing import Optional

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

__steps__ = ["describe"]

__api__ = event_api(query_args=[("page", int), ("ratio", Optional[float]), ("size", Optional[int])],
                    responses={200: str})


def describe(payload: None, context: EventContext, page: str, ratio=None, size: Optional[int] = None) -> str:  # type: ignore[no-untyped-def]
    return f"page={page!r} ratio={ratio!r} size={size!r} next={int(page) + 1}"
