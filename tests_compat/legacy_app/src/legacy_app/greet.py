"""Greet: says hello a number of times.

A GET event with a required and an optional query argument, answering a string.
"""

from typing import Optional

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

__steps__ = ["greet"]

__api__ = event_api(
    query_args=[("name", str, "who to greet"), ("times", Optional[int], "how many times")],
    responses={200: (str, "the greeting")},
)


def greet(payload: None, context: EventContext, name: str, times: Optional[str] = None) -> str:
    return " ".join([f"hello {name}"] * int(times or 1))
