"""OpenAPI spec of the running apps: built from ``__api__`` and data object schemas, checked, served.

The server keeps one spec per process (module state, as the server itself is one per process):

* ``--api-auto "version;title;description"``: ``init_auto_api`` starts an empty spec that the apps
  fill in (``register_server_config``, ``register_apps``); nothing to compare against.
* ``--api-file openapi.json``: ``load_api_file`` loads the spec; ``register_apps`` recomputes it
  from the apps, and ``enable_swagger`` refuses to start when the two differ, naming what differs.
* ``hopeit_openapi create|diff|update`` use the same functions to write or compare spec files.

With a spec active, ``enable_swagger`` installs aiohttp-swagger3 (RapiDoc UI at ``api.docs_path``)
and ``add_route`` wraps each documented handler with request validation of query args, headers,
cookies and credentials. Bodies are validated by pydantic when the payload is parsed.
"""

import copy
import json
import logging
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Set, Tuple, Union

from hopeit.app.api import (
    METHOD_MAPPING,
    APIError,
    EventApi,
    datatype_schema,
    runtime_schemas,
    set_spec_provider,
)
from hopeit.app.config import AppConfig, EventDescriptor, EventPlugMode
from hopeit.app.errors import ErrorInfo
from hopeit.server.config import AuthType, ServerConfig
from hopeit.server.events import event_module
from hopeit.server.names import app_route_name

# ``openapi_operations``, ``openapi_schemas`` and ``swagger`` (aiohttp-swagger3, fastjsonschema) are
# imported by the functions that build, compare or serve a spec: a server started without
# ``--api-file``/``--api-auto`` only asks ``add_route`` whether a spec is active, and never loads them.

__all__ = [
    "METHOD_MAPPING",
    "OPEN_API_VERSION",
    "APIError",
    "add_route",
    "app_route_name",
    "clear",
    "datatype_schema",
    "diff_specs",
    "enable_swagger",
    "file_differences",
    "init_auto_api",
    "init_empty_spec",
    "load_api_file",
    "optional_credentials",
    "register_apps",
    "register_server_config",
    "save_api_file",
    "setup",
    "spec",
    "spec_differences",
    "static_spec",
    "validation_schemas",
]

logger = logging.getLogger("hopeit.server.api")

OPEN_API_VERSION = "3.0.3"
DEFAULT_TITLE = "hopeit.engine automatic OpenAPI title"
DEFAULT_DESCRIPTION = "hopeit.engine automatic OpenAPI description"

spec: Optional[Dict[str, Any]] = None
static_spec: Optional[Dict[str, Any]] = None
swagger: Any = None
_options: Dict[str, Any] = {"generate_mode": False}
_from_file = False
_default_auth: List[AuthType] = [AuthType.UNSECURED]

#: ``(path, method)`` of operations whose event also accepts requests without credentials.
optional_credentials: Set[Tuple[str, str]] = set()

#: ``(path, method, query arg)``: schema request validation uses instead of the documented one.
validation_schemas: Dict[Tuple[str, str, str], Dict[str, Any]] = {}

set_spec_provider(lambda: spec)


def setup(**options: Any) -> None:
    """Set options: ``generate_mode=True`` adds a placeholder operation for undocumented events."""
    _options.update(options)


def clear() -> None:
    """Forget the spec, the validator and the options."""
    global spec, static_spec, swagger, _from_file, _default_auth
    spec, static_spec, swagger, _from_file = None, None, None, False
    _default_auth = [AuthType.UNSECURED]
    _options["generate_mode"] = False
    runtime_schemas.clear()
    optional_credentials.clear()
    validation_schemas.clear()


def _empty_spec(api_version: str, title: str, description: str) -> Dict[str, Any]:
    return {
        "openapi": OPEN_API_VERSION,
        "info": {"version": api_version, "title": title, "description": description},
        "paths": {},
    }


def init_empty_spec(api_version: str, title: str, description: str) -> None:
    """Start a new spec (``hopeit_openapi create``)."""
    global spec, static_spec, _from_file
    spec = _empty_spec(api_version, title, description)
    static_spec, _from_file = copy.deepcopy(spec), False


def init_auto_api(api_version: Optional[str], title: Optional[str], description: Optional[str]) -> None:
    """Start a spec built on the fly from the apps (``--api-auto``): never compared to a file."""
    global spec, static_spec, _from_file
    spec = _empty_spec(api_version or "1.0", title or DEFAULT_TITLE, description or DEFAULT_DESCRIPTION)
    static_spec, _from_file = None, False


def load_api_file(path: Union[str, Path]) -> None:
    """Load a spec file to enforce (``--api-file``) or update.

    :raises APIError: the file cannot be read or is not JSON.
    """
    global spec, static_spec, _from_file
    try:
        loaded = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise APIError(f"Cannot load API spec file {path}: {exc}") from None
    spec, static_spec, _from_file = loaded, copy.deepcopy(loaded), True


def spec_differences(expected: Dict[str, Any], actual: Dict[str, Any]) -> List[str]:
    """Where two specs differ, as JSON paths (empty: they match); see ``openapi_schemas.spec_differences``."""
    from hopeit.web import openapi_schemas

    return openapi_schemas.spec_differences(expected, actual)


def file_differences() -> List[str]:
    """Where the loaded spec file and the spec computed from the apps differ (empty: they match).

    A file written by hopeit.engine 0.24 matches when it differs only where 0.24 wrote something
    wrong (see ``without_known_024_differences``).
    """
    if static_spec is None or spec is None:
        return []
    from hopeit.web.openapi_schemas import without_known_024_differences

    return spec_differences(without_known_024_differences(static_spec, spec), spec)


def file_value_differences() -> List[str]:
    """What differs between the loaded spec file and the apps, value by value.

    See ``openapi_schemas.value_differences``; empty when they match or no file is loaded.
    """
    if static_spec is None or spec is None:
        return []
    from hopeit.web.openapi_schemas import value_differences, without_known_024_differences

    return value_differences(without_known_024_differences(static_spec, spec), spec)


def diff_specs() -> bool:
    """True when the spec computed from the apps differs from the loaded one."""
    return bool(file_differences())


def save_api_file(path: Union[str, Path], api_version: str) -> None:
    """Write the spec as JSON (indent 2) with ``api_version``.

    :raises APIError: the spec loaded from a file changed and ``api_version`` is still its version.
    """
    current = _require_spec()
    if _from_file and static_spec is not None and diff_specs() and static_spec["info"]["version"] == api_version:
        raise APIError(f"API spec changed: set a new version (current {api_version}) with --api-version")
    current["info"]["version"] = api_version
    Path(path).write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")


def _require_spec() -> Dict[str, Any]:
    if spec is None:
        raise APIError("No API spec: start with --api-file or --api-auto, or call init_empty_spec()")
    return spec


def register_server_config(server_config: ServerConfig) -> None:
    """Add the Basic and Bearer security schemes and the server's default auth methods."""
    global _default_auth
    from hopeit.web.openapi_operations import HTTP_SECURITY_SCHEMES, security_name

    current = _require_spec()
    components = current.setdefault("components", {})
    components.setdefault("schemas", {})
    components.setdefault("securitySchemes", {}).update(copy.deepcopy(HTTP_SECURITY_SCHEMES))
    _default_auth = list(server_config.auth.default_auth_methods)
    current["security"] = [
        {security_name(m): []} for m in _default_auth if m in (AuthType.BASIC, AuthType.BEARER)
    ]


def _operation(module: ModuleType, app_config: AppConfig, plugin: Optional[AppConfig], event_name: str,
               existing: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    api = getattr(module, "__api__", None)
    if callable(api):
        return dict(api(module, app_config, event_name, plugin))
    if isinstance(api, dict):
        return copy.deepcopy(api)
    if existing is not None:
        return existing
    if _options.get("generate_mode"):
        return {"description": f"<<<{event_name}>>>", "parameters": [], "responses": {}}
    return None


def _register_event(current: Dict[str, Any], app_config: AppConfig, plugin: Optional[AppConfig], event_name: str,
                    info: EventDescriptor) -> None:
    from hopeit.web.openapi_operations import add_track_headers, security_requirements

    owner = plugin or app_config
    module = event_module(owner, event_name, info)
    route = app_route_name(app_config.app, event_name=event_name, plugin=None if plugin is None else plugin.app,
                           override_route_name=info.route)
    method = METHOD_MAPPING[info.type]
    existing = current["paths"].get(route, {}).get(method)
    operation = _operation(module, app_config, plugin, event_name, existing)
    if operation is None:
        return
    declared = getattr(module, "__api__", None)
    if isinstance(declared, EventApi):
        for name, schema in declared.validation_schemas().items():
            validation_schemas[(route, method, name)] = schema
    operation["tags"] = [app_config.app_key()]
    add_track_headers(operation, app_config)
    schemes = current["components"].setdefault("securitySchemes", {})
    security, optional = security_requirements(app_config, list(info.auth) or _default_auth, schemes)
    if security:
        operation["security"] = security
    else:
        operation.pop("security", None)  # none: the global (empty) security applies, as in 0.24
    if optional:
        optional_credentials.add((route, method))
    current["paths"].setdefault(route, {})[method] = operation


def _register_dataobjects(app_config: AppConfig) -> None:
    from hopeit.web.openapi_schemas import event_dataobjects

    for event_name, info in app_config.events.items():
        for datatype in event_dataobjects(event_module(app_config, event_name, info)):
            datatype_schema(event_name, datatype)


def _plugin_configs(app_config: AppConfig, by_key: Dict[str, AppConfig]) -> List[AppConfig]:
    found = []
    for plugin in app_config.plugins:
        plugin_config = by_key.get(plugin.app_key())
        if plugin_config is None:
            raise APIError(
                f"app {app_config.app_key()} uses plugin {plugin.app_key()}: list the plugin config "
                "in --config-files (or its name in server config 'plugins')"
            )
        found.append(plugin_config)
    return found


def register_apps(apps_config: List[AppConfig]) -> None:
    """Document every GET, POST and MULTIPART event of the apps, and OnApp events of their plugins.

    Component schemas computed from the apps replace those of the same name in a loaded file.

    :raises APIError: an app lists a plugin whose config is not among ``apps_config``.
    """
    current = _require_spec()
    current.setdefault("paths", {})
    components = current.setdefault("components", {})
    datatype_schema("error", ErrorInfo)
    by_key = {config.app_key(): config for config in apps_config}
    for app_config in apps_config:  # data objects first, app by app, in 0.24's order
        _register_dataobjects(app_config)
    for app_config in apps_config:
        for event_name, info in app_config.events.items():
            if info.plug_mode == EventPlugMode.STANDALONE and info.type in METHOD_MAPPING:
                _register_event(current, app_config, None, event_name, info)
        for plugin_config in _plugin_configs(app_config, by_key):
            for event_name, info in plugin_config.events.items():
                if info.plug_mode == EventPlugMode.ON_APP and info.type in METHOD_MAPPING:
                    _register_event(current, app_config, plugin_config, event_name, info)
    from hopeit.web.openapi_schemas import remove_unused_schemas

    from_file = components.get("schemas", {})
    components["schemas"] = {**runtime_schemas, **{k: v for k, v in from_file.items() if k not in runtime_schemas}}
    remove_unused_schemas(current)
    current["security"] = []


def _docs_settings(server_config: ServerConfig) -> Any:
    from aiohttp_swagger3 import RapiDocUiSettings

    docs_path = server_config.api.docs_path
    return RapiDocUiSettings(path=docs_path) if docs_path else None


def enable_swagger(server_config: ServerConfig, app: Any) -> None:
    """Install request validation and the docs UI on an aiohttp app, if a spec is active.

    :raises APIError: the spec loaded with ``--api-file`` differs from the apps (naming the
        differences), or the spec is not valid OpenAPI 3.0.
    """
    global swagger
    if spec is None:
        logger.info("No API spec (start with --api-file or --api-auto): requests are not validated")
        return
    differences = ", ".join(file_differences())
    if differences:
        raise APIError(
            f"API spec file does not match the apps: differences at {differences}. "
            "Run `hopeit_openapi diff` to see them and `hopeit_openapi update` to refresh the file."
        )
    from hopeit.web.swagger import ValidationHints, install_swagger

    swagger = install_swagger(app, spec, _docs_settings(server_config),
                              ValidationHints(optional_credentials, validation_schemas))


def add_route(method: str, path: str, handler: Callable[..., Any]) -> Callable[..., Any]:
    """``handler`` wrapped with request validation when the spec documents ``method`` on ``path``."""
    if swagger is None or spec is None:
        return handler
    operation = spec.get("paths", {}).get(path, {}).get(method.lower())
    if operation is None:
        logger.debug("No API Spec defined for path=%s method=%s: requests are not validated", path, method)
        return handler
    from hopeit.web.swagger import validating_handler

    return validating_handler(swagger, method.lower(), path, handler)
