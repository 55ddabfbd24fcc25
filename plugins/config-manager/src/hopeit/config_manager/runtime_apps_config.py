"""Runtime apps config: the apps this server runs, with their config, events and this server.

GET ``/api/config-manager/<ver>/runtime-apps-config?url=<how you reach me>&expand_events=true``.
``url`` is echoed in ``servers`` and ``server_status`` (default ``in-process``); with
``expand_events`` the events listed are those the engine runs, SHUFFLE stages and services
included, instead of the configured ones.
"""

from typing import Optional, Union

from hopeit.app.api import event_api
from hopeit.app.context import EventContext
from hopeit.config_manager import RuntimeApps
from hopeit.config_manager.client import IN_PROCESS, is_true
from hopeit.config_manager.runtime import get_in_process_config

__all__ = ["__api__", "__steps__", "get_apps_config"]

__steps__ = ["get_apps_config"]

__api__ = event_api(
    summary="config-manager: apps running on this server",
    description=(
        "Config and events of every app this server runs, with this server (host name, pid, url). "
        "With expand_events=true the events the engine runs: SHUFFLE stages and services included."
    ),
    query_args=[
        ("url", Optional[str], "How the caller reaches this server: echoed in servers and server_status"),
        ("expand_events", Optional[bool], "List the events the engine runs: SHUFFLE stages and services included"),
    ],
    responses={200: (RuntimeApps, "Config and events of the apps running on this server")},
)


async def get_apps_config(
    payload: None, context: EventContext, *, url: Optional[str] = IN_PROCESS,
    expand_events: Union[bool, str, None] = False,
) -> RuntimeApps:
    """The apps this server process runs, this server known as ``url``."""
    return get_in_process_config(url or IN_PROCESS, is_true(expand_events))
