"""0.24 import path of the OpenAPI spec functions, now ``hopeit.web.openapi``: this name is that module.

The module keeps the spec of the process (``spec``, ``static_spec``), so it is aliased, not
copied: ``hopeit.server.api is hopeit.web.openapi``.
"""

import sys
from typing import TYPE_CHECKING

from hopeit.web import openapi

if TYPE_CHECKING:  # type checkers do not follow the alias below: show them the same names
    from hopeit.web.openapi import *  # noqa: F403

sys.modules[__name__] = openapi
