"""Plugin discovery through entry points.

=================== ======================================== =============================
group               an entry point names                     built in
=================== ======================================== =============================
``hopeit.streams``  a ``StreamManager`` subclass             ``memory``
``hopeit.storage``  an ``ObjectStorage`` class               ``memory``
``hopeit.clients``  a ``hopeit.app.client.Client`` subclass  (apps-client plugin)
``hopeit.plugins``  the path of a plugin app's config JSON   (ops and storage plugins)
=================== ======================================== =============================

A dotted ``module.Class`` path is accepted wherever a name is. Each entry point is loaded on its
own and checked before use (it has the methods of its kind, and implements those its base class
only stands in for, see ``contract_default``); the distribution and version of everything loaded
is recorded in ``loaded_plugins()``. ``HOPEIT_DISABLE_PLUGINS=name,name`` hides installed plugins by name.
"""

import importlib
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Tuple, Type, TypeVar

if TYPE_CHECKING:  # imported when a group is first read: listing distributions is for servers using plugins
    if sys.version_info >= (3, 10):
        from importlib.metadata import EntryPoint
    else:  # pragma: no cover - exercised on 3.8 and 3.9 only
        from importlib_metadata import EntryPoint

__all__ = [
    "GROUP_CLIENTS",
    "GROUP_PLUGINS",
    "GROUP_STORAGE",
    "GROUP_STREAMS",
    "PluginInfo",
    "PluginNotFound",
    "available",
    "contract_default",
    "load_client_class",
    "load_plugin_config_path",
    "load_storage_class",
    "load_stream_manager_class",
    "loaded_plugins",
]

GROUP_STREAMS = "hopeit.streams"
GROUP_STORAGE = "hopeit.storage"
GROUP_CLIENTS = "hopeit.clients"
GROUP_PLUGINS = "hopeit.plugins"

_KIND = {
    GROUP_STREAMS: "stream manager",
    GROUP_STORAGE: "storage",
    GROUP_CLIENTS: "app client",
    GROUP_PLUGINS: "plugin",
}

#: Distributions of this project that provide well-known names, for the install hint.
_KNOWN: Dict[str, Dict[str, str]] = {
    GROUP_STREAMS: {"redis": "hopeit.redis-streams"},
    GROUP_STORAGE: {"fs": "hopeit.fs-storage", "redis": "hopeit.redis-storage"},
    GROUP_CLIENTS: {"apps-client": "hopeit.apps-client"},
    GROUP_PLUGINS: {
        "fs-storage": "hopeit.fs-storage",
        "config-manager": "hopeit.config-manager",
        "log-streamer": "hopeit.log-streamer",
        "apps-visualizer": "hopeit.apps-visualizer",
        "dataframes": "hopeit.dataframes",
    },
}


class PluginNotFound(ImportError):
    """A configured plugin name is not installed (the message says what to install)."""


@dataclass(frozen=True)
class PluginInfo:
    """A loaded extension: its group, name, and the distribution that provides it."""

    group: str
    name: str
    distribution: str
    version: str


_loaded: Dict[str, PluginInfo] = {}
logger = logging.getLogger("hopeit.plugins")


def _disabled() -> List[str]:
    return [n.strip() for n in os.getenv("HOPEIT_DISABLE_PLUGINS", "").split(",") if n.strip()]


#: entry points of each group read so far: the installed distributions do not change while a process runs
_read: Dict[str, Tuple["EntryPoint", ...]] = {}


def entry_points(*, group: str) -> Tuple["EntryPoint", ...]:
    """The entry points installed in ``group``, read from the distributions once per process."""
    found = _read.get(group)
    if found is None:
        if sys.version_info >= (3, 10):
            from importlib import metadata
        else:  # pragma: no cover - exercised on 3.8 and 3.9 only
            import importlib_metadata as metadata
        found = _read[group] = tuple(metadata.entry_points(group=group))
    return found


def _entry_points(group: str) -> Dict[str, "EntryPoint"]:
    disabled = _disabled()
    return {ep.name: ep for ep in entry_points(group=group) if ep.name not in disabled}


def available(group: str) -> List[str]:
    """Names installed in an entry-point group."""
    return sorted(_entry_points(group))


def loaded_plugins() -> List[PluginInfo]:
    """Every extension loaded so far, with its distribution and version."""
    return list(_loaded.values())


def _not_found(group: str, name: str) -> PluginNotFound:
    dist = _KNOWN.get(group, {}).get(name)
    hint = (
        f"pip install {dist}" if dist else f"install the package that provides '{name}' in entry-point group '{group}'"
    )
    installed = ", ".join(available(group)) or "none"
    return PluginNotFound(f"{_KIND[group]} '{name}' is not installed ({hint}); installed: {installed}")


def _import_path(dotted: str) -> Any:
    module_name, _, attr = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise PluginNotFound(f"cannot import '{dotted}': {exc}") from exc


def _load(group: str, name: str) -> Any:
    installed = _entry_points(group)
    if name in installed or "." not in name:
        ep = installed.get(name)
        if ep is None:
            raise _not_found(group, name)
        try:
            obj = ep.load()
        except (ImportError, AttributeError) as exc:
            raise PluginNotFound(f"{_KIND[group]} '{name}' is installed but cannot be imported: {exc}") from exc
        dist = getattr(ep, "dist", None)
        info = PluginInfo(group, name, getattr(dist, "name", "unknown"), getattr(dist, "version", "unknown"))
        key = f"{group}:{name}"
        if _loaded.get(key) != info:  # once per process: a name is looked up by every app using it
            logger.info("Loaded %s '%s' from %s %s", _KIND[group], name, info.distribution, info.version)
        _loaded[key] = info
        return obj
    return _import_path(name)


#: What a class found in each group must offer (checked when it is loaded, not on first call).
#: Checking the shape, not the base class, keeps this module free of imports of the packages
#: above it; the engine's base classes (``StreamManager``, ``Client``) provide all of it.
_SHAPES: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    GROUP_STREAMS: ("StreamManager", (
        "connect", "close", "publish", "write_stream", "write_stream_batch", "ensure_consumer_group",
        "read_stream", "ack_read_stream", "ack_read_stream_batch",
    )),
    GROUP_STORAGE: ("ObjectStorage", ("from_settings", "store", "get", "list_objects", "delete")),
    GROUP_CLIENTS: ("Client", ("start", "stop", "call")),
}


#: Methods of each kind that a class must implement itself, not take from the base class, where
#: they are stand-ins marked by ``contract_default``; a tuple is satisfied by any one of its methods.
_IMPLEMENTED: Dict[str, Tuple[Tuple[str, ...], ...]] = {
    GROUP_STREAMS: (
        ("connect",), ("close",), ("publish", "write_stream"), ("ensure_consumer_group",), ("read_stream",),
        ("ack_read_stream",),
    ),
}

_F = TypeVar("_F", bound=Callable[..., Any])
_DEFAULT_MARK = "__hopeit_contract_default__"


def contract_default(method: _F) -> _F:
    """Mark a method of a contract's base class as a stand-in that plugin classes implement.

    The stand-in can be called (it raises ``NotImplementedError``, as 0.24's base classes did, or
    falls back on another method), so a partial subclass such as a test double can be instantiated;
    but a plugin class that keeps a stand-in listed in ``_IMPLEMENTED`` is refused when it is loaded.
    """
    setattr(method, _DEFAULT_MARK, True)
    return method


def _stand_ins(group: str, cls: type) -> List[str]:
    return [
        " or ".join(choices)
        for choices in _IMPLEMENTED.get(group, ())
        if all(getattr(getattr(cls, method, None), _DEFAULT_MARK, False) for method in choices)
    ]


def _load_class(group: str, name: str) -> Type[Any]:
    obj = _load(group, name)
    expected, methods = _SHAPES[group]
    if not isinstance(obj, type):
        raise TypeError(f"{_KIND[group]} '{name}' resolves to {obj!r}, which is not a {expected} class")
    missing = [method for method in methods if not callable(getattr(obj, method, None))]
    if missing:
        raise TypeError(
            f"{_KIND[group]} '{name}' resolves to {obj!r}, which is not a {expected}: "
            f"it has no {', '.join(missing)}"
        )
    unimplemented = _stand_ins(group, obj)
    if unimplemented:
        raise TypeError(
            f"{_KIND[group]} '{name}' resolves to {obj!r}, which does not implement "
            f"{', '.join(unimplemented)} (a {expected} must)"
        )
    return obj


def load_stream_manager_class(name: str) -> Type[Any]:
    """The ``StreamManager`` class registered as ``name`` (or at dotted path ``name``)."""
    return _load_class(GROUP_STREAMS, name)


def load_storage_class(name: str) -> Type[Any]:
    """The ``ObjectStorage`` class registered as ``name`` (or at dotted path ``name``)."""
    return _load_class(GROUP_STORAGE, name)


def load_client_class(name: str) -> Type[Any]:
    """The ``Client`` class registered as ``name`` (or at dotted path ``name``)."""
    return _load_class(GROUP_CLIENTS, name)


def load_plugin_config_path(name: str) -> Path:
    """Path of the config JSON of the plugin app registered as ``name``.

    The entry point names a ``Path``/``str``, or a function returning one.
    """
    obj = _load(GROUP_PLUGINS, name)
    value = obj() if callable(obj) else obj
    path = Path(value)
    if not path.is_file():
        raise PluginNotFound(f"plugin '{name}' points to config file '{path}', which does not exist")
    return path
