"""Event modules: finding and loading them, and running their steps and hooks."""

import asyncio
import importlib
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, AsyncIterator, Dict, List, Optional

from hopeit.app.config import AppConfig, EventDescriptor, EventSettings, EventType
from hopeit.app.names import base_event_name
from hopeit.dataobjects.payload import Payload
from hopeit.server.logger import EngineLoggerWrapper, setup_app_logger
from hopeit.server.names import module_name
from hopeit.server.steps import (
    _NO_ARGS,
    StepInfo,
    StepsChain,
    effective_steps,
    extract_input_type,
    extract_module_steps,
    extract_postprocess_handler,
    extract_preprocess_handler,
    is_coroutine,
    last_result,
    split_event_stages,
)

__all__ = [
    "EventHandler",
    "LoadedEvent",
    "base_event_name",
    "event_module",
    "get_event_settings",
    "get_runtime_settings",
    "resolve_effective_events",
]


def event_module(app_config: AppConfig, event_name: str, event_info: EventDescriptor) -> ModuleType:
    """Import the module of an event: ``impl``, else ``<import module>.<event name>`` for each import module.

    :raises ImportError: naming every module tried.
    """
    base = base_event_name(event_name)
    if event_info.impl:
        candidates = [event_info.impl]
    else:
        roots = app_config.engine.import_modules or [app_config.app.name]
        candidates = [module_name(root, base) for root in roots]
    errors = []
    for candidate in candidates:
        try:
            return importlib.import_module(candidate)
        except ModuleNotFoundError as exc:
            if exc.name is None or not (candidate == exc.name or candidate.startswith(exc.name + ".")):
                raise  # the module exists but one of its imports is missing: report that
            errors.append(candidate)
    raise ImportError(
        f"event '{base}' of app '{app_config.app_key()}': module not found, tried {errors} "
        "(set engine.import_modules or the event's impl in app config)"
    )


def get_event_settings(settings: Dict[str, Any], event_name: str) -> EventSettings:
    """``EventSettings`` of an event (stages share their event's settings)."""
    return Payload.from_obj(settings.get(base_event_name(event_name), {}), EventSettings)


def get_runtime_settings(app_config: AppConfig, plugins: List[AppConfig]) -> Dict[str, EventSettings]:
    """Effective settings of every event of the plugins and the app (the app wins on equal names)."""
    merged: Dict[str, Any] = {}
    for config in [*plugins, app_config]:
        merged.update(config.effective_settings or {})
    return {name: get_event_settings(merged, name) for name in merged}


def _enabled(event_info: EventDescriptor, enabled_groups: List[str]) -> bool:
    return not enabled_groups or event_info.group in (EventDescriptor.DEFAULT_GROUP, *enabled_groups)


def resolve_effective_events(app_config: AppConfig, enabled_groups: List[str]) -> Dict[str, EventDescriptor]:
    """Events of an app as the engine runs them: SHUFFLE stages and ``$__service__`` events added."""
    result: Dict[str, EventDescriptor] = {}
    for name, info in app_config.events.items():
        if not _enabled(info, enabled_groups):
            continue
        module = event_module(app_config, name, info)
        result.update(split_event_stages(app_config.app, name, info, extract_module_steps(module)))
        if info.type == EventType.STREAM and hasattr(module, "__service__"):
            result[f"{name}$__service__"] = EventDescriptor(
                type=EventType.SERVICE, impl=info.impl, connections=info.connections, group=info.group
            )
    return result


@dataclass
class LoadedEvent:
    """An event module ready to run."""

    module: ModuleType
    chain: StepsChain
    input_type: Any
    preprocess: Optional[StepInfo]
    postprocess: Optional[StepInfo]
    throttle_ms: int
    #: the event's logger (``setup_app_logger``): its lifecycle lines go there
    logger: Optional[EngineLoggerWrapper] = None
    initialized: bool = False
    init_lock: Optional[asyncio.Lock] = None  # created in the running loop (3.8/3.9 bind locks to a loop)
    _has_init: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self._has_init = hasattr(self.module, "__init_event__")

    @property
    def ready(self) -> bool:
        """Initialized (or nothing to initialize) and not throttled: the steps can run straight away."""
        return not self.throttle_ms and (self.initialized or not self._has_init)


class EventHandler:
    """Runs the events of one app config (an app, or a plugin running events for host apps)."""

    def __init__(
        self,
        *,
        app_config: AppConfig,
        plugins: List[AppConfig],
        effective_events: Dict[str, EventDescriptor],
        settings: Dict[str, EventSettings],
    ) -> None:
        self.app_config = app_config
        self.plugins = plugins
        self.effective_events = effective_events
        self.settings = settings
        self.events: Dict[str, LoadedEvent] = {}
        for event_name, event_info in effective_events.items():
            self.events[event_name] = self.load_event(event_name, event_info)

    def load_event(self, event_name: str, event_info: EventDescriptor) -> LoadedEvent:
        """Import an event module, wire its logger and extract its steps and hooks."""
        base = base_event_name(event_name)
        module = event_module(self.app_config, event_name, self.app_config.events.get(base, event_info))
        event_settings = self.settings.get(event_name) or self.settings.get(base) or EventSettings()
        logger = setup_app_logger(module, app_config=self.app_config, name=base, event_settings=event_settings)
        steps = effective_steps(event_name, extract_module_steps(module))
        return LoadedEvent(
            module=module,
            chain=StepsChain(steps, step_delay_ms=event_settings.stream.step_delay),
            input_type=extract_input_type(steps, module),
            preprocess=extract_preprocess_handler(module),
            postprocess=extract_postprocess_handler(module),
            throttle_ms=event_settings.stream.throttle_ms,
            logger=logger,
        )

    def event(self, event_name: str) -> LoadedEvent:
        """The loaded event, or KeyError naming the known ones."""
        try:
            return self.events[event_name]
        except KeyError:
            raise KeyError(f"event '{event_name}' not found in app '{self.app_config.app_key()}'") from None

    async def _ensure_init(self, loaded: LoadedEvent, context: Any) -> None:
        init = getattr(loaded.module, "__init_event__", None)
        if init is None or loaded.initialized:
            return
        if loaded.init_lock is None:
            loaded.init_lock = asyncio.Lock()
        async with loaded.init_lock:
            if not loaded.initialized:
                result = init(context)
                if asyncio.iscoroutine(result):
                    await result
                loaded.initialized = True

    def start(self, *, context: Any, query_args: Optional[Dict[str, Any]], payload: Any, owned: bool = False) -> Any:
        """Begin running the event's steps: the last result, or a coroutine giving it once something waits.

        A ready event (initialized, not throttled) starts straight in its chain (``StepsChain.call``);
        otherwise the coroutine first runs ``__init_event__`` and throttles the results.
        """
        loaded = self.event(context.event_name)
        if loaded.ready:
            return loaded.chain.call(payload, context, query_args or _NO_ARGS, owned=owned)
        return self._start_later(loaded, context, query_args, payload, owned)

    async def _start_later(
        self, loaded: LoadedEvent, context: Any, query_args: Optional[Dict[str, Any]], payload: Any, owned: bool
    ) -> Any:
        if not loaded.throttle_ms:
            await self._ensure_init(loaded, context)
            outcome = loaded.chain.call(payload, context, query_args or _NO_ARGS, owned=owned)
            return (await outcome) if is_coroutine(outcome) else outcome
        return await last_result(self._init_and_run(loaded, context, query_args, payload, owned))

    def handle_async_event(
        self, *, context: Any, query_args: Optional[Dict[str, Any]], payload: Any, owned: bool = False
    ) -> AsyncIterator[Any]:
        """Run the event's steps over ``payload``, yielding each result as it completes (``owned``: see ``start``)."""
        loaded = self.event(context.event_name)
        if loaded.ready:  # the chain's own iterator: one generator less per result
            return loaded.chain.run(payload, context, query_args or _NO_ARGS, owned=owned)
        return self._init_and_run(loaded, context, query_args, payload, owned)

    async def _init_and_run(
        self, loaded: LoadedEvent, context: Any, query_args: Optional[Dict[str, Any]], payload: Any, owned: bool
    ) -> AsyncIterator[Any]:
        await self._ensure_init(loaded, context)
        results = loaded.chain.run(payload, context, query_args or _NO_ARGS, owned=owned)
        if not loaded.throttle_ms:
            async for result in results:
                yield result
            return
        started = time.monotonic()
        async for result in results:
            wait = loaded.throttle_ms / 1000.0 - (time.monotonic() - started)
            if wait > 0:
                await asyncio.sleep(wait)
            yield result

    async def preprocess(
        self, *, context: Any, query_args: Optional[Dict[str, Any]], payload: Any, request: Any
    ) -> Any:
        """Run ``__preprocess__`` (if any); its result is the payload of the steps."""
        loaded = self.event(context.event_name)
        await self._ensure_init(loaded, context)
        if loaded.preprocess is None:
            return payload
        result = loaded.preprocess.func(payload, context, request, **(query_args or {}))
        return await result if asyncio.iscoroutine(result) else result

    async def postprocess(self, *, context: Any, payload: Any, response: Any) -> Any:
        """Run ``__postprocess__`` (if any); its result is the HTTP body."""
        loaded = self.event(context.event_name)
        if loaded.postprocess is None:
            return payload
        result = loaded.postprocess.func(payload, context, response=response)
        return await result if asyncio.iscoroutine(result) else result
