"""GET status: pid and memory of this server process."""

from typing import Any, Dict

from hopeit.app.context import EventContext

from dataframes_bench_app import memory_status

__steps__ = ["status"]


def status(payload: None, context: EventContext) -> Dict[str, Any]:
    return memory_status()
