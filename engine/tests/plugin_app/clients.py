"""App clients for the client and plugin discovery tests."""

from typing import Any, Dict, List, Optional, Type, TypeVar

from hopeit.app.client import Client
from hopeit.app.config import AppConfig
from hopeit.app.context import EventContext

T = TypeVar("T")

#: (app_key, connection, action) of every client start/stop, in order
EVENTS: List[Any] = []


class EchoClient(Client):
    """Answers every call with the event name, payload and query args it was given."""

    def __init__(self, app_config: AppConfig, app_connection: str) -> None:
        self.app_key = app_config.app_key()
        self.app_connection = app_connection

    async def start(self) -> "EchoClient":
        EVENTS.append((self.app_key, self.app_connection, "start"))
        return self

    async def stop(self) -> None:
        EVENTS.append((self.app_key, self.app_connection, "stop"))

    async def call(
        self,
        event_name: str,
        *,
        datatype: Type[T],
        payload: Any,
        context: EventContext,
        responses: Optional[Dict[int, type]],
        **kwargs: Any,
    ) -> List[T]:
        first = datatype(event=event_name, value=f"{payload}|{sorted(kwargs.items())}")  # type: ignore[call-arg]
        second = datatype(event=event_name, value=f"second|{context.app_key}")  # type: ignore[call-arg]
        return [first, second]


class NotAClient:
    """Looks like a client by name only."""
