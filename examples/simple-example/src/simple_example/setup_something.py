"""Setup: prepare the app's folders when the server starts.

A SETUP event runs once, when the app starts and before its routes, streams and services. This
one creates the data folders (settings ``fs_storage`` and ``uploads``) and writes the marker file
the SERVICE event ``service.something_generator`` waits for.
"""

from pathlib import Path

from hopeit.app.context import EventContext
from hopeit.app.logger import app_logger

from simple_example.storage import now, something_storage
from simple_example.uploads import upload_settings

__steps__ = ["initialize"]

logger = app_logger()

#: Name of the marker file written under ``env.storage.base_path``.
MARKER = ".initialized"


def marker_path(context: EventContext) -> Path:
    """Where the initialization marker lives."""
    return Path(str(context.env["storage"]["base_path"])) / MARKER


def initialize(payload: None, context: EventContext) -> str:
    """Create the storage and upload folders and write the marker; returns the marker path."""
    something_storage(context)  # creates the storage folder
    Path(upload_settings(context).save_path).mkdir(parents=True, exist_ok=True)
    marker = marker_path(context)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(now().isoformat())
    logger.info(context, f"simple-example initialized: {marker}")
    return str(marker)
