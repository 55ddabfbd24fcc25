"""Run one event once, outside a server: what ``hopeit_job`` does for scripts and cron jobs.

The apps of the config files are started as a server starts them (plugins first, SETUP events run),
then the event runs once and its result comes back:

- GET and POST events run their steps (``__preprocess__`` is not run: there is no request) with the
  payload given as JSON (POST) and the query args given as a JSON object;
- STREAM events consume their stream until it is empty or ``max_events`` were processed;
  ``start_streams`` connects the apps' stream manager (a STREAM event always needs it).

Track ids are new ones, overridden or extended by those given (``{"session_id": "x"}`` becomes
``track.session_id``). The engines stop before ``run_job`` returns.
"""

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from hopeit.app.config import AppConfig, EventType
from hopeit.dataobjects.payload import Payload
from hopeit.server import runtime
from hopeit.server.config_files import load_config_files
from hopeit.server.engine import AppEngine
from hopeit.server.tracking import new_track_ids

__all__ = ["JobError", "JobRequest", "run_job"]

_RUNS = (EventType.GET, EventType.POST, EventType.STREAM)


class JobError(ValueError):
    """The job cannot run as asked: the message says what to change."""


@dataclass
class JobRequest:
    """What to run: the event, its JSON payload, query args and track ids, and how far to consume."""

    config_files: Sequence[str]
    event_name: str
    payload: Optional[str] = None
    query_args: Dict[str, Any] = field(default_factory=dict)
    track: Dict[str, str] = field(default_factory=dict)
    start_streams: bool = False
    max_events: Optional[int] = None


def _track_ids(given: Dict[str, str]) -> Dict[str, str]:
    ids = new_track_ids()
    for key, value in given.items():
        ids[key if key.startswith("track.") else f"track.{key}"] = str(value)
    return ids


def _find_event(apps: List[AppConfig], event_name: str) -> Tuple[AppConfig, str]:
    """The app running ``event_name`` (``<event>``, or ``<app_key>.<event>`` to choose among apps)."""
    found = [(app, event_name) for app in apps if event_name in app.events]
    found += [(app, event_name[len(app.app_key()) + 1:]) for app in apps
              if event_name.startswith(app.app_key() + ".") and event_name[len(app.app_key()) + 1:] in app.events]
    if not found:
        known = ", ".join(f"{app.app_key()}.{name}" for app in apps for name in app.events)
        raise JobError(f"event {event_name!r} is not in the config files (events: {known})")
    if len(found) > 1:
        raise JobError(f"event {event_name!r} is in {len(found)} apps: name it as <app_key>.<event>, e.g. "
                       f"{found[0][0].app_key()}.{found[0][1]}")
    return found[0]


async def _run(engine: AppEngine, app_config: AppConfig, event_name: str, request: JobRequest) -> Any:
    event_type = app_config.events[event_name].type
    if event_type not in _RUNS:
        raise JobError(f"event {event_name!r} is {event_type.value}: hopeit_job runs GET, POST and STREAM events")
    if event_type == EventType.STREAM:
        if not request.start_streams:
            raise JobError(f"event {event_name!r} is a STREAM event: give --start-streams to consume its stream")
        return await engine.read_stream(event_name=event_name, max_events=request.max_events,
                                        stop_when_empty=True, wait_start=False)
    payload: Any = None
    if event_type == EventType.POST:
        input_type = engine.loaded_event(event_name).input_type
        if request.payload is None:
            raise JobError(f"event {event_name!r} is a POST event: give its payload with --payload")
        payload = Payload.from_json(request.payload, input_type) if input_type is not None else None
    context = engine.create_context(event_name, _track_ids(request.track), {"auth_type": "Unsecured", "allowed": True})
    return await engine.execute(context=context, query_args=dict(request.query_args), payload=payload)


async def run_job(request: JobRequest) -> Any:
    """Start the apps, run the event once, stop the apps; the event's result.

    :raises JobError: the event is not there, not of a kind a job runs, or misses what it needs.
    :raises ValueError: a config or the payload is invalid (the message names what).
    """
    server_config, apps = load_config_files(list(request.config_files))
    app_config, event_name = _find_event(apps, request.event_name)
    server = runtime.server
    await server.start(config=server_config)
    try:
        for each in apps:
            await server.start_app(each)
        return await _run(server.app_engine(app_key=app_config.app_key()), app_config, event_name, request)
    finally:
        await server.stop()
