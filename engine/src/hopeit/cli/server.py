"""``hopeit_server run``: serve apps over HTTP.

Example::

    hopeit_server run --config-files server.json,plugin.json,app.json --port 8020 --start-streams

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
    add_serve_arguments(commands.add_parser(
        "run", help="serve the apps of --config-files until SIGTERM or Ctrl-C",
        description="Serve the apps of --config-files until SIGTERM or Ctrl-C.",
    ))
    return parser


def run(args: ServeArgs) -> None:
    """Serve ``args``; a start-up failure prints one line and exits 1."""
    run_cli(args)


def server(argv: Optional[Sequence[str]] = None) -> None:
    """Entry point of ``hopeit_server``; usage errors exit 2 with argparse's message."""
    parser = _parser()
    parsed = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    run(serve_args(parser, parsed))


if __name__ == "__main__":  # pragma: no cover
    server()
