"""0.24 import path of the engine version: see ``hopeit.contracts.version``.

``python -m hopeit.server.version [APPS_API_VERSION|APPS_ROUTE_VERSION]`` prints a version, as in 0.24.
"""

import sys

from hopeit.contracts.version import (
    APPS_API_VERSION,
    APPS_ROUTE_VERSION,
    ENGINE_NAME,
    ENGINE_VERSION,
    __version__,
)

__all__ = ["APPS_API_VERSION", "APPS_ROUTE_VERSION", "ENGINE_NAME", "ENGINE_VERSION", "__version__"]

if __name__ == "__main__":  # pragma: no cover - exercised by running the module
    print({"APPS_API_VERSION": APPS_API_VERSION, "APPS_ROUTE_VERSION": APPS_ROUTE_VERSION}.get(
        sys.argv[1] if len(sys.argv) > 1 else "", ENGINE_VERSION))
