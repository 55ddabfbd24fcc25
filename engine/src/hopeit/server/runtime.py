"""The process-wide runtime: ``server``, the app engines this process runs, started and stopped together.

``Server`` lives with ``AppEngine`` in ``hopeit.server.engine`` (as in 0.24); this module holds the
one instance of the process.
"""

from hopeit.server.engine import Server, run_setup_event

__all__ = ["Server", "run_setup_event", "server"]

#: The runtime of this process.
server = Server()
