"""OnApp SETUP event: remembers each host app it ran for."""

from hopeit.app.context import EventContext
from web_test_app.state import PLUGIN_SETUP_HOSTS

__steps__ = ["setup"]


def setup(payload: None, context: EventContext) -> None:
    PLUGIN_SETUP_HOSTS.append(context.app_key)
