r"""``hopeit_job``: run one event once, for scripts and cron jobs, and print its JSON result.

Example::

    hopeit_job --config-files server.json,app.json --event-name save_something \\
        --payload '{"id": "1", "user": {"id": "u", "name": "Ada"}}' --query-args '{"partition_key": "x"}'
    hopeit_job --config-files server.json,app.json --event-name process_events --start-streams --max-events 100

``--payload`` takes inline JSON, ``@file`` or ``@-`` (standard input). The result goes to stdout as
the JSON an HTTP call would answer; a failure prints one line on stderr and exits 1 (usage errors 2).
"""

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

from hopeit.dataobjects.payload import Payload
from hopeit.server.config_files import split_config_files
from hopeit.server.job import JobRequest, run_job

__all__ = ["main", "parse_job_args"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hopeit_job", description="Run one event of an app once, print its result.")
    parser.add_argument("--config-files", action="append", required=True,
                        help="server config, then plugin and app configs (comma-separated or repeated)")
    parser.add_argument("--event-name", required=True, help="the event to run (<app_key>.<event> to choose an app)")
    parser.add_argument("--payload", default=None, help="JSON payload of a POST event: inline, @file or @- (stdin)")
    parser.add_argument("--query-args", default="{}", help="JSON object of query args")
    parser.add_argument("--track", default="{}", help='JSON object of track ids, e.g. {"session_id": "cron"}')
    parser.add_argument("--start-streams", action="store_true", help="connect streams: needed by STREAM events")
    parser.add_argument("--max-events", type=int, default=None, help="STREAM events: stop after this many messages")
    return parser


def _json_object(parser: argparse.ArgumentParser, flag: str, text: str) -> Dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        parser.error(f"{flag}: not JSON: {exc}")
    if not isinstance(value, dict):
        parser.error(f"{flag}: a JSON object is expected, e.g. '{{\"name\": \"value\"}}'")
    return value


def _payload(parser: argparse.ArgumentParser, text: Optional[str]) -> Optional[str]:
    if text is None or not text.startswith("@"):
        return text
    if text == "@-":
        return sys.stdin.read()
    try:
        return Path(text[1:]).read_text(encoding="utf-8")
    except OSError as exc:
        parser.error(f"--payload {text}: cannot read the file: {exc.strerror or exc}")
    return None  # pragma: no cover - parser.error exits


def parse_job_args(argv: Sequence[str]) -> JobRequest:
    """The ``JobRequest`` of a command line; usage errors exit 2 with the usage."""
    parser = _parser()
    parsed = parser.parse_args(list(argv))
    return JobRequest(
        config_files=split_config_files(parsed.config_files),
        event_name=parsed.event_name,
        payload=_payload(parser, parsed.payload),
        query_args=_json_object(parser, "--query-args", parsed.query_args),
        track={str(k): str(v) for k, v in _json_object(parser, "--track", parsed.track).items()},
        start_streams=bool(parsed.start_streams),
        max_events=parsed.max_events,
    )


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Entry point of ``hopeit_job``."""
    request = parse_job_args(sys.argv[1:] if argv is None else argv)
    try:
        result = asyncio.run(run_job(request))
    except (Exception, AssertionError) as exc:  # noqa: BLE001 - any failure is reported the same way
        print(f"hopeit_job: error: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
    event = request.event_name.rsplit(".", 1)[-1]
    print(Payload.to_json(result, key=event), flush=True)


if __name__ == "__main__":  # pragma: no cover
    main()
