"""An event whose documented request body is not valid OpenAPI 3.0 (``content`` is not an object)."""

from hopeit.app.context import EventContext

__steps__ = ["answer"]

__api__ = {
    "summary": "bad body",
    "requestBody": {"description": "a body", "content": "not an object"},
    "responses": {"200": {"description": "ok"}},
}


async def answer(payload: None, context: EventContext) -> str:
    """Never served: the server refuses the spec."""
    return "ok"
