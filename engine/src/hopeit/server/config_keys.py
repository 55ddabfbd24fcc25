"""Keys of a config file that its data model does not have: ignored when loading, so said out loud.

A server config with ``"stream"`` where ``"streams"`` was meant loads: the unknown key is dropped
and the server runs on the embedded streams. ``unknown_keys`` walks the JSON beside the data model
(``ServerConfig``, ``AppConfig`` and every data object within, lists and dicts of them included)
and names each key the model does not take, with the closest one it does::

    streams.stream_manger: unknown key (did you mean 'stream_manager'?)

Free-form sections (``settings``, ``env``, a stream manager's ``settings``) take any key and are not
looked into. ``config_kind`` tells a server config from an app config by their top-level keys, for
the messages about the order of ``--config-files``.
"""

import dataclasses
import sys
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union, get_args, get_origin, get_type_hints

__all__ = ["config_kind", "unknown_keys"]

#: Top-level keys only an app (or plugin) config has, and only a server config has.
_APP_KEYS = frozenset({"app", "events", "app_connections"})
_SERVER_KEYS = frozenset({"logging", "streams", "auth", "api", "engine_version"})


def _model(datatype: Any) -> Optional[type]:
    """The data-object class ``datatype`` is, or holds as ``Optional``; None for anything else."""
    if dataclasses.is_dataclass(datatype) and isinstance(datatype, type):
        return datatype
    if get_origin(datatype) is Union:
        found = [_model(arg) for arg in get_args(datatype) if arg is not type(None)]
        return found[0] if len(found) == 1 else None
    return None


def _hints(model: type) -> Dict[str, Any]:
    try:
        return get_type_hints(model, vars(sys.modules[model.__module__]))
    except Exception:  # noqa: BLE001 - a model whose hints cannot be resolved is not looked into
        return {}


def _nested(value: Any, datatype: Any, path: str) -> List[Tuple[str, Any, type]]:
    """The (path, JSON value, model) pairs of data objects inside a field's value."""
    model = _model(datatype)
    if model is not None:
        return [(path, value, model)] if isinstance(value, Mapping) else []
    origin, args = get_origin(datatype), get_args(datatype)
    if origin in (list, List) and args and isinstance(value, list):
        return [pair for index, item in enumerate(value) for pair in _nested(item, args[0], f"{path}[{index}]")]
    if origin in (dict, Dict) and len(args) == 2 and isinstance(value, Mapping):
        return [pair for key, item in value.items() for pair in _nested(item, args[1], f"{path}.{key}")]
    return []


def unknown_keys(data: Any, datatype: type, prefix: str = "", *, ignored: bool = True) -> List[str]:
    """``<path>: unknown key, ignored (did you mean '<closest>'?)`` for each key of ``data`` the model lacks.

    ``ignored=False`` leaves out ``, ignored``: for strict mode, where the key stops the start instead.
    """
    what = "unknown key, ignored" if ignored else "unknown key"
    found: List[str] = []
    pending: List[Tuple[str, Any, type]] = [(prefix, data, datatype)] if isinstance(data, Mapping) else []
    while pending:
        path, value, model = pending.pop(0)
        hints = _hints(model)
        names = [f.name for f in dataclasses.fields(model) if f.init]
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in names:
                import difflib  # only when a key is unknown

                close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else f" (known keys: {', '.join(names)})"
                found.append(f"{where}: {what}{hint}")
            elif key in hints:
                pending.extend(_nested(item, hints[key], where))
    return found


def config_kind(data: Any) -> Optional[str]:
    """``"app"`` or ``"server"`` when the top-level keys of a config say which it is, else None."""
    if not isinstance(data, Mapping):
        return None
    keys = set(data)
    if keys & _APP_KEYS:
        return "app"
    if keys & _SERVER_KEYS:
        return "server"
    return None
