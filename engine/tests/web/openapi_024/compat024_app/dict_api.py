"""Compat: __api__ as dict"""
from hopeit.app.context import EventContext

__steps__ = ["run"]

__api__ = {
    "summary": "Dict api",
    "description": "Operation given as a dict",
    "parameters": [
        {"name": "q", "in": "query", "required": False, "description": "q", "schema": {"type": "string"}}
    ],
    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}},
    "tags": ["will-be-replaced"],
}


def run(payload: None, context: EventContext, q: str = "") -> str:
    """Step of the test event."""
    return q
