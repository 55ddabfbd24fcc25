"""Numbers: answers a list, a dict or an int depending on ``kind``."""

from typing import Union

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

__steps__ = ["numbers"]

__api__ = event_api(query_args=[("kind", str, "list, dict or count")], responses={200: (dict, "numbers")})


def numbers(payload: None, context: EventContext, kind: str) -> Union[list, dict, int]:
    if kind == "list":
        return [1, 2, 3]
    if kind == "dict":
        return {"one": 1, "two": [2, 2], "three": {"value": 3}}
    return 3
