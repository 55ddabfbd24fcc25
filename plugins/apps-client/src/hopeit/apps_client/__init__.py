"""Calls between hopeit apps over HTTP: ``"client": "apps-client"`` in ``app_connections``.

The calling app names the other app and this client in its config, lists the remote events each
event calls under ``connections``, and puts hosts, retries, breaker and auth options in
``settings[<connection>]`` (see ``AppsClientSettings``). Steps then call with
``hopeit.app.client.app_call`` / ``app_call_list``. The package README has the full guide.
"""

from hopeit.apps_client.client import AppConnectionState, AppsClient
from hopeit.apps_client.errors import (
    AppConnectionNotFound,
    AppsClientConfigError,
    AppsClientException,
    ClientLoadBalancerException,
    ServerException,
    UnhandledResponse,
)
from hopeit.apps_client.load_balancer import CircuitBreakLoadBalancer
from hopeit.apps_client.settings import AppsClientSettings, ClientAuthStrategy
from hopeit.apps_client.version import __version__

__all__ = [
    "AppConnectionNotFound",
    "AppConnectionState",
    "AppsClient",
    "AppsClientConfigError",
    "AppsClientException",
    "AppsClientSettings",
    "CircuitBreakLoadBalancer",
    "ClientAuthStrategy",
    "ClientLoadBalancerException",
    "ServerException",
    "UnhandledResponse",
    "__version__",
]
