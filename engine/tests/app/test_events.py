"""Step markers and ``service_running`` (spec engine §6.4-6.6)."""

from types import ModuleType

import pytest
from hopeit.app.config import AppConfig
from hopeit.app.context import EventContext
from hopeit.app.events import SHUFFLE, service_running
from hopeit.app.running import set_running
from hopeit.server.steps import effective_steps, event_stages, extract_module_steps
from hopeit.testing.apps import create_test_context


def produce(payload: str, context: EventContext) -> str:
    return payload


def consume(payload: str, context: EventContext) -> str:
    return payload


@pytest.mark.parametrize("marker", [SHUFFLE, "__shuffle__"], ids=["SHUFFLE", "0.24 literal"])
def test_shuffle_marker_splits_the_steps_in_stages(marker: str) -> None:
    """SHUFFLE in ``__steps__`` ends a stage: the event runs the steps before it, the ``$consume`` stage
    the steps after it. Modules of 0.24 apps that write the marker's value get the same stages."""
    module = ModuleType("shuffled_event")
    setattr(module, "produce", produce)
    setattr(module, "consume", consume)
    setattr(module, "__steps__", ["produce", marker, "consume"])
    steps = extract_module_steps(module)
    assert event_stages(steps) == ["consume"]
    assert [name for name, _ in effective_steps("shuffled_event", steps)] == ["produce"]
    assert [name for name, _ in effective_steps("shuffled_event$consume", steps)] == ["consume"]


def test_service_running_follows_the_runtime_flag(mock_app_config: AppConfig) -> None:
    """True only while the event of the context's app is marked running."""
    context = create_test_context(mock_app_config, "mock_service")
    assert service_running(context) is False
    set_running("mock_app.1x0", "mock_service", True)
    try:
        assert service_running(context) is True
        assert service_running(create_test_context(mock_app_config, "mock_get")) is False
    finally:
        set_running("mock_app.1x0", "mock_service", False)
    assert service_running(context) is False
