"""Setup marker: a SETUP event that writes a file when the app starts."""

from pathlib import Path

from hopeit.app.context import EventContext

__steps__ = ["write_marker"]


def write_marker(payload: None, context: EventContext) -> None:
    Path(context.env["legacy"]["marker_path"]).write_text("started")
