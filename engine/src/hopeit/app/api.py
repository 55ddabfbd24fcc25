"""OpenAPI documentation of events, declared next to the steps.

In an event module::

    from hopeit.app.api import event_api

    __api__ = event_api(
        summary="Query something",
        query_args=[("item_id", str, "Item Id to read"), ("limit", Optional[int])],
        responses={200: (Something, "Something found"), 404: (str, "not found")},
    )

``__api__`` may also be a ready OpenAPI operation dict, or ``api_from_config`` to take the operation
from the spec file the server was started with (``--api-file``). Query args declared here reach the
first step converted to their types (``int``, ``bool``, ``date``, ``Optional[...]``, enums, ...).
"""

import logging
import re
from datetime import date, datetime
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from hopeit.app.config import AppConfig, AppDescriptor, EventType
from hopeit.app.names import app_route_name, route_name
from hopeit.dataobjects import BinaryAttachment, BinaryDownload
from hopeit.dataobjects.adapters import type_name
from hopeit.dataobjects.openapi3 import openapi3_schema
from hopeit.dataobjects.schema import schema_with_components

__all__ = [
    "METHOD_MAPPING",
    "APIError",
    "EventApi",
    "api_from_config",
    "app_base_route_name",
    "datatype_schema",
    "event_api",
    "openapi3_schema",
    "runtime_schemas",
]

#: OpenAPI operation (lower-case HTTP method) of each web event type.
METHOD_MAPPING: Dict[EventType, str] = {EventType.GET: "get", EventType.POST: "post", EventType.MULTIPART: "post"}

#: Component schemas referenced by the operations built so far (name -> schema).
runtime_schemas: Dict[str, Dict[str, Any]] = {}

_ATOMIC = (str, int, float, bool)
_SIMPLE_TYPES: Dict[Any, Dict[str, str]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    date: {"type": "string", "format": "date"},
    datetime: {"type": "string", "format": "date-time"},
}
_NONE = type(None)

logger = logging.getLogger("hopeit.server.api")

_spec_provider: Optional[Callable[[], Optional[Dict[str, Any]]]] = None


class APIError(Exception):
    """The OpenAPI spec cannot be built, or does not match what the server runs."""


def set_spec_provider(provider: Callable[[], Optional[Dict[str, Any]]]) -> None:
    """Tell ``api_from_config`` where the active spec lives (called by the server)."""
    global _spec_provider
    _spec_provider = provider


def app_base_route_name(app: AppDescriptor, *, plugin: Optional[AppDescriptor] = None, prefix: str = "api") -> str:
    """Route prefix of an app's events: ``/api/<app>/<ver>[/<plugin>/<ver>]``."""
    parts = [prefix, app.name, app.version]
    if plugin is not None:
        parts += [plugin.name, plugin.version]
    return route_name(*parts)


def _register_components(components: Dict[str, Dict[str, Any]]) -> None:
    for name, component in components.items():
        known = runtime_schemas.setdefault(name, component)
        if known != component:
            logger.warning("API spec: two different schemas named %s: keeping the first one", name)


def datatype_schema(event_name: str, datatype: Any, key: Optional[str] = None) -> Dict[str, Any]:
    """Schema of a payload type as it travels over HTTP.

    Data objects become a ``$ref`` (their schemas are added to ``runtime_schemas``); ``List[T]`` an
    array; ``str``/``int``/``float``/``bool`` an object holding the value under ``key`` (the event
    name by default, as in response bodies; request bodies use ``value``).
    """
    if datatype in _ATOMIC:
        field = key or event_name
        value_schema = _SIMPLE_TYPES[datatype]
        return {
            "type": "object",
            "required": [field],
            "properties": {field: dict(value_schema)},
            "description": f"{event_name} {value_schema['type']} payload",
        }
    schema, components = schema_with_components(datatype)
    _register_components(components)
    return schema


def _field_schema(event_name: str, datatype: Any) -> Dict[str, Any]:
    """Schema of a multipart form field: atomic values as themselves, other types as payloads."""
    if datatype in _ATOMIC:
        return dict(_SIMPLE_TYPES[datatype])
    return datatype_schema(event_name, datatype)


def _type_name(datatype: Any) -> str:
    """Default description of a payload: the type's name (``Something``, ``int``, ``List``)."""
    name = getattr(datatype, "__name__", None) or getattr(datatype, "_name", None)
    return str(name) if name else type_name(datatype)


# --- event_api -------------------------------------------------------------------------------------

QueryArg = Union[str, Tuple[str, Any], Tuple[str, Any, str]]
PayloadDef = Union[Any, Tuple[Any, str]]


def _unwrap_optional(datatype: Any) -> Tuple[Any, bool]:
    args = getattr(datatype, "__args__", None)
    if getattr(datatype, "__origin__", None) is Union and args is not None:
        rest = [a for a in args if a is not _NONE]
        return (rest[0] if len(rest) == 1 else Union[tuple(rest)]), len(rest) < len(args)
    return datatype, False


def _query_arg_schema(datatype: Any) -> Tuple[Dict[str, Any], bool]:
    """Schema of a query arg and whether it is optional, as 0.24 documented them.

    Strings, numbers, booleans, dates and datetimes have their own schema; other types (enums,
    lists, decimals...) are documented as strings: the values are checked when they are converted.
    """
    inner, optional = _unwrap_optional(datatype)
    if getattr(inner, "__origin__", None) is Union:
        return {"type": "string"}, optional
    return dict(_SIMPLE_TYPES.get(inner, {"type": "string"})), optional


def _list_item_type(datatype: Any) -> Optional[Any]:
    inner, _ = _unwrap_optional(datatype)
    if getattr(inner, "__origin__", None) in (list, List) and getattr(inner, "__args__", None):
        return inner.__args__[0]
    return None


def _docstring_texts(module: ModuleType) -> Tuple[str, str]:
    doc = (module.__doc__ or "").strip()
    summary = doc.split("\n", 1)[0].strip()
    if doc.count("\n") > 1:
        return summary, re.sub(r"^\W+", "", doc.split("\n", 1)[1]).strip()
    return summary, summary


def _split_def(definition: PayloadDef) -> Tuple[Any, Optional[str]]:
    if isinstance(definition, tuple):
        return definition[0], definition[1]
    return definition, None


class EventApi:
    """What ``event_api`` returns: called by the server with the event's module and config."""

    def __init__(
        self,
        *,
        summary: Optional[str],
        description: Optional[str],
        payload: Optional[PayloadDef],
        query_args: Optional[List[QueryArg]],
        fields: Optional[List[Tuple[Any, ...]]],
        responses: Optional[Dict[int, PayloadDef]],
    ) -> None:
        if payload is not None and fields is not None:
            raise APIError("event_api: declare either payload or fields (multipart), not both")
        self.summary = summary
        self.description = description
        self.payload = payload
        self.fields = fields
        self.responses = responses or {}
        self.query_args: List[Tuple[str, Any, str]] = []
        for arg in query_args or []:
            if isinstance(arg, str):
                self.query_args.append((arg, str, arg))
            else:
                self.query_args.append((arg[0], arg[1], arg[2] if len(arg) > 2 else arg[0]))  # type: ignore[misc]
        #: declared Python type of each query arg: the server converts values to it
        self.query_arg_types: Dict[str, Any] = {name: datatype for name, datatype, _ in self.query_args}

    def __call__(
        self,
        module: ModuleType,
        app_config: AppConfig,
        event_name: str,
        plugin: Optional[AppConfig] = None,
    ) -> Dict[str, Any]:
        """The OpenAPI operation of the event."""
        summary, description = _docstring_texts(module)
        event_info = (plugin or app_config).events.get(event_name)
        multipart = event_info is not None and event_info.type == EventType.MULTIPART
        operation: Dict[str, Any] = {
            "summary": self.summary if self.summary is not None else summary,
            "description": self.description if self.description is not None else description,
            "parameters": [self._parameter(*arg) for arg in self.query_args],
        }
        if self.payload is not None:
            operation["requestBody"] = self._request_body(event_name, multipart)
        elif self.fields is not None:
            operation["requestBody"] = self._fields_body(event_name)
        operation["responses"] = {str(status): self._response(event_name, d) for status, d in self.responses.items()}
        return operation

    def validation_schemas(self) -> Dict[str, Dict[str, Any]]:
        """Schemas to validate query args with, where they differ from the documented ones.

        ``List[T]`` args are documented as a string (as 0.24 did) and validated as an array, so
        ``?tag=a&tag=b`` passes validation and reaches the event as a list.
        """
        found: Dict[str, Dict[str, Any]] = {}
        for name, datatype, _ in self.query_args:
            item = _list_item_type(datatype)
            if item is not None:
                found[name] = {"type": "array", "items": _query_arg_schema(item)[0]}
        return found

    @staticmethod
    def _parameter(name: str, datatype: Any, description: str) -> Dict[str, Any]:
        schema, optional = _query_arg_schema(datatype)
        return {"name": name, "in": "query", "required": not optional, "description": description, "schema": schema}

    def _request_body(self, event_name: str, multipart: bool) -> Dict[str, Any]:
        datatype, description = _split_def(self.payload)
        content_type = "multipart/form-data" if multipart else "application/json"
        return {
            "description": description or _type_name(datatype),
            "required": True,
            "content": {content_type: {"schema": datatype_schema(event_name, datatype, key="value")}},
        }

    def _fields_body(self, event_name: str) -> Dict[str, Any]:
        properties: Dict[str, Any] = {}
        encoding: Dict[str, Any] = {}
        for item in self.fields or []:
            name = item[0]
            datatype = item[1] if len(item) > 1 else str
            description = item[2] if len(item) > 2 else name
            if datatype is BinaryAttachment:
                properties[name] = {"type": "string", "format": "binary", "description": description}
                encoding[name] = {"contentType": "application/octet-stream"}
            elif datatype is str:
                properties[name] = {"type": "string", "description": description}
                encoding[name] = {"contentType": "text/plain"}
            else:
                properties[name] = {**_field_schema(event_name, datatype), "description": description}
                encoding[name] = {"contentType": "application/json"}
        schema = {"type": "object", "required": list(properties), "properties": properties}
        return {
            "required": True,
            "content": {"multipart/form-data": {"schema": schema, "encoding": encoding}},
        }

    @staticmethod
    def _response(event_name: str, definition: PayloadDef) -> Dict[str, Any]:
        datatype, description = _split_def(definition)
        if isinstance(datatype, type) and issubclass(datatype, BinaryDownload):
            content = {datatype.content_type: {"schema": {"type": "string", "format": "binary"}}}
        else:
            content = {"application/json": {"schema": datatype_schema(event_name, datatype)}}
        return {"description": description or _type_name(datatype), "content": content}


def event_api(
    *,
    summary: Optional[str] = None,
    description: Optional[str] = None,
    payload: Optional[PayloadDef] = None,
    query_args: Optional[List[QueryArg]] = None,
    fields: Optional[List[Tuple[Any, ...]]] = None,
    responses: Optional[Dict[int, PayloadDef]] = None,
) -> EventApi:
    """Describe a web event for OpenAPI; assign the result to ``__api__`` in the event module.

    :param summary: defaults to the first line of the module docstring.
    :param description: defaults to the rest of the module docstring.
    :param payload: request body type, or ``(type, description)``.
    :param query_args: ``"name"`` (a required string), ``(name, type)`` or ``(name, type, description)``;
        ``Optional[T]`` makes an arg optional. Values reach the first step converted to ``type``.
    :param fields: multipart form fields ``(name, type, description)``; ``BinaryAttachment`` for files.
    :param responses: ``{status: type}`` or ``{status: (type, description)}``.
    """
    return EventApi(
        summary=summary,
        description=description,
        payload=payload,
        query_args=query_args,
        fields=fields,
        responses=responses,
    )


def api_from_config(
    module: ModuleType,
    app_config: AppConfig,
    event_name: str,
    plugin: Optional[AppConfig] = None,
) -> Dict[str, Any]:
    """The operation of the event as found in the spec file the server loaded (``--api-file``).

    :raises APIError: when no spec is loaded, or it has no such path or method.
    """
    spec = _spec_provider() if _spec_provider is not None else None
    if spec is None:
        raise APIError(f"api_from_config in {module.__name__}: no OpenAPI spec loaded (start with --api-file)")
    event_info = (plugin or app_config).events[event_name]
    route = app_route_name(
        app_config.app,
        event_name=event_name,
        plugin=None if plugin is None else plugin.app,
        override_route_name=event_info.route,
    )
    method = METHOD_MAPPING.get(event_info.type)
    path_item = spec.get("paths", {}).get(route)
    if path_item is None:
        raise APIError(f"Missing path in API spec: {route} (event {event_name})")
    if method not in path_item:
        raise APIError(f"Missing method {method} for path {route} in API spec (event {event_name})")
    operation: Dict[str, Any] = path_item[method]
    return operation
