"""Moved to ``hopeit.contracts.settings``; kept while the last imports move (to be removed)."""

from hopeit.contracts.settings import *  # noqa: F403
from hopeit.contracts.settings import DEFAULT_STREAM_MANAGER, __all__  # noqa: F401
