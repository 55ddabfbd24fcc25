"""``hopeit_server run``: serve apps over HTTP.

Example::

    hopeit_server run --config-files server.json,plugin.json,app.json --port 8020 --start-streams
"""

from typing import Optional, Tuple

import click
from hopeit.server.config_files import split_config_files
from hopeit.server.web import ServeArgs
from hopeit.server.wsgi import max_workers, run_cli

__all__ = ["run", "server"]


@click.group()
def server() -> None:
    """Run hopeit.engine servers."""


@server.command()
@click.option("--config-files", multiple=True, required=True,
              help="Server config, then plugin and app configs: comma-separated or repeated.")
@click.option("--api-file", default=None, help="OpenAPI JSON file the apps must match.")
@click.option("--api-auto", default=None, help='Build the OpenAPI spec on the fly: "version;title;description".')
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to bind.")
@click.option("--port", default=8020, show_default=True, type=int, help="TCP port.")
@click.option("--path", default=None, help="Unix socket path (instead of host and port).")
@click.option("--start-streams", is_flag=True, default=False, help="Start STREAM and SERVICE events.")
@click.option("--enabled-groups", multiple=True, default=(), help="Event groups to run (default: all).")
@click.option("--workers", default=1, show_default=True, type=int,
              help="Processes serving the same port, at most 2 x cpu + 1.")
@click.option("--worker-class", default=None, hidden=True, help="Accepted for compatibility; ignored.")
@click.option("--worker-timeout", default=0, hidden=True, type=int, help="Accepted for compatibility; ignored.")
def run(
    config_files: Tuple[str, ...],
    api_file: Optional[str],
    api_auto: Optional[str],
    host: str,
    port: int,
    path: Optional[str],
    start_streams: bool,
    enabled_groups: Tuple[str, ...],
    workers: int,
    worker_class: Optional[str],
    worker_timeout: int,
) -> None:
    """Serve the apps of --config-files until SIGTERM or Ctrl-C."""
    files = split_config_files(config_files)
    if not files:
        raise click.UsageError("--config-files needs at least the server config file")
    run_cli(
        ServeArgs(
            host=host,
            port=None if path else port,
            path=path,
            start_streams=start_streams,
            config_files=files,
            api_file=api_file,
            api_auto=[] if api_auto is None else api_auto.split(";"),
            enabled_groups=split_config_files(enabled_groups),
            workers=max(1, min(workers, max_workers())),
        )
    )


if __name__ == "__main__":  # pragma: no cover
    server()
