"""my-first-app: the smallest hopeit.engine app, one GET event that answers with a data object."""

from my_first_app.version import __version__

__all__ = ["__version__"]
