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

from typing import Any, Dict, List, Optional, Type, TypeVar

from hopeit.app.config import AppConfig
from hopeit.app.context import EventContext
from hopeit.contracts.clients import AppConnectionNotFound, Client, ClientException, UnhandledResponse
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
