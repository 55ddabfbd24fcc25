"""GET: refuses the request, so its log gets a START and an IGNORED line."""

from hopeit.app.context import EventContext
from hopeit.app.errors import BadRequest

__steps__ = ["refuse"]


def refuse(payload: None, context: EventContext) -> str:
    """Always answers 400."""
    raise BadRequest("refused on purpose")
