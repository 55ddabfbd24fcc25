"""Event modules: finding, loading and running them (spec engine §5 derived names, §6, §7)."""

import asyncio
import time
from typing import Any, List

import pytest
from hopeit.app.config import AppConfig, AppDescriptor, EventDescriptor, EventSettings, EventType
from hopeit.app.context import PostprocessHook, PreprocessHook
from hopeit.server.events import (
    EventHandler,
    base_event_name,
    event_module,
    get_event_settings,
    get_runtime_settings,
    resolve_effective_events,
)
from hopeit.server.steps import is_coroutine
from hopeit.testing.apps import config, create_test_context
from mock_app import MockData, MockResult
from mock_app.events import mock_get
from steps_app import CONFIG
from steps_app.events import init_counter, plain_get


@pytest.fixture
def app_config() -> AppConfig:
    return config(CONFIG)


def handler_of(app_config: AppConfig, groups: Any = None) -> EventHandler:
    return EventHandler(
        app_config=app_config,
        plugins=[],
        effective_events=resolve_effective_events(app_config, groups or []),
        settings=get_runtime_settings(app_config, []),
    )


async def run_event(handler: EventHandler, **kwargs: Any) -> Any:
    """The last result of ``handler.start``, awaited when it hands back a coroutine."""
    outcome = handler.start(**kwargs)
    return (await outcome) if is_coroutine(outcome) else outcome


def test_base_event_name() -> None:
    """Stage suffixes are dropped."""
    assert base_event_name("e$consume") == "e" and base_event_name("e") == "e"


def test_event_module_from_import_modules_impl_or_app_name(app_config: AppConfig) -> None:
    """``impl`` wins; else ``<import module>.<event>`` for each import module in order; else the app name."""
    info = EventDescriptor(type=EventType.GET)
    assert event_module(app_config, "plain_get$stage", info) is plain_get
    with_impl = EventDescriptor(type=EventType.GET, impl="steps_app.events.init_counter")
    assert event_module(app_config, "whatever", with_impl) is init_counter
    app_config.engine.import_modules = ["hopeit_test_missing_root", "steps_app.events"]
    assert event_module(app_config, "plain_get", info) is plain_get
    by_name = AppConfig(app=AppDescriptor(name="steps_app.events", version="1"))
    assert event_module(by_name, "plain_get", info) is plain_get


def test_event_module_not_found_lists_tried_modules(app_config: AppConfig) -> None:
    """ImportError naming the event, the app and every module tried, and how to fix it."""
    app_config.engine.import_modules = ["hopeit_test_missing_root", "steps_app.events"]
    with pytest.raises(ImportError) as info:
        event_module(app_config, "no_such_event", EventDescriptor(type=EventType.GET))
    message = str(info.value)
    assert "event 'no_such_event' of app 'steps_app.1x0': module not found" in message
    assert "['hopeit_test_missing_root.no_such_event', 'steps_app.events.no_such_event']" in message
    assert "set engine.import_modules or the event's impl" in message


def test_missing_dependency_of_an_event_module_is_reported_as_is(app_config: AppConfig) -> None:
    """A module that exists but imports a missing package raises that error, not 'module not found'."""
    with pytest.raises(ModuleNotFoundError) as info:
        event_module(app_config, "broken_import", EventDescriptor(type=EventType.GET))
    assert info.value.name == "hopeit_test_no_such_dependency"


def test_missing_sibling_module_with_prefix_name_is_reported_as_is(app_config: AppConfig) -> None:
    """``save_items`` importing a missing ``save_item`` must report ``save_item``."""
    with pytest.raises(ModuleNotFoundError) as info:
        event_module(app_config, "save_items", EventDescriptor(type=EventType.GET))
    assert info.value.name == "steps_app.events.save_item"


def test_event_settings_of_stages_and_runtime_merge(app_config: AppConfig) -> None:
    """Stages share their event's settings; plugin settings are merged under the app's."""
    assert app_config.effective_settings is not None
    settings = get_event_settings(app_config.effective_settings, "loop_stream$anything")
    assert settings.stream.timeout == 0.2 and settings.stream.batch_size == 10
    assert get_event_settings({}, "missing") == EventSettings()
    plugin = config(CONFIG)
    assert plugin.effective_settings is not None and app_config.effective_settings is not None
    plugin.effective_settings["loop_stream"]["stream"]["batch_size"] = 3
    plugin.effective_settings["plugin_only"] = {"response_timeout": 1.0}
    merged = get_runtime_settings(app_config, [plugin])
    assert merged["loop_stream"].stream.batch_size == 10
    assert merged["plugin_only"].response_timeout == 1.0


def test_effective_events_groups_and_service_events(app_config: AppConfig) -> None:
    """Groups filter events (DEFAULT always in); a STREAM with ``__service__`` gets ``$__service__``."""
    every = resolve_effective_events(app_config, [])
    assert "plain_get" in every
    service = every["service_stream$__service__"]
    assert service.type is EventType.SERVICE and service.group == "DEFAULT"
    assert "loop_stream$__service__" not in every
    assert "plain_get" not in resolve_effective_events(app_config, ["other"])
    assert "plain_get" in resolve_effective_events(app_config, ["optional"])


def test_handler_event_lookup(app_config: AppConfig) -> None:
    """Unknown events are a KeyError naming the app."""
    handler = handler_of(app_config)
    assert handler.event("plain_get").input_type is str
    with pytest.raises(KeyError, match=r"event 'nope' not found in app 'steps_app.1x0'"):
        handler.event("nope")


async def test_init_event_runs_once_even_concurrently(app_config: AppConfig) -> None:
    """A sync ``__init_event__`` runs once, before the first execution, however many run at once."""
    init_counter.INITS.clear()
    handler = handler_of(app_config)
    context = create_test_context(app_config, "init_counter")
    results = await asyncio.gather(
        *(run_event(handler, context=context, query_args={"n": "1"}, payload=None) for _ in range(3))
    )
    assert results == ["0", "0", "0"]
    assert init_counter.INITS == ["init_counter"]


async def test_throttle_spaces_results_from_start(app_config: AppConfig) -> None:
    """``throttle_ms`` delays each result until that long after the execution started."""
    handler = handler_of(app_config)
    context = create_test_context(app_config, "init_counter")
    started = time.monotonic()
    results: List[str] = [
        r async for r in handler.handle_async_event(context=context, query_args={"n": "3"}, payload=None)
    ]
    assert results == ["0", "1", "2"]
    assert time.monotonic() - started >= 0.02


async def test_start_without_throttle_or_init(app_config: AppConfig) -> None:
    """A ready event of plain steps finishes in ``start`` itself: its result, no coroutine; a payload no
    step takes gives None; hooks that are missing pass values through."""
    handler = handler_of(app_config)
    context = create_test_context(app_config, "plain_get")
    assert handler.start(context=context, query_args=None, payload="x") == "echo x"
    assert handler.start(context=context, query_args=None, payload=1) is None
    assert [r async for r in handler.handle_async_event(context=context, query_args=None, payload="y")] == ["echo y"]
    assert await handler.preprocess(context=context, query_args=None, payload="p", request=None) == "p"
    assert await handler.postprocess(context=context, payload="r", response=None) == "r"


async def test_hooks_and_async_init_of_the_mock_app(mock_app_config: AppConfig) -> None:
    """``__preprocess__`` gets the request and query args; ``__postprocess__`` the response; async init once."""
    handler = handler_of(mock_app_config)
    saved = list(mock_get.INITIALIZED)  # other tests assert on this module-level list: leave it as found
    mock_get.INITIALIZED.clear()
    try:
        get_context = create_test_context(mock_app_config, "mock_get")
        assert (await run_event(handler, context=get_context, query_args={"item_id": "7"}, payload=None)).id == "7"
        await run_event(handler, context=get_context, query_args=None, payload=None)
        assert mock_get.INITIALIZED == ["mock_get"]
    finally:
        mock_get.INITIALIZED[:] = saved
    context = create_test_context(mock_app_config, "mock_prepost")
    request = PreprocessHook(headers={})
    assert (
        await handler.preprocess(context=context, query_args={"mode": "reject"}, payload=MockData("x"), request=request)
        is None
    )
    assert request.status == 400
    response = PostprocessHook()
    body = await handler.postprocess(context=context, payload=MockResult("p", "v"), response=response)
    assert body == "processed p" and response.status == 201 and response.headers == {"X-Processed": "p"}
