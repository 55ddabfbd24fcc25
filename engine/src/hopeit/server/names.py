"""Naming rules for app keys, routes, modules and auto-named streams."""

from hopeit.app.names import (
    app_route_name,
    auto_path,
    auto_path_prefixed,
    base_event_name,
    module_name,
    route_name,
    snakecase,
    spinalcase,
    titlecase,
)

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
