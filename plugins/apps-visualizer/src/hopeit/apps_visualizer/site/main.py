"""Apps Visualizer: the page.

GET ``/ops/apps-visualizer?app_prefix=&host_filter=&expanded_view=&live=``: an HTML page that
draws the graph of the apps running on the configured hosts and refreshes it every 5 seconds
from ``apps/events-graph`` (or ``event-stats/live`` with ``live=true``). It loads its scripts
and styles from ``/ops/apps-visualizer/assets``: it needs no internet access.
"""

import html
from pathlib import Path
from typing import Dict
from urllib.parse import urlencode

from hopeit.app.api import event_api
from hopeit.app.context import EventContext, PostprocessHook
from hopeit.app.names import route_name
from hopeit.apps_visualizer.apps import get_runtime_apps
from hopeit.apps_visualizer.site.visualization import (
    VisualizationOptions,
    visualization_options,
    visualization_options_api_args,
)
from hopeit.config_manager import RuntimeApps
from hopeit.dataobjects import dataclass, dataobject

__all__ = [
    "RuntimeAppsConfig",
    "__api__",
    "__postprocess__",
    "__steps__",
    "render_page",
    "runtime_apps_config",
    "visualization_options",
]

__steps__ = ["visualization_options", "runtime_apps_config"]

__api__ = event_api(
    query_args=visualization_options_api_args(),
    responses={200: (str, "The Apps Visualizer page (text/html)")},
)

#: The page template: ``{{ name }}`` placeholders, replaced with HTML-escaped values.
TEMPLATE = Path(__file__).with_name("events_graph_template.html")

#: The page's own name, for links relative to it (the page is ``.../apps-visualizer``).
PAGE_LINK = "apps-visualizer"


@dataobject
@dataclass
class RuntimeAppsConfig:
    """The apps read from the hosts when the page was asked for, and the options it was asked with."""

    runtime_apps: RuntimeApps
    options: VisualizationOptions


async def runtime_apps_config(options: VisualizationOptions, context: EventContext) -> RuntimeAppsConfig:
    """Step: ask the hosts again (a page load always shows the cluster as it is now)."""
    runtime_apps = await get_runtime_apps(context, refresh=True, expand_events=options.expanded_view)
    return RuntimeAppsConfig(runtime_apps=runtime_apps, options=options)


async def __postprocess__(payload: RuntimeAppsConfig, context: EventContext, response: PostprocessHook) -> str:
    """Answer the page as HTML."""
    response.set_content_type("text/html")
    response.set_header("Cache-Control", "no-store")
    return render_page(payload.options, context.app.name, context.app.version)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _page_query(options: VisualizationOptions, **changes: bool) -> str:
    args = {
        "app_prefix": options.app_prefix,
        "host_filter": options.host_filter,
        "expanded_view": _flag(changes.get("expanded_view", options.expanded_view)),
        "live": _flag(changes.get("live", options.live)),
    }
    return urlencode(args)


def render_page(options: VisualizationOptions, app_name: str, app_version: str) -> str:
    """The page for ``options``; links toggle one option each and keep the others."""
    endpoint = ("event-stats", "live") if options.live else ("apps", "events-graph")
    values: Dict[str, str] = {
        "view_type": "Effective Events" if options.expanded_view else "Configured Events",
        "live_type": "Live!" if options.live else "Static",
        "app_prefix": f"{options.app_prefix}*" if options.app_prefix else "All running apps",
        "host_filter": f"*{options.host_filter}*" if options.host_filter else "All servers",
        "view_link": f"{PAGE_LINK}?{_page_query(options, expanded_view=not options.expanded_view)}",
        "live_link": f"{PAGE_LINK}?{_page_query(options, live=not options.live)}",
        "refresh_endpoint": f"{route_name('api', app_name, app_version, *endpoint)}?{_page_query(options)}",
        "page_link": PAGE_LINK,
        "assets_link": f"{PAGE_LINK}/assets?file=",
        "app_prefix_arg": options.app_prefix,
        "host_filter_arg": options.host_filter,
        "expanded_view_arg": _flag(options.expanded_view),
        "live_arg": _flag(options.live),
    }
    page = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        # every value may hold query text: escaped, it stays text in the page (never markup)
        page = page.replace("{{ " + name + " }}", html.escape(value, quote=True))
    return page
