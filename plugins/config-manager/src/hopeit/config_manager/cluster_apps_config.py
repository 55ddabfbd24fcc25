"""Cluster apps config: the apps a set of hosts run, asked of every host at once and merged.

GET ``/api/config-manager/<ver>/cluster-apps-config?hosts=http://h1:8020,http://h2:8020&expand_events=true``.
Each host (or ``in-process``, this server) is asked its ``runtime-apps-config``; an app appears
once, with every server running it. ``server_status`` tells, per host, ``ALIVE`` or ``ERROR``
(refused, timed out after ``config_manager_client.client_timeout`` seconds, or answered garbage).
"""

from typing import Optional, Union

from hopeit.app.api import event_api
from hopeit.app.context import EventContext
from hopeit.config_manager import RuntimeApps
from hopeit.config_manager.client import get_apps_config, is_true

__all__ = ["__api__", "__steps__", "get_hosts_apps_config"]

__steps__ = ["get_hosts_apps_config"]

__api__ = event_api(
    summary="config-manager: apps running on a set of hosts",
    description=(
        "Asks every host for its runtime-apps-config at once and merges the answers: an app appears once, "
        "with every server running it. server_status tells ALIVE or ERROR per host (refused, timed out "
        "after config_manager_client.client_timeout seconds, or answered something else than RuntimeApps)."
    ),
    query_args=[
        ("hosts", str, "Comma-separated base urls (http://host:port) of the servers to ask, or in-process"),
        ("expand_events", Optional[bool], "List the events the engines run: SHUFFLE stages and services included"),
    ],
    responses={200: (RuntimeApps, "Config and events of the apps running on the hosts, merged")},
)


async def get_hosts_apps_config(
    payload: None, context: EventContext, *, hosts: str, expand_events: Union[bool, str, None] = False
) -> RuntimeApps:
    """The merged runtime apps config of ``hosts``."""
    return await get_apps_config(hosts, context, expand_events=is_true(expand_events))
