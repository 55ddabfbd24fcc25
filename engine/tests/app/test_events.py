"""Step markers and ``service_running`` (spec engine §6.4-6.6)."""

from hopeit.app._running import set_running
from hopeit.app.config import AppConfig
from hopeit.app.events import SHUFFLE, service_running
from hopeit.testing.apps import create_test_context


def test_shuffle_marker() -> None:
    """SHUFFLE is the ``__shuffle__`` marker of 0.24."""
    assert SHUFFLE == "__shuffle__"


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
