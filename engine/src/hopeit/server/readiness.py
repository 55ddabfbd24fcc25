"""Is this server ready to take work? The checks behind ``/ready`` (``hopeit.web.health``), without aiohttp.

``check_readiness`` runs every check at once, each within ``CHECK_TIMEOUT_SECONDS``, and answers
one ``Readiness``: ``ok`` when none failed, and a ``CheckResult`` per check:

* ``app:<app key>``: the app (or plugin app) was started by this server;
* ``streams:<app key>``: the app's stream manager answers ``StreamManager.ping()`` now (a manager
  without ``ping``, such as one written for 0.24, is "skip": not checked);
* ``loop:<app key>:<event>``: the read loop of a STREAM event or the loop of a SERVICE event is
  running, given as ``LoopState`` by the web layer, which starts them. A loop that crashed, or a
  STREAM loop whose stream manager fails its check (it is reconnecting), fails; one an operator
  stopped through its ``/mgmt/.../stop`` route is "skip", as is one never started (no
  ``--start-streams``);
* ``<name>``: each check registered with ``register_readiness_check``, for what only the app
  knows, such as its storage::

      from hopeit.server.readiness import register_readiness_check

      async def __init_event__(context):  # or a SETUP event
          register_readiness_check("storage:redis", storage.ping)

A check passes when it returns, fails when it raises or does not answer in time. Results carry no
error messages (the routes answer without credentials): only the error's type. The full message
goes to the engine log, once when a check starts failing and once when it passes again, so that
probes every few seconds never flood the log.
"""

import asyncio
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable, Dict, List, Optional, Sequence, Tuple

from hopeit.app.config import EventType
from hopeit.server import runtime
from hopeit.server.logger import engine_logger
from hopeit.streams import StreamManager
from hopeit.streams.circuit_breaker import OPEN, StreamCircuitBreaker

__all__ = [
    "CHECK_TIMEOUT_SECONDS",
    "FAIL",
    "PASS",
    "SKIP",
    "CheckResult",
    "LoopState",
    "Readiness",
    "ReadinessCheck",
    "check_readiness",
    "register_readiness_check",
    "registered_checks",
    "unregister_readiness_check",
]

#: Seconds each check may take: below Kubernetes' default probe timeout of 1 s.
CHECK_TIMEOUT_SECONDS = 0.8

PASS, FAIL, SKIP = "pass", "fail", "skip"

#: A check of the app's: returns when ready, raises (any exception) when not.
ReadinessCheck = Callable[[], Awaitable[None]]

_REGISTERED: Dict[str, ReadinessCheck] = {}
#: names of the checks failing at the last readiness check, to log changes only
_FAILING: Dict[str, str] = {}


@dataclass(frozen=True)
class CheckResult:
    """One check: ``status`` is ``pass``, ``fail`` or ``skip`` (not checked: does not fail readiness)."""

    name: str
    status: str
    output: str

    @property
    def ok(self) -> bool:
        """True unless the check failed."""
        return self.status != FAIL


@dataclass(frozen=True)
class LoopState:
    """What the loop of a STREAM or SERVICE event is doing, as its starter (the web layer) sees it.

    ``state`` is one of ``running``, ``starting`` (waiting for its start delay), ``stopping`` or
    ``stopped`` (by an operator), ``crashed`` (``error``: what it raised), ``finished``
    (ended by itself) or ``not started``. ``expected`` is False for a loop nobody asked to run.
    """

    app_key: str
    event_name: str
    event_type: EventType
    state: str
    expected: bool = True
    error: Optional[BaseException] = None


@dataclass(frozen=True)
class Readiness:
    """The answer of ``check_readiness``: ``ok`` when no check failed."""

    ok: bool
    checks: Tuple[CheckResult, ...]

    def as_json(self) -> Dict[str, object]:
        """``{"status": "pass"|"fail", "checks": {name: {"status": ..., "output": ...}}}``."""
        return {
            "status": PASS if self.ok else FAIL,
            "checks": {check.name: {"status": check.status, "output": check.output} for check in self.checks},
        }


def register_readiness_check(name: str, check: ReadinessCheck) -> None:
    """Add ``check`` to ``/ready`` as ``name`` (e.g. ``storage:redis``); a check of the same name is replaced."""
    _REGISTERED[name] = check


def unregister_readiness_check(name: str) -> None:
    """Remove the check registered as ``name`` (nothing happens when there is none)."""
    _REGISTERED.pop(name, None)
    _FAILING.pop(name, None)


def registered_checks() -> Dict[str, ReadinessCheck]:
    """The checks registered with ``register_readiness_check``, by name (a copy)."""
    return dict(_REGISTERED)


async def _run(name: str, check: ReadinessCheck, timeout: float, passed: str) -> CheckResult:
    """Await ``check()`` within ``timeout``: pass, skip (``NotImplementedError``) or fail with the error's type."""
    try:
        await asyncio.wait_for(check(), timeout)
    except NotImplementedError:
        return CheckResult(name, SKIP, "not checked: ping() not implemented")
    except asyncio.TimeoutError:
        return _failed(name, f"no answer within {timeout:g} s", f"no answer within {timeout:g} s")
    except Exception as exc:  # noqa: BLE001 - any error of a check fails it; the answer carries only its type
        return _failed(name, f"failing: {type(exc).__name__}", f"{type(exc).__name__}: {exc}")
    return _passed(name, passed)


def _failed(name: str, output: str, logged: str) -> CheckResult:
    if _FAILING.get(name) != output:
        logger = engine_logger()
        if logger.isEnabledFor(logging.WARNING):
            logger.warning("readiness", f"check {name} failing: {logged}")
    _FAILING[name] = output
    return CheckResult(name, FAIL, output)


def _passed(name: str, output: str) -> CheckResult:
    if _FAILING.pop(name, None) is not None:
        logger = engine_logger()
        if logger.isEnabledFor(logging.INFO):
            logger.info("readiness", f"check {name} passing again")
    return CheckResult(name, PASS, output)


def _app_checks(expected_apps: Sequence[str]) -> List[CheckResult]:
    started = runtime.server.app_engines
    return [
        _passed(f"app:{key}", "started") if key in started else _failed(f"app:{key}", "not started", "not started")
        for key in expected_apps
    ]


async def _stream_check(app_key: str, manager: StreamManager, timeout: float) -> CheckResult:
    """``ping()`` the manager; one without it is judged by the engine's circuit breaker, if any, instead."""
    result = await _run(f"streams:{app_key}", manager.ping, timeout, "answering")
    if result.status == SKIP and isinstance(manager, StreamCircuitBreaker) and manager.reads.state == OPEN:
        return _failed(result.name, "not checked: ping() not implemented, and reads keep failing (circuit open)",
                       "reads keep failing (circuit open)")
    return result


async def _stream_checks(timeout: float) -> List[CheckResult]:
    engines = [(key, engine.stream_manager) for key, engine in list(runtime.server.app_engines.items())]
    return list(await asyncio.gather(*(_stream_check(key, manager, timeout) for key, manager in engines if manager)))


def _loop_check(loop: LoopState, streams: Dict[str, CheckResult]) -> CheckResult:
    name = f"loop:{loop.app_key}:{loop.event_name}"
    state = loop.state
    if state == "running":
        stream = streams.get(f"streams:{loop.app_key}")
        if loop.event_type == EventType.STREAM and stream is not None and not stream.ok:
            return _failed(name, "reconnecting: its stream manager is failing", "reconnecting")
        return _passed(name, "running")
    if state == "crashed":
        error = loop.error
        return _failed(name, f"crashed: {type(error).__name__}", f"crashed: {type(error).__name__}: {error}")
    if state == "finished" and loop.event_type == EventType.STREAM:
        return _failed(name, "finished: the read loop ended by itself", "finished")
    if state == "not started" and loop.expected:
        return _failed(name, "not started", "not started")
    if state in ("starting", "finished"):  # a __service__ generator may end by design
        return _passed(name, state)
    reasons = {"stopped": "stopped through its /mgmt stop route", "stopping": "stopping through its /mgmt stop route",
               "not started": "not started (--start-streams not given)"}
    _FAILING.pop(name, None)
    return CheckResult(name, SKIP, reasons.get(state, state))


async def check_readiness(
    expected_apps: Sequence[str], loops: Sequence[LoopState], *, timeout: float = CHECK_TIMEOUT_SECONDS
) -> Readiness:
    """Run every check (see the module documentation) at once; each gets ``timeout`` seconds."""
    registered = [_run(name, check, timeout, "passing") for name, check in list(_REGISTERED.items())]
    stream_results, registered_results = await asyncio.gather(
        _stream_checks(timeout), asyncio.gather(*registered)
    )
    streams = {check.name: check for check in stream_results}
    checks = [
        *_app_checks(expected_apps),
        *stream_results,
        *(_loop_check(loop, streams) for loop in loops),
        *registered_results,
    ]
    return Readiness(ok=all(check.ok for check in checks), checks=tuple(checks))
