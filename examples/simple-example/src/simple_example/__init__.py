"""simple-example: a hopeit.engine app that shows every kind of event, stream and hook.

Each event is a module named like the event in ``config/app-config.json``: event
``streams.something_event`` lives in ``simple_example/streams/something_event.py``.
"""

from simple_example.version import __version__

__all__ = ["__version__"]
