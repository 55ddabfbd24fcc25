"""An event module importing a sibling helper module that does not exist (named like a prefix of it)."""

from steps_app.events.save_item import helper  # type: ignore[import-not-found]  # noqa: F401

__steps__ = ["step"]
