"""Step mistakes a server refuses at start, found on the test apps in this process."""

from typing import AsyncIterator

import pytest
from hopeit.server.engine import AppEngine
from hopeit.server.step_checks import event_step_problems
from hopeit.testing.apps import config
from steps_app import CONFIG


@pytest.fixture
async def steps_engine() -> AsyncIterator[AppEngine]:
    engine = await AppEngine(app_config=config(CONFIG), plugins=[]).start()
    yield engine
    await engine.stop()


async def test_stream_events_taking_no_dataobject_are_found(steps_engine: AppEngine) -> None:
    problems = event_step_problems(steps_engine)
    assert any(p.startswith("steps_app.1x0 text_stream: event text_stream: no step takes a @dataobject")
               for p in problems), problems
    bad_type = "steps_app.1x0 generic_bad_type: dataobjects entry 'steps_app.NoSuchType' cannot be imported"
    assert any(p.startswith(bad_type) for p in problems), problems
    assert not any(" loop_stream:" in p for p in problems)  # a good STREAM event passes
