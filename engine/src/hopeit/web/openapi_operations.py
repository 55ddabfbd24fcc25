"""What the server adds to each documented operation: track headers, tags and credentials.

Written as hopeit.engine 0.24 wrote them, so that spec files kept by projects match on both engines.
"""

from typing import Any, Dict, List, Tuple

from hopeit.app.config import AppConfig
from hopeit.server.config import AuthType
from hopeit.server.names import titlecase

__all__ = ["HTTP_SECURITY_SCHEMES", "add_track_headers", "security_name", "security_requirements"]

#: Security schemes of Basic and Bearer credentials, shared by every app.
HTTP_SECURITY_SCHEMES: Dict[str, Dict[str, str]] = {
    "auth.basic": {"type": "http", "scheme": "basic"},
    "auth.bearer": {"type": "http", "scheme": "bearer"},
}


def security_name(method: AuthType) -> str:
    """Security scheme of Basic and Bearer credentials: ``auth.basic``, ``auth.bearer``."""
    return f"auth.{method.value.lower()}"


def _header(name: str, description: str, schema: Dict[str, Any], required: bool) -> Dict[str, Any]:
    return {"name": name, "in": "header", "required": required, "description": description, "schema": schema}


def add_track_headers(operation: Dict[str, Any], app_config: AppConfig) -> None:
    """Header parameters of the app's track ids, unless the operation has them already.

    ``X-Track-Request-Id`` and ``X-Track-Request-Ts`` are optional; each track header the app
    configures (``engine.track_headers``) is required, with a default for trying requests out.
    """
    params: List[Dict[str, Any]] = operation.setdefault("parameters", [])
    present = {(p.get("in"), p.get("name")) for p in params}
    wanted = [
        _header("X-Track-Request-Id", "Track information: Request-Id", {"type": "string"}, False),
        _header("X-Track-Request-Ts", "Track information: Request-Ts", {"type": "string", "format": "date-time"},
                False),
    ]
    for key in app_config.engine.track_headers:
        if key not in ("track.request_id", "track.request_ts"):
            name = "X-" + titlecase(key).replace(" ", "-")
            default = key.replace("track.", "test.")
            wanted.append(_header(name, f"Track information: {key}", {"type": "string", "default": default}, True))
    params.extend(p for p in wanted if ("header", p["name"]) not in present)


def security_requirements(
    app_config: AppConfig, methods: List[AuthType], schemes: Dict[str, Any]
) -> Tuple[List[Dict[str, List[str]]], bool]:
    """Security of an operation taking ``methods``, and whether requests without credentials are valid.

    One alternative per method, as 0.24 wrote them; ``Unsecured`` among other methods is not
    written (0.24 did not), it makes the credentials optional. Refresh tokens travel in a cookie
    named after the app: its scheme is added to ``schemes``.
    """
    security: List[Dict[str, List[str]]] = []
    for method in methods:
        if method == AuthType.REFRESH:
            name = f"{app_config.app_key()}.refresh"
            schemes[name] = {"type": "apiKey", "in": "cookie", "name": name}
            security.append({name: []})
        elif method in (AuthType.BASIC, AuthType.BEARER):
            security.append({security_name(method): []})
    return security, bool(security) and AuthType.UNSECURED in methods
