"""Engine name and version, and the API/route versions derived from it.

Importing this module exports ``HOPEIT_ENGINE_VERSION``, ``HOPEIT_APPS_API_VERSION`` and
``HOPEIT_APPS_ROUTE_VERSION`` to the process environment, so app configs can refer to them as
``${HOPEIT_APPS_API_VERSION}``. Run it as a script to print a version::

    python -m hopeit.contracts.version                 # 1.0.0 (also: python -m hopeit.server.version)
    python -m hopeit.contracts.version APPS_API_VERSION   # 1.0
"""

import os
import sys

__version__ = "1.0.0"

ENGINE_NAME = "hopeit.engine"
ENGINE_VERSION = __version__
#: Major.minor of the engine: the version apps usually declare.
APPS_API_VERSION = ".".join(ENGINE_VERSION.split(".")[:2])
#: ``APPS_API_VERSION`` as it appears in routes and keys (``1.0`` -> ``1x0``).
APPS_ROUTE_VERSION = APPS_API_VERSION.replace(".", "x")

os.environ["HOPEIT_ENGINE_VERSION"] = ENGINE_VERSION
os.environ["HOPEIT_APPS_API_VERSION"] = APPS_API_VERSION
os.environ["HOPEIT_APPS_ROUTE_VERSION"] = APPS_ROUTE_VERSION

__all__ = ["APPS_API_VERSION", "APPS_ROUTE_VERSION", "ENGINE_NAME", "ENGINE_VERSION"]

if __name__ == "__main__":  # pragma: no cover
    print({"APPS_API_VERSION": APPS_API_VERSION, "APPS_ROUTE_VERSION": APPS_ROUTE_VERSION}.get(
        sys.argv[1] if len(sys.argv) > 1 else "", ENGINE_VERSION))
