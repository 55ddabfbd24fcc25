"""The modules of interest the serving process has imported (``?prefixes=a,b``), for the start-up tests."""

import sys
from typing import List

from hopeit.app.api import event_api
from hopeit.app.context import EventContext

__steps__ = ["loaded"]

__api__ = event_api(query_args=[("prefixes", str, "comma-separated module name prefixes")],
                    responses={200: (List[str], "loaded modules")})


async def loaded(payload: None, context: EventContext, prefixes: str) -> List[str]:
    """Names in ``sys.modules`` equal to, or inside, one of ``prefixes``."""
    wanted = tuple(p for p in prefixes.split(",") if p)
    inside = tuple(f"{p}." for p in wanted)
    return sorted(name for name in list(sys.modules) if name in wanted or name.startswith(inside))
