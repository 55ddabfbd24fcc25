"""0.24 import path of the event module lookup: ``find_event_handler`` and ``find_datobject_type``.

``find_event_handler`` is ``hopeit.server.events.event_module`` with 0.24's keyword-only signature.
"""

import importlib
from types import ModuleType
from typing import Any, Type

from hopeit.app.config import AppConfig, EventDescriptor
from hopeit.server.events import event_module

__all__ = ["find_datobject_type", "find_event_handler"]


def find_event_handler(*, app_config: AppConfig, event_name: str, event_info: EventDescriptor) -> ModuleType:
    """The module of an event: its ``impl``, else ``<import module>.<event name>`` for each import module.

    :raises ImportError: when no candidate module can be imported.
    """
    return event_module(app_config, event_name, event_info)


def find_datobject_type(qual_type_name: str) -> Type[Any]:
    """The class named by a dotted ``module.ClassName`` (the 0.24 spelling of the name is kept).

    :raises ImportError: when the module cannot be imported; ``AttributeError`` when it has no such class.
    """
    module_name, _, type_name = qual_type_name.rpartition(".")
    datatype: Type[Any] = getattr(importlib.import_module(module_name), type_name)
    return datatype
