"""0.24 import path of the web server, now ``hopeit.web.server``: this name is that module.

The module keeps the server of the process (``web_server``), so it is aliased, not copied:
``hopeit.server.web is hopeit.web.server``. ``python -m hopeit.server.web`` serves as in 0.24.
"""

import sys
from typing import TYPE_CHECKING

from hopeit.web import server

if TYPE_CHECKING:  # type checkers do not follow the alias below: show them the same names
    from hopeit.web.server import *  # noqa: F403

if __name__ == "__main__":  # pragma: no cover - exercised by running the module
    server.main()
else:
    sys.modules[__name__] = server
