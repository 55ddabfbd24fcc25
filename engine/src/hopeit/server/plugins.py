"""Former home of plugin discovery, now ``hopeit.contracts.discovery``: this name is that module.

The module keeps state (what was loaded, from which distribution), so it is aliased, not copied:
``hopeit.server.plugins is hopeit.contracts.discovery``.
"""

import sys

from hopeit.contracts import discovery

sys.modules[__name__] = discovery
