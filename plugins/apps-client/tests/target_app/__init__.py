"""``target-app``: the app other apps call in the integration tests, served by ``hopeit_server run``.

Every answer names the host that served it (env ``TARGET_HOST_NAME``), so tests can see where
the client sent each call.
"""

from dataclasses import dataclass, field
from typing import Dict

from hopeit.app.context import EventContext
from hopeit.dataobjects import dataobject


@dataobject
@dataclass
class Something:
    """An item stored in the target app."""

    id: str
    user: str = ""
    host: str = ""


@dataobject
@dataclass
class SomethingNotFound:
    """Body of the 404 answer of ``query_something``."""

    path: str
    id: str


@dataobject
@dataclass
class Identity:
    """Who called, as the target app saw it: auth, track ids and the host that answered."""

    host: str
    auth_type: str
    principal: str
    track: Dict[str, str] = field(default_factory=dict)


def host_name(context: EventContext) -> str:
    """Name of the host serving ``context`` (set per server process)."""
    return str(context.env["target"]["host"])
