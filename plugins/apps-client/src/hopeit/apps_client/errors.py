"""Errors raised by the apps client.

All of them are ``hopeit.app.client.ClientException`` subclasses, so a step can catch any failed
call to another app with one ``except ClientException``. ``AppConnectionNotFound`` and
``UnhandledResponse`` come from the engine and are re-exported here for convenience.
"""

from hopeit.app.client import AppConnectionNotFound, ClientException, UnhandledResponse

__all__ = [
    "AppConnectionNotFound",
    "AppsClientConfigError",
    "AppsClientException",
    "ClientException",
    "ClientLoadBalancerException",
    "ServerException",
    "UnhandledResponse",
]


class ClientLoadBalancerException(ClientException):
    """Every host of the connection has its circuit breaker open: the call was not attempted."""


class AppsClientException(ClientException):
    """The call failed on every attempt (server errors, connection errors or timeouts)."""


class ServerException(ClientException):
    """The other app answered with a 5xx status that ``responses`` does not map."""


class AppsClientConfigError(ClientException):
    """An app connection, its settings or an event's ``connections`` entry cannot be used."""
