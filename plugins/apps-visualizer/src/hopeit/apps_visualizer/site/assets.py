"""Apps Visualizer assets: the scripts and styles of the page, served from the installed package.

GET ``/ops/apps-visualizer/assets?file=<name>``. ``name`` is one of ``ASSETS`` (the third-party
libraries, their licences, and the page's own script); anything else is a 404. Each library is
the file its npm package ships, at the version in ``VENDORED``.
"""

from pathlib import Path
from typing import Dict, Optional, Tuple

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook

__all__ = ["ASSETS", "VENDORED", "__api__", "__postprocess__", "__steps__", "find_asset"]

__steps__ = ["find_asset"]

__api__ = event_api(
    query_args=[("file", str, "Name of the asset, e.g. cytoscape.min.js")],
    responses={200: (str, "The file"), 404: (str, "No such asset")},
)

SITE = Path(__file__).parent
VENDOR = SITE / "vendor"

#: npm package, version and licence of each library shipped in ``vendor/``.
VENDORED: Dict[str, Tuple[str, str]] = {
    "cytoscape": ("3.35.0", "MIT"),
    "klayjs": ("0.4.1", "EPL-1.0"),
    "cytoscape-klay": ("3.1.4", "MIT"),
    "bootstrap": ("5.3.8", "MIT"),
}

_JS = "text/javascript"
#: Asset name -> (file, content type). Names are literal: a request never names a path.
ASSETS: Dict[str, Tuple[Path, str]] = {
    "cytoscape.min.js": (VENDOR / "cytoscape.min.js", _JS),
    "klay.js": (VENDOR / "klay.js", _JS),
    "cytoscape-klay.js": (VENDOR / "cytoscape-klay.js", _JS),
    "bootstrap.min.css": (VENDOR / "bootstrap.min.css", "text/css"),
    "visualizer.js": (SITE / "visualizer.js", _JS),
    "cytoscape.LICENSE.txt": (VENDOR / "cytoscape.LICENSE.txt", "text/plain"),
    "klayjs.LICENSE.html": (VENDOR / "klayjs.LICENSE.html", "text/html"),
    "cytoscape-klay.LICENSE.txt": (VENDOR / "cytoscape-klay.LICENSE.txt", "text/plain"),
    "bootstrap.LICENSE.txt": (VENDOR / "bootstrap.LICENSE.txt", "text/plain"),
}


def find_asset(payload: None, context: EventContext, *, file: str) -> Optional[str]:
    """Step: the asset's name when it is one of ``ASSETS``, else None."""
    return file if file in ASSETS else None


async def __postprocess__(payload: Optional[str], context: EventContext, response: PostprocessHook) -> str:
    """Answer with the file, cached by the browser for an hour; 404 for an unknown name."""
    if payload is None:
        response.set_status(404)
        response.set_content_type("text/plain")
        return "No such asset"
    path, content_type = ASSETS[payload]
    response.set_content_type(content_type)
    response.set_header("Cache-Control", "public, max-age=3600")
    response.set_file_response(path)
    return payload
