"""A real ``hopeit_server run`` serving simple-example (and client-example) with the ops plugins.

The configs are the examples' own, written to a test folder with data, logs and keys under it:
server config first, then the plugins (config-manager, log-streamer with its ``logs_path`` at the
server's log folder, apps-visualizer), then the apps, as ``--config-files`` wants them.
"""

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

from hopeit.contracts.discovery import load_plugin_config_path
from simple_example.testing import RunningServer, free_port, simple_example_configs

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
SIMPLE_EXAMPLE_CONFIG = EXAMPLES / "simple-example" / "config"
CLIENT_EXAMPLE_CONFIG = EXAMPLES / "client-example" / "config" / "app-config.json"
CLIENT_CONNECTIONS = ("simple_example_auth_conn", "simple_example_conn", "simple_example_conn_unsecured")

__all__ = ["EXAMPLES", "cluster_server", "plugin_config", "write_json"]


def write_json(path: Path, data: Dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, indent=2))
    return path


def plugin_config(name: str) -> Dict[str, Any]:
    """The packaged ``plugin-config.json`` of an installed plugin, as JSON."""
    data: Dict[str, Any] = json.loads(load_plugin_config_path(name).read_text())
    return data


def cluster_server(
    folder: Path,
    *,
    client_example: bool = True,
    log_streamer: bool = False,
    visualizer: bool = False,
    redis_url: Optional[str] = None,
    start_streams: bool = False,
    visualizer_hosts: Optional[str] = None,
) -> RunningServer:
    """A server (not started) of simple-example, config-manager and what is asked for, in ``folder``.

    :param visualizer_hosts: ``HOPEIT_APPS_VISUALIZER_HOSTS``; default this server's own url.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server_json, simple_json = simple_example_configs(
        SIMPLE_EXAMPLE_CONFIG, folder, stream_manager="redis" if redis_url else "memory"
    )
    server = json.loads(server_json.read_text())
    server["plugins"] = [name for name in server.get("plugins", []) if name != "config-manager"]
    write_json(server_json, server)
    files: List[Path] = [server_json, write_json(folder / "config-manager.json", plugin_config("config-manager"))]
    if log_streamer:
        streamer = plugin_config("log-streamer")
        streamer["settings"]["log_reader"].update(
            logs_path=server["logging"]["log_path"], checkpoint_path=f"{folder / 'checkpoints'}/",
            batch_wait_interval_secs=1,
        )
        files.append(write_json(folder / "log-streamer.json", streamer))
    if visualizer:
        visualizer_config = plugin_config("apps-visualizer")
        visualizer_config["settings"]["apps_visualizer"]["live_active_treshold_seconds"] = 600
        files.append(write_json(folder / "apps-visualizer.json", visualizer_config))
    files.append(simple_json)
    if client_example:
        client = json.loads(CLIENT_EXAMPLE_CONFIG.read_text())
        for key in CLIENT_CONNECTIONS:
            client["settings"][key]["connection_str"] = base_url
        files.append(write_json(folder / "client-example.json", client))
    env = {"HOPEIT_APPS_VISUALIZER_HOSTS": visualizer_hosts or base_url}
    if redis_url:
        env["HOPEIT_REDIS_URL"] = redis_url
    return RunningServer(files, workdir=folder, start_streams=start_streams, env=env, port=port)
