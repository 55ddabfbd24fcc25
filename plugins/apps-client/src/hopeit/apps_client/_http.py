"""What goes on the wire: request headers and query args, and responses read back into types."""

import json
from typing import Any, Dict, List, Optional, Tuple

from hopeit.app.context import EventContext
from hopeit.app.errors import Unauthorized
from hopeit.app.names import titlecase
from hopeit.apps_client.errors import AppsClientException, ServerException, UnhandledResponse
from hopeit.dataobjects.payload import Payload

__all__ = ["parse_response", "query_params", "request_headers", "track_header"]

_header_names: Dict[str, str] = {}


def track_header(key: str) -> str:
    """Header carrying a track id, as the engine names them: ``track.request_id`` -> ``X-Track-Request-Id``."""
    name = _header_names.get(key)
    if name is None:
        name = _header_names[key] = "X-" + titlecase(key).replace(" ", "-")
    return name


def request_headers(context: EventContext, authorization: Optional[str]) -> Dict[str, str]:
    """Headers of a call: every track id of ``context``, the calling app and event, JSON, auth.

    The target keeps ``X-Track-*`` headers as its own track ids, so one ``track.request_id``
    follows a request across apps; ``X-Track-Client-App-Key`` and ``X-Track-Client-Event-Name``
    say who called.
    """
    headers = {track_header(k): v for k, v in context.track_ids.items()}
    headers[track_header("track.client_app_key")] = context.app_key
    headers[track_header("track.client_event_name")] = context.event_name
    headers["Content-Type"] = "application/json"
    if authorization is not None:
        headers["Authorization"] = authorization
    return headers


def _query_value(value: Any) -> str:
    if isinstance(value, bool):  # the engine and JSON spell booleans in lower case
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return Payload.to_json(value)


def query_params(kwargs: Dict[str, Any], payload: Any = None) -> List[Tuple[str, str]]:
    """Query args of a call; lists repeat the arg, None leaves it out.

    A GET payload travels as the ``payload`` query arg, which is where hopeit GET events read it.
    """
    params: List[Tuple[str, str]] = []
    for name, value in kwargs.items():
        if value is None:
            continue
        items = value if isinstance(value, (list, tuple, set)) else [value]
        params.extend((name, _query_value(item)) for item in items)
    if payload is not None:
        params.append(("payload", _query_value(payload)))
    return params


def _response_type(status: int, datatype: Any, responses: Optional[Dict[int, Any]]) -> Any:
    if status == 200:
        return datatype
    if responses and status in responses:
        return responses[status]
    if status == 401:
        return Unauthorized
    if status >= 500:
        return ServerException
    return UnhandledResponse


def parse_response(
    *, status: int, content_type: str, text: str, event_name: str, datatype: Any,
    responses: Optional[Dict[int, Any]],
) -> List[Any]:
    """Items of a response: ``datatype`` for 200, else the type ``responses`` maps the status to.

    JSON lists give one item per element; any other body gives one item. Atomic values are read
    under the target event's name (the key the engine writes them under); ``text/plain`` bodies are
    taken as that value.

    :raises Unauthorized: 401 not mapped in ``responses``.
    :raises ServerException: 5xx not mapped (retried on another host).
    :raises UnhandledResponse: any other status not mapped.
    :raises AppsClientException: the body does not match the type it is read into.
    """
    target = _response_type(status, datatype, responses)
    if target is Unauthorized:
        raise Unauthorized(text)
    if target is ServerException:
        raise ServerException(f"{event_name} answered {status}: {text}")
    if target is UnhandledResponse:
        raise UnhandledResponse(
            f"Missing {status} status handler, use `responses` to handle this exception", text, status
        )
    if target is None or target is type(None):
        return [None]
    try:
        if content_type == "text/plain":
            return [Payload.from_obj({event_name: text}, target, key=event_name)]
        data = json.loads(text)
        if isinstance(data, list) and target is not list:
            return [Payload.from_obj(item, target, key=event_name) for item in data]
        return [Payload.from_obj(data, target, key=event_name)]
    except (ValueError, TypeError) as exc:
        type_name = getattr(target, "__qualname__", str(target))
        raise AppsClientException(
            f"Cannot read the {status} response of {event_name} as {type_name}: {exc}"
        ) from None
