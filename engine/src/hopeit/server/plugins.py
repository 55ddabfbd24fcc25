"""Former home of plugin discovery, now ``hopeit.contracts.discovery``: this name is that module.

The module keeps state (what was loaded, from which distribution), so it is aliased, not copied:
``hopeit.server.plugins is hopeit.contracts.discovery``.
"""

import sys
from typing import TYPE_CHECKING

from hopeit.contracts import discovery

if TYPE_CHECKING:  # type checkers do not follow the alias below: show them the same names
    from hopeit.contracts.discovery import *  # noqa: F403

sys.modules[__name__] = discovery
