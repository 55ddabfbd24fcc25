"""Plugin: on app event

Runs on each app that uses the plugin.
"""
from hopeit.app.api import event_api
from hopeit.app.context import EventContext

from compat024_plugin.model import PluginInfo

__steps__ = ["run"]

__api__ = event_api(
    query_args=[("detail", bool, "with detail")],
    responses={200: (PluginInfo, "plugin info")},
)


def run(payload: None, context: EventContext, detail: str) -> PluginInfo:
    """Step of the test event."""
    return PluginInfo(app=context.app_key, detail=detail == "true")
