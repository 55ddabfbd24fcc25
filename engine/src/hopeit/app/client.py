"""Calls from one app to another app's events, through the client named in ``app_connections``.

An app declares the target app in its config::

    "app_connections": {
        "simple-example-conn": {"name": "simple-example", "version": "1.0", "client": "apps-client"}
    }

and a step calls it::

    result = await app_call("simple-example-conn", event="query_something",
                            datatype=Something, payload=None, context=context, item_id="1")

``client`` is a name in the ``hopeit.clients`` entry points or a dotted class path.
"""

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Type, TypeVar

from hopeit.app.config import AppConfig
from hopeit.app.context import EventContext
from hopeit.dataobjects import EventPayload

__all__ = [
    "AppConnectionNotFound",
    "Client",
    "ClientException",
    "UnhandledResponse",
    "app_call",
    "app_call_list",
    "app_client",
    "register_app_connections",
    "stop_app_connections",
]

_T = TypeVar("_T")


class ClientException(Exception):
    """A call to another app failed."""


class AppConnectionNotFound(ClientException):
    """The app connection is not in this app's ``app_connections``."""


class UnhandledResponse(ClientException):
    """The other app answered with a status not mapped in ``responses``."""

    def __init__(self, message: str, response: Any, status: int) -> None:
        super().__init__(message)
        self.response = response
        self.status = status


class Client(ABC):
    """Base class of app clients; plugins implement ``start``, ``stop`` and ``call``."""

    @staticmethod
    def create(app_config: AppConfig, app_connection: str) -> "Client":
        """Instantiate the client class configured for ``app_connection``."""
        from hopeit.server.plugins import load_client_class  # discovery lives in the runtime

        conn = app_config.app_connections[app_connection]
        cls = load_client_class(conn.client)
        client: Client = cls(app_config, app_connection)
        return client

    @abstractmethod
    async def start(self) -> "Client":
        """Open connections; returns the client."""

    @abstractmethod
    async def stop(self) -> None:
        """Close connections."""

    @abstractmethod
    async def call(
        self,
        event_name: str,
        *,
        datatype: Type[_T],
        payload: Optional[EventPayload],
        context: EventContext,
        responses: Optional[Dict[int, type]],
        **kwargs: Any,
    ) -> List[_T]:
        """Call ``event_name`` of the connected app; always returns a list."""


_clients: Dict[str, Dict[str, Client]] = {}


async def register_app_connections(app_config: AppConfig) -> None:
    """Create and start one client per ``app_connections`` entry of ``app_config``."""
    clients = _clients.setdefault(app_config.app_key(), {})
    for name in app_config.app_connections:
        clients[name] = await Client.create(app_config, name).start()


async def stop_app_connections(app_key: str) -> None:
    """Stop the clients of an app."""
    for client in _clients.pop(app_key, {}).values():
        await client.stop()


def app_client(app_connection: str, context: EventContext) -> Client:
    """The started client of ``app_connection`` for the app running ``context``."""
    try:
        return _clients[context.app_key][app_connection]
    except KeyError:
        raise AppConnectionNotFound(
            f"app connection '{app_connection}' not found for app '{context.app_key}': "
            "add it to app_connections in the app config"
        ) from None


async def app_call(
    app_connection: str,
    *,
    event: str,
    datatype: Type[_T],
    payload: Optional[EventPayload],
    context: EventContext,
    responses: Optional[Dict[int, type]] = None,
    **kwargs: Any,
) -> _T:
    """Call an event of a connected app and return the first item of its response."""
    return (
        await app_call_list(
            app_connection,
            event=event,
            datatype=datatype,
            payload=payload,
            context=context,
            responses=responses,
            **kwargs,
        )
    )[0]


async def app_call_list(
    app_connection: str,
    *,
    event: str,
    datatype: Type[_T],
    payload: Optional[EventPayload],
    context: EventContext,
    responses: Optional[Dict[int, type]] = None,
    **kwargs: Any,
) -> List[_T]:
    """Call an event of a connected app and return every item of its response."""
    client = app_client(app_connection, context)
    return await client.call(event, datatype=datatype, payload=payload, context=context, responses=responses, **kwargs)
