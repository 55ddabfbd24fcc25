"""The app client contract: how one app calls another app's events.

``hopeit.app.client`` is where apps and client plugins import these names from (0.24's path); they
live here so that plugin discovery can check a client class without importing the app layer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Type, TypeVar

from hopeit.contracts.discovery import load_client_class
from hopeit.dataobjects import EventPayload

if TYPE_CHECKING:  # the app layer sits above this one: its types are only named here
    from hopeit.app.config import AppConfig
    from hopeit.app.context import EventContext

__all__ = ["AppConnectionNotFound", "Client", "ClientException", "UnhandledResponse"]

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
    def create(app_config: AppConfig, app_connection: str) -> Client:
        """Instantiate the client class configured for ``app_connection``."""
        conn = app_config.app_connections[app_connection]
        cls = load_client_class(conn.client)
        client: Client = cls(app_config, app_connection)
        return client

    @abstractmethod
    async def start(self) -> Client:
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
