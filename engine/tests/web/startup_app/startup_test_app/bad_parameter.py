"""An event documented with an operation that is not valid OpenAPI 3.0 (a parameter in no known place)."""

from hopeit.app.context import EventContext

__steps__ = ["answer"]

__api__ = {
    "summary": "bad parameter",
    "parameters": [{"name": "x", "in": "nowhere", "schema": {"type": "string"}}],
    "responses": {"200": {"description": "ok"}},
}


async def answer(payload: None, context: EventContext) -> str:
    """Never served: the server refuses the spec."""
    return "ok"
