"""stream-app: a small POST -> stream -> STREAM app, the target of the stream attacks and fault tests.

``publish`` (POST) writes each item it receives to the stream ``stream_app.items``; ``consume``
(STREAM) reads it and appends one JSON line per delivery to ``<records_path>/consumed-<pid>.jsonl``,
so a test counts what was consumed, by which process, and how many times, even across servers
that were killed. ``slow`` (GET) answers after a pause, to have requests in flight on shutdown.
``login`` (Basic) issues an access and a refresh token, which ``whoami`` (Bearer) and ``refresh``
(Refresh) accept: the tokens of the swap attack.
The servers import it from the suite folder (``PYTHONPATH``); it is never installed.
"""

from hopeit.dataobjects import dataclass, dataobject

__all__ = ["Item"]


@dataobject(event_id="id")
@dataclass
class Item:
    """What travels through the stream; a ``poison`` item always fails in ``consume``."""

    id: str
    poison: bool = False
