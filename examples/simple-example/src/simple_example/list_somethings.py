"""List somethings: every stored ``Something`` whose id matches a wildcard.

Requires a bearer token (``"auth": ["Bearer"]`` in app config): get one from ``login``.
"""

from typing import List, Optional

from hopeit.app.api import event_api
from hopeit.app.context import EventContext
from hopeit.app.logger import app_logger

from simple_example.model import Something
from simple_example.storage import load_all, something_storage, valid_wildcard

__steps__ = ["load_all_items"]

logger = app_logger()

__api__ = event_api(
    summary="List somethings",
    query_args=[("wildcard", Optional[str], "File-name wildcard of the ids to list (default: *)")],
    responses={
        200: (List[Something], "stored somethings"),
        400: (str, "invalid wildcard (absolute, with '..', NUL...)"),
        401: (str, "missing or invalid bearer token"),
    },
)


async def load_all_items(payload: None, context: EventContext, wildcard: Optional[str] = None) -> List[Something]:
    """Load every stored ``Something`` matching ``wildcard``, in any date partition."""
    user = context.auth_info.get("payload", {}).get("user")
    items = await load_all(something_storage(context), valid_wildcard(wildcard or "*"))
    logger.info(context, f"{user} listed {len(items)} items")
    return items
