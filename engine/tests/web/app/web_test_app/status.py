"""Counters of SETUP, STREAM and SERVICE events."""

from hopeit.app.context import EventContext

from web_test_app import Status
from web_test_app.state import CONSUMED, PLUGIN_SETUP_HOSTS, SERVICE_ITEMS, SETUP_RUNS

__steps__ = ["status"]


def status(payload: None, context: EventContext) -> Status:
    return Status(setup_runs=SETUP_RUNS[0], consumed=list(CONSUMED), service_items=SERVICE_ITEMS[0],
                  plugin_setup_hosts=list(PLUGIN_SETUP_HOSTS))
