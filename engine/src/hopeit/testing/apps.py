"""Run an app's events in tests, without a server or streams.

::

    from hopeit.testing.apps import config, execute_event

    async def test_query_something():
        app_config = config("config/app-config.json")
        result = await execute_event(app_config, "query_something", None, item_id="1")
        assert result.id == "1"

``execute_event`` runs the event's steps (every SHUFFLE stage in turn, nothing is published),
and optionally its ``__preprocess__`` / ``__postprocess__`` hooks; ``execute_service`` runs a
``__service__`` generator for a few items.
"""

import json
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from hopeit.app.config import AppConfig, EventDescriptor, EventSettings, EventType
from hopeit.app.context import EventContext, PostprocessHook, PreprocessHeaders, PreprocessHook
from hopeit.app.names import base_event_name
from hopeit.contracts.settings import AuthType, LoggingConfig, ServerConfig
from hopeit.dataobjects.payload import Payload
from hopeit.server.config import load_app_config
from hopeit.server.config_files import strict_config_error
from hopeit.server.config_keys import unknown_keys
from hopeit.server.events import EventHandler, event_module, get_event_settings, get_runtime_settings
from hopeit.server.steps import extract_module_steps, split_event_stages
from hopeit.testing.hooks import MockFileHook, MockMultipartReader

__all__ = [
    "TestingException",
    "apply_service_running_mock",
    "config",
    "create_test_context",
    "execute_event",
    "execute_service",
    "server_config",
    "service_running_mock",
]

Mock = Callable[..., None]


class TestingException(Exception):
    """The test kit cannot run what was asked (the message says why)."""

    __test__ = False  # not a test class, despite the name


def server_config() -> ServerConfig:
    """Server config for tests: DEBUG logs, no auth, in-process streams.

    Logs go to ``HOPEIT_LOG_PATH``: under pytest, the test kit's plugin points it at pytest's
    temporary folder (``logs/`` when it is not set).
    """
    return ServerConfig(logging=LoggingConfig(log_level="DEBUG"))


def config(path: Union[str, Path], *, strict: bool = False) -> AppConfig:
    """Load an app config file and attach the test server config.

    ``strict=True`` fails (``UnknownConfigKeys``) when the file holds keys ``AppConfig`` does not
    take, naming each with the closest valid key, as ``hopeit_server run --strict-config`` does.
    """
    if strict:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None  # load_app_config says what is wrong with the file
        unknown = unknown_keys(data, AppConfig, ignored=False)
        if unknown:
            keys = [f"{path}: {key}" for key in unknown]
            raise strict_config_error(keys, how_off="call config() without strict=True")
    app_config = load_app_config(path)
    app_config.server = server_config()
    return app_config


def _current_settings(app_config: AppConfig, event_name: str) -> EventSettings:
    """Settings of an event whose sections are those of ``app_config.settings`` themselves.

    Steps read a section when they call ``context.settings(...)``, so what a fixture edits after
    ``config()`` (or after this context was made) is what they get, as in 0.24.
    """
    effective = app_config.effective_settings or {}
    settings = get_event_settings(effective, event_name)
    own = effective.get(base_event_name(event_name))
    if own is not None and "extras" in own:
        settings.extras = own["extras"]
    return settings


def create_test_context(
    app_config: AppConfig,
    event_name: str,
    track_ids: Optional[Dict[str, str]] = None,
    auth_info: Optional[Dict[str, Any]] = None,
) -> EventContext:
    """Context of ``event_name`` with test track ids and Unsecured auth (overridable)."""
    ids: Dict[str, str] = {key: "" for key in app_config.engine.track_headers}
    ids.update(
        {
            "track.operation_id": "test_operation_id",
            "track.request_id": "test_request_id",
            "track.request_ts": datetime.now(tz=timezone.utc).isoformat(),
        }
    )
    ids.update(track_ids or {})
    return EventContext(
        app_config=app_config,
        plugin_config=app_config,
        event_name=event_name,
        settings=_current_settings(app_config, event_name),
        track_ids=ids,
        auth_info={"auth_type": AuthType.UNSECURED, "allowed": "true", **(auth_info or {})},
    )


def _stages(
    app_config: AppConfig, event_name: str, mocks: List[Mock], context: EventContext, hooks: Dict[str, Any]
) -> Tuple[EventHandler, List[str]]:
    event_info = app_config.events.get(base_event_name(event_name))
    if event_info is None:
        raise TestingException(f"event '{event_name}' not found in app config (events: {list(app_config.events)})")
    module = event_module(app_config, event_name, event_info)
    for mock in mocks:
        mock(module, context, **hooks)
    stages: Dict[str, EventDescriptor] = split_event_stages(
        app_config.app, event_name, event_info, extract_module_steps(module)
    )
    handler = EventHandler(
        app_config=app_config,
        plugins=[],
        effective_events=stages,
        settings=get_runtime_settings(app_config, []),
    )
    return handler, list(stages)


async def _run_stage(
    handler: EventHandler, context: EventContext, payload: Any, query_args: Dict[str, Any]
) -> List[Any]:
    return [r async for r in handler.handle_async_event(context=context, query_args=query_args, payload=payload)]


def _type_name(datatype: Any) -> str:
    if datatype is None or datatype is type(None):
        return "None"
    if isinstance(datatype, type):
        return datatype.__qualname__
    if getattr(datatype, "__origin__", None) is not None:
        return str(datatype)
    return "nothing (a step with no payload annotation)"


def _check_accepted(handler: EventHandler, event_name: str, payload: Any) -> None:
    """Refuse a payload that no step of the event takes: the engine would run nothing for it.

    0.24 returned such a payload unchanged, so a test with the wrong payload type passed silently.
    """
    chain = handler.event(event_name).chain
    if chain.find_next(0, payload) >= 0:
        return
    accepted = sorted({_type_name(info.input_type) for _, info in chain.steps})
    raise TestingException(
        f"no step of event '{event_name}' takes a payload of type {_type_name(type(payload))}: "
        f"its steps take {', '.join(accepted)}"
    )


def _single(results: List[Any]) -> Any:
    if not results:
        return None
    return results[0] if len(results) == 1 else results


async def execute_event(
    app_config: AppConfig,
    event_name: str,
    payload: Any,
    mocks: Optional[List[Mock]] = None,
    *,
    fields: Optional[Dict[str, Any]] = None,
    upload: Optional[Dict[str, bytes]] = None,
    preprocess: bool = False,
    postprocess: bool = False,
    context: Optional[EventContext] = None,
    **kwargs: Any,
) -> Any:
    """Run an event's steps (and, when asked, its hooks) in the test process.

    :returns: None, the single result, or the list of results; with ``postprocess=True`` a tuple
        ``(results, postprocess result, PostprocessHook)``.
    """
    if base_event_name(event_name) not in app_config.events:
        raise TestingException(f"event '{event_name}' not found in app config (events: {list(app_config.events)})")
    context = context or create_test_context(app_config, event_name)
    hooks: Dict[str, Any] = {}
    if preprocess:
        hooks["preprocess_hook"] = PreprocessHook(
            headers=PreprocessHeaders.from_dict({}),
            multipart_reader=MockMultipartReader(fields or {}, upload or {}),
            file_hook_factory=MockFileHook,
            payload_raw=b"" if payload is None else Payload.to_json(payload).encode(),
        )
    if postprocess:
        hooks["postprocess_hook"] = PostprocessHook()
    handler, stages = _stages(app_config, event_name, list(mocks or []), context, hooks)
    response: Optional[PostprocessHook] = hooks.get("postprocess_hook")
    if preprocess:
        request = hooks["preprocess_hook"]
        payload = await handler.preprocess(context=context, query_args=kwargs, payload=payload, request=request)
        if response is not None and request.status is not None:
            response.set_status(request.status)
        if request.status not in (None, 200):
            return (payload, payload, response) if postprocess else payload
    else:
        _check_accepted(handler, stages[0], payload)
    items = await _run_stage(handler, context, payload, kwargs)
    post_result = None
    if postprocess:
        assert response is not None
        post_result = await handler.postprocess(
            context=context, payload=items[-1] if items else None, response=response
        )
    for stage in stages[1:]:
        stage_context = create_test_context(app_config, stage, track_ids=context.track_ids, auth_info=context.auth_info)
        stage_items: List[Any] = []
        for item in items:
            stage_items.extend(await _run_stage(handler, stage_context, item, {}))
        if stage_items:
            items = stage_items
    result = _single(items)
    return (result, post_result, response) if postprocess else result


def service_running_mock(context: EventContext) -> bool:
    """Always True: lets a ``__service__`` loop run in tests until ``max_events``."""
    return True


def apply_service_running_mock(module: ModuleType, context: Optional[EventContext] = None, **kwargs: Any) -> None:
    """Replace ``service_running`` in an event module with ``service_running_mock``.

    :raises TestingException: when the module does not loop on ``service_running``.
    """
    if not hasattr(module, "service_running"):
        raise TestingException("Service must loop using `hopeit.app.events.service_running` method.")
    setattr(module, "service_running", service_running_mock)


async def execute_service(
    app_config: AppConfig,
    event_name: str,
    max_events: int = 1,
    mocks: Optional[List[Mock]] = None,
) -> List[Any]:
    """Run the event's ``__service__`` for ``max_events`` items, executing each; errors are returned, not raised."""
    base = base_event_name(event_name)
    event_info = app_config.events.get(base)
    if event_info is None:
        raise TestingException(f"event '{event_name}' not found in app config (events: {list(app_config.events)})")
    module = event_module(app_config, base, event_info)
    if event_info.type not in (EventType.SERVICE, EventType.STREAM) or not hasattr(module, "__service__"):
        raise TestingException(f"event '{event_name}' has no __service__ to run")
    original = getattr(module, "service_running", None)
    apply_service_running_mock(module)
    service_event = base if event_info.type == EventType.SERVICE else f"{base}$__service__"
    context = create_test_context(app_config, service_event)
    results: List[Any] = []
    generator = module.__service__(context)
    try:
        async for item in generator:
            try:
                results.append(await execute_event(app_config, base, item, mocks))
            except Exception as exc:  # noqa: BLE001 - collected for the test to assert on
                results.append(exc)
            if len(results) >= max_events:
                break
    finally:
        await generator.aclose()
        setattr(module, "service_running", original)
    return results
