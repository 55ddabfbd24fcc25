"""hopeit.apps-visualizer: a live web page of the apps, events and streams of a cluster.

Loaded on a server (``"plugins": ["config-manager", "apps-visualizer"]`` in server config, or
its ``plugin-config.json`` in ``--config-files``) with ``HOPEIT_APPS_VISUALIZER_HOSTS`` set to the
hosts to draw (``http://host:8020,in-process``), it serves:

* ``/ops/apps-visualizer``: the page (graph of requests, events and streams, refreshed every few
  seconds; filters by app prefix and host; configured or effective events; live colours);
* ``/api/apps-visualizer/<ver>/apps/events-graph``: the graph as cytoscape elements;
* ``/api/apps-visualizer/<ver>/event-stats/live``: the same, coloured from recent log activity
  published by log-streamer on ``hopeit.log-streamer.logs`` (needs ``--start-streams``);
* ``/ops/apps-visualizer/assets?file=<name>``: the page's scripts and styles, shipped in the wheel.

Configuration
-------------
Settings key ``apps_visualizer`` (``AppsVisualizerSettings``): ``hosts``, ``refresh_hosts_seconds``
(60), ``live_recent_treshold_seconds`` (10), ``live_active_treshold_seconds`` (60); the spelling
"treshold" is the one of 0.24 configs. ``config_manager_client.client_timeout`` (11) bounds the
wait for each host.
"""

from hopeit.apps_visualizer.version import __version__
from hopeit.dataobjects import dataclass, dataobject

__all__ = ["SETTINGS_KEY", "AppsVisualizerSettings", "__version__"]

#: Settings key (in the events' ``setting_keys``) of ``AppsVisualizerSettings``.
SETTINGS_KEY = "apps_visualizer"


@dataobject
@dataclass
class AppsVisualizerSettings:
    """What the visualizer draws and how fresh it keeps it.

    :field hosts: comma-separated base urls (``http://host:port``) of the servers to draw, or
        ``in-process`` for this server; each runs the config-manager plugin.
    :field refresh_hosts_seconds: how long the apps read from the hosts are reused before the
        hosts are asked again (the page asks again on every load).
    :field live_recent_treshold_seconds: entries newer than this count as recent (green).
    :field live_active_treshold_seconds: entries older than this are not counted at all.
    """

    hosts: str
    refresh_hosts_seconds: int = 60
    live_recent_treshold_seconds: int = 10
    live_active_treshold_seconds: int = 60
