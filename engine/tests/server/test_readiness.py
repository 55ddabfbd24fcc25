"""The checks behind ``/ready`` (``hopeit.server.readiness``), without a web server."""

import asyncio
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from hopeit.app.config import EventType
from hopeit.contracts.streams import StreamManager, StreamOSError
from hopeit.server import readiness, runtime
from hopeit.server.readiness import (
    FAIL,
    PASS,
    SKIP,
    LoopState,
    check_readiness,
    register_readiness_check,
    registered_checks,
    unregister_readiness_check,
)
from hopeit.streams.circuit_breaker import OPEN, StreamCircuitBreaker
from hopeit.streams.memory import MemoryStreamManager


class Recorder:
    """Stands for the engine logger: keeps (level, text) of what readiness logs."""

    def __init__(self) -> None:
        self.lines: List[Tuple[str, str]] = []

    def isEnabledFor(self, level: int) -> bool:
        return True

    def warning(self, context: Any, text: str) -> None:
        self.lines.append(("WARNING", text))

    def info(self, context: Any, text: str) -> None:
        self.lines.append(("INFO", text))


class Engine:
    """What readiness reads of an app engine: its stream manager."""

    def __init__(self, stream_manager: Optional[StreamManager]) -> None:
        self.stream_manager = stream_manager


class Legacy(StreamManager):
    """A stream manager written for 0.24: no ``ping``."""

    async def connect(self) -> "Legacy":
        return self

    async def close(self) -> None:
        return None


#: app engines by key, as ``runtime.server.app_engines`` holds them
Engines = Dict[str, Any]


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    recorder = Recorder()
    monkeypatch.setattr(readiness, "engine_logger", lambda: recorder)
    monkeypatch.setattr(readiness, "_FAILING", {})
    monkeypatch.setattr(readiness, "_REGISTERED", {})
    yield recorder


@pytest.fixture
def engines(monkeypatch: pytest.MonkeyPatch) -> Iterator[Engines]:
    found: Engines = {}
    monkeypatch.setattr(runtime.server, "app_engines", found)
    yield found


def _by_name(result: readiness.Readiness) -> Dict[str, Tuple[str, str]]:
    return {check.name: (check.status, check.output) for check in result.checks}


async def test_apps_pass_when_started_and_fail_when_not(log: Recorder, engines: Engines) -> None:
    engines["a.1x0"] = Engine(None)
    result = await check_readiness(["a.1x0", "b.1x0"], [])
    assert not result.ok
    assert _by_name(result) == {"app:a.1x0": (PASS, "started"), "app:b.1x0": (FAIL, "not started")}
    assert result.as_json() == {"status": FAIL, "checks": {
        "app:a.1x0": {"status": PASS, "output": "started"}, "app:b.1x0": {"status": FAIL, "output": "not started"}}}


async def test_stream_managers_answer_ping_or_fail_with_the_error_type_only(log: Recorder, engines: Engines) -> None:
    memory = await MemoryStreamManager(address="readiness-test").connect()
    engines["a.1x0"] = Engine(StreamCircuitBreaker.from_config(memory))
    result = await check_readiness(["a.1x0"], [])
    assert result.ok and _by_name(result)["streams:a.1x0"] == (PASS, "answering")

    await memory.close()  # a closed manager refuses every call: ping too
    result = await check_readiness(["a.1x0"], [])
    assert not result.ok
    assert _by_name(result)["streams:a.1x0"] == (FAIL, "failing: StreamOSError")
    assert "closed" not in str(result.as_json())  # the message stays in the log
    assert log.lines == [("WARNING", "check streams:a.1x0 failing: StreamOSError: Memory stream manager at "
                                     "'readiness-test' is closed: call connect() to use it again")]
    await check_readiness(["a.1x0"], [])
    assert len(log.lines) == 1  # a check that keeps failing is logged once

    await memory.connect()
    assert (await check_readiness(["a.1x0"], [])).ok
    assert log.lines[-1] == ("INFO", "check streams:a.1x0 passing again")


async def test_manager_without_ping_is_skipped_unless_its_reads_fail(log: Recorder, engines: Engines) -> None:
    breaker = StreamCircuitBreaker.from_config(Legacy(address="x"))  # type: ignore[abstract]
    engines["a.1x0"] = Engine(breaker)
    result = await check_readiness(["a.1x0"], [])
    assert result.ok and _by_name(result)["streams:a.1x0"] == (SKIP, "not checked: ping() not implemented")
    breaker.reads.state = OPEN
    result = await check_readiness(["a.1x0"], [])
    assert not result.ok
    assert _by_name(result)["streams:a.1x0"][0] == FAIL
    assert "reads keep failing (circuit open)" in _by_name(result)["streams:a.1x0"][1]


async def test_registered_checks_pass_fail_time_out_and_can_be_removed(log: Recorder, engines: Engines) -> None:
    async def fine() -> None:
        return None

    async def broken() -> None:
        raise ConnectionError("secret://user:pw@host")

    async def stuck() -> None:
        await asyncio.Event().wait()

    register_readiness_check("storage:fine", fine)
    register_readiness_check("storage:broken", broken)
    register_readiness_check("storage:stuck", stuck)
    assert set(registered_checks()) == {"storage:fine", "storage:broken", "storage:stuck"}
    result = await check_readiness([], [], timeout=0.05)
    assert _by_name(result) == {
        "storage:fine": (PASS, "passing"),
        "storage:broken": (FAIL, "failing: ConnectionError"),
        "storage:stuck": (FAIL, "no answer within 0.05 s"),
    }
    assert "pw@host" not in str(result.as_json())
    unregister_readiness_check("storage:broken")
    unregister_readiness_check("storage:stuck")
    unregister_readiness_check("storage:none")  # nothing to remove: no error
    assert (await check_readiness([], [])).ok


def _loop(state: str, event_type: EventType = EventType.STREAM, **kwargs: Any) -> LoopState:
    return LoopState("a.1x0", "ev", event_type, state, **kwargs)


@pytest.mark.parametrize("loop, status, output", [
    (_loop("running"), PASS, "running"),
    (_loop("starting"), PASS, "starting"),
    (_loop("stopped", expected=False), SKIP, "stopped through its /mgmt stop route"),
    (_loop("stopping", expected=False), SKIP, "stopping through its /mgmt stop route"),
    (_loop("not started", expected=False), SKIP, "not started (--start-streams not given)"),
    (_loop("not started"), FAIL, "not started"),
    (_loop("crashed", error=ValueError("boom")), FAIL, "crashed: ValueError"),
    (_loop("finished"), FAIL, "finished: the read loop ended by itself"),
    (_loop("finished", EventType.SERVICE), PASS, "finished"),
])
async def test_loop_states(log: Recorder, engines: Engines, loop: LoopState, status: str, output: str) -> None:
    result = await check_readiness([], [loop])
    assert _by_name(result) == {"loop:a.1x0:ev": (status, output)}
    assert result.ok is (status != FAIL)


async def test_a_running_stream_loop_is_reconnecting_while_its_manager_fails(log: Recorder, engines: Engines) -> None:
    memory = MemoryStreamManager(address="readiness-loop")
    await memory.close()
    engines["a.1x0"] = Engine(memory)
    service = LoopState("a.1x0", "svc", EventType.SERVICE, "running")
    result = await check_readiness(["a.1x0"], [_loop("running"), service])
    assert _by_name(result)["loop:a.1x0:ev"] == (FAIL, "reconnecting: its stream manager is failing")
    assert _by_name(result)["loop:a.1x0:svc"] == (PASS, "running")  # a service reads no stream


async def test_contract_ping_default_says_not_implemented() -> None:
    with pytest.raises(NotImplementedError, match="Legacy does not implement ping"):
        await Legacy(address="x").ping()  # type: ignore[abstract]


async def test_memory_ping_fails_once_closed() -> None:
    memory = await MemoryStreamManager(address="readiness-ping").connect()
    await memory.ping()
    await memory.close()
    with pytest.raises(StreamOSError):
        await memory.ping()
