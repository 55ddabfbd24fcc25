"""Which STREAM and SERVICE events are running, shared by the runtime and ``service_running``."""

from typing import Set, Tuple

__all__ = ["is_running", "set_running"]

_running: Set[Tuple[str, str]] = set()


def set_running(app_key: str, event_name: str, running: bool) -> None:
    """Mark an event of an app as running or stopped."""
    if running:
        _running.add((app_key, event_name))
    else:
        _running.discard((app_key, event_name))


def is_running(app_key: str, event_name: str) -> bool:
    """True while the event is marked running."""
    return (app_key, event_name) in _running
