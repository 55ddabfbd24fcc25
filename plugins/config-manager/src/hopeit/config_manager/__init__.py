"""hopeit.config-manager: the apps a server runs, and a cluster's, over HTTP.

Loaded on a server (``"plugins": ["config-manager"]`` in server config, or its
``plugin-config.json`` in ``--config-files``), it answers two GET routes:

* ``/api/config-manager/<ver>/runtime-apps-config?url=&expand_events=``: the apps this server
  runs, each with its config, its events and this server (host name, pid, url);
* ``/api/config-manager/<ver>/cluster-apps-config?hosts=&expand_events=``: the same, asked of
  every host in ``hosts`` at once and merged; hosts that do not answer are marked ``ERROR``.

Configuration
-------------
``settings.config_manager_client.client_timeout`` (seconds, default 10): how long the cluster
view waits for each host. Apps that call ``hopeit.config_manager.client.get_apps_config`` read
the same key from their own settings.

This module holds the data objects both routes answer with: ``RuntimeApps`` of ``RuntimeAppInfo``
of ``ServerInfo``. Their JSON keys are their field names.
"""

from enum import Enum
from typing import Dict, List

from hopeit.app.config import AppConfig, EventDescriptor
from hopeit.config_manager.version import __version__
from hopeit.dataobjects import dataclass, dataobject, field

__all__ = ["RuntimeAppInfo", "RuntimeApps", "ServerInfo", "ServerStatus", "__version__"]


@dataobject
@dataclass
class ServerInfo:
    """A server process running an app: its host name, process id and the url it was asked at."""

    host_name: str
    pid: str
    url: str = "in-process"


class ServerStatus(str, Enum):
    """Whether a host answered the cluster view (``ALIVE``) or not (``ERROR``)."""

    ALIVE = "ALIVE"
    ERROR = "ERROR"


@dataobject
@dataclass
class RuntimeAppInfo:
    """An app as it runs: the servers running it, its config and its events by key.

    ``effective_events`` keys are ``<app_key>.<event>`` for the app's own events and
    ``<app_key>.<plugin_key>.<event>`` for the events its plugins mount on it (``OnApp``).
    """

    servers: List[ServerInfo]
    app_config: AppConfig
    effective_events: Dict[str, EventDescriptor]


@dataobject
@dataclass
class RuntimeApps:
    """Apps by app key, and the status of each host asked (by the url it was asked at)."""

    apps: Dict[str, RuntimeAppInfo]
    server_status: Dict[str, ServerStatus] = field(default_factory=dict)
