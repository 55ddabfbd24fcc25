"""``hopeit_server run``: serve apps over HTTP.

Example::

    hopeit_server run --config-files server.json,plugin.json,app.json --port 8020 --start-streams
    hopeit_server run --reload --config-files server.json,app.json   # development: restart on changes
    hopeit_server run --strict-config --config-files server.json,app.json  # unknown config keys stop the start

The flags are those of ``python -m hopeit.web`` (see ``hopeit.web.args.add_serve_arguments``).
"""

import argparse
import sys
from typing import Optional, Sequence

from hopeit.web.args import ServeArgs, add_serve_arguments, serve_args
from hopeit.web.server import run_cli

__all__ = ["run", "server"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hopeit_server", description="Run hopeit.engine servers.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    run_parser = add_serve_arguments(commands.add_parser(
        "run", help="serve the apps of --config-files until SIGTERM or Ctrl-C",
        description="Serve the apps of --config-files until SIGTERM or Ctrl-C.",
    ))
    run_parser.add_argument("--reload", action="store_true",
                            help="development: restart when an app's code or a config file changes "
                                 '(needs watchfiles: pip install "hopeit.engine[cli,dev]")')
    return parser


def run(args: ServeArgs) -> None:
    """Serve ``args``; a start-up failure prints one line and exits 1."""
    run_cli(args)


def server(argv: Optional[Sequence[str]] = None) -> None:
    """Entry point of ``hopeit_server``; usage errors exit 2 with argparse's message."""
    parser = _parser()
    parsed = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    args = serve_args(parser, parsed)
    if parsed.reload:
        from hopeit.cli.reload import run_with_reload  # watchfiles is loaded only for --reload

        run_with_reload(args)
    else:
        run(args)


if __name__ == "__main__":  # pragma: no cover
    server()
