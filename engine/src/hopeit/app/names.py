"""Naming rules shared by config, routes, keys and streams (also re-exported by ``hopeit.server.names``)."""

import re
from typing import Any, Optional

__all__ = [
    "app_route_name",
    "auto_path",
    "auto_path_prefixed",
    "base_event_name",
    "module_name",
    "route_name",
    "snakecase",
    "spinalcase",
    "titlecase",
]

_SEPARATORS = re.compile(r"[-.\s]")
_UPPER = re.compile(r"[A-Z]")


def snakecase(value: str) -> str:
    """``-``, ``.`` and spaces become ``_``; upper-case letters become ``_`` + lower-case."""
    if not value:
        return value
    value = _SEPARATORS.sub("_", value)
    return value[0].lower() + _UPPER.sub(lambda m: "_" + m.group(0).lower(), value[1:])


def spinalcase(value: str) -> str:
    """Snakecase with dashes: ``simple_example`` -> ``simple-example``."""
    return snakecase(value).replace("_", "-")


def titlecase(value: str) -> str:
    """``track.request_id`` -> ``Track Request Id``."""
    return " ".join(word.capitalize() for word in snakecase(value).split("_"))


def base_event_name(event_name: str) -> str:
    """Event name without its ``$`` suffix: ``produce$consume`` (a SHUFFLE stage) -> ``produce``.

    Stages (``event$step``) and the service of a STREAM event (``event$__service__``) share the
    config, settings and logger of their event, found under this name.
    """
    return event_name.split("$", 1)[0]


def route_name(*args: str) -> str:
    """``('api', 'app_name', '1.0')`` -> ``/api/app-name/1x0``."""
    return "/" + "/".join(spinalcase(arg.replace(".", "x")) for arg in args)


def module_name(*args: str) -> str:
    """Python module path from name parts, keeping dots: ``('default-app', 'e')`` -> ``default_app.e``."""
    return ".".join(".".join(snakecase(part) for part in arg.split(".")) for arg in args)


def auto_path(*args: str) -> str:
    """Dotted key from name parts, dots inside a part become ``x``: ``('my-app', '1.0')`` -> ``my_app.1x0``."""
    return ".".join(snakecase(arg.replace(".", "x")) for arg in args)


def auto_path_prefixed(prefix: str, *args: str) -> str:
    """``prefix`` kept as is, followed by ``auto_path(*args)``."""
    return ".".join([prefix, auto_path(*args)]) if args else prefix


def app_route_name(
    app: Any,
    *,
    event_name: str,
    plugin: Optional[Any] = None,
    prefix: str = "api",
    override_route_name: Optional[str] = None,
) -> str:
    """HTTP route of an event: ``/api/<app>/<ver>[/<plugin>/<ver>]/<event path>`` or its override."""
    if override_route_name is not None:
        if override_route_name.startswith("/"):
            return route_name(*override_route_name[1:].split("/"))
        return route_name(prefix, *override_route_name.split("/"))
    parts = [prefix, app.name, app.version]
    if plugin is not None:
        parts += [plugin.name, plugin.version]
    return route_name(*parts, *event_name.split("."))
