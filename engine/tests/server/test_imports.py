"""``hopeit.server.imports``: 0.24's lookups of event modules and data object classes."""

import pytest
from hopeit.app.config import AppConfig
from hopeit.app.errors import ErrorInfo
from hopeit.server.imports import find_datobject_type, find_event_handler
from mock_app import MockData
from mock_app.events import mock_get


def test_find_event_handler_is_the_event_module(mock_app_config: AppConfig) -> None:
    """Keyword-only, as in 0.24; an event without a module raises ImportError."""
    info = mock_app_config.events["mock_get"]
    assert find_event_handler(app_config=mock_app_config, event_name="mock_get", event_info=info) is mock_get
    with pytest.raises(ImportError):
        find_event_handler(app_config=mock_app_config, event_name="no_such_event", event_info=info)


def test_find_datobject_type_imports_the_dotted_name() -> None:
    """``module.Class`` gives the class; the errors are those of importing it, as in 0.24."""
    assert find_datobject_type("mock_app.MockData") is MockData
    assert find_datobject_type("hopeit.app.errors.ErrorInfo") is ErrorInfo
    with pytest.raises(ModuleNotFoundError, match="No module named 'nope'"):
        find_datobject_type("nope.Thing")
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        find_datobject_type("hopeit.app.errors.Nope")
    with pytest.raises(ValueError, match="Empty module name"):
        find_datobject_type("Nope")
