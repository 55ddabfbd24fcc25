"""Reading a request: track ids, credentials, query args, JSON bodies and multipart uploads."""

from typing import Any, Callable, Dict, List, Optional, Union

from aiohttp import web
from hopeit.app._hooks import PreprocessFileHook
from hopeit.app.context import EventContext
from hopeit.app.errors import BadRequest, Unauthorized
from hopeit.dataobjects._adapters import adapter
from hopeit.dataobjects.payload import Payload
from hopeit.server.config import AuthType

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_UPLOAD_SIZE",
    "PayloadTooLarge",
    "QueryArgs",
    "authorize",
    "limited_file_hooks",
    "parse_json_payload",
    "read_body",
]

#: Largest JSON (or raw) request body accepted, unless the event sets ``max_body_size``.
DEFAULT_MAX_BODY_SIZE = 1024 * 1024
#: Largest multipart upload accepted, unless the event sets ``max_body_size``.
DEFAULT_MAX_UPLOAD_SIZE = 100 * 1024 * 1024


class PayloadTooLarge(BaseException):
    """The request body is larger than the event accepts: answered with 413.

    A ``BaseException``, like ``BadRequest``, so steps reading an upload with ``except Exception``
    do not swallow it.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(f"Request body too large: the limit is {limit} bytes")
        self.limit = limit


def _credentials(request: web.Request, methods: List[AuthType], app_key: str) -> str:
    for method in methods:
        if method in (AuthType.BASIC, AuthType.BEARER):
            header = request.headers.get("Authorization")
            if header:
                return header
        elif method == AuthType.REFRESH:
            cookie = request.cookies.get(f"{app_key}.refresh")
            if cookie:
                return cookie
        elif method == AuthType.UNSECURED:
            return "Unsecured -"
    return "Unsecured -"


def authorize(context: EventContext, request: web.Request, methods: List[AuthType]) -> None:
    """Check the request credentials against the event's auth methods; fill ``context.auth_info``.

    Credentials come from the first method that finds some: ``Authorization`` header for Basic and
    Bearer, the ``<app_key>.refresh`` cookie for Refresh, ``Unsecured -`` for Unsecured.

    :raises BadRequest: credentials are not ``<scheme> <data>``.
    :raises Unauthorized: no method of the event accepts them (message: the scheme sent).
    """
    info = context.auth_info
    if methods == [AuthType.UNSECURED]:  # the common case needs no parsing and no token library
        info["auth_type"] = AuthType.UNSECURED
        info["allowed"] = True
        return
    parts = _credentials(request, methods, context.app_key).split(" ")
    if len(parts) != 2:
        raise BadRequest("Malformed Authorization")
    scheme, data = parts
    info["allowed"] = False
    for method in methods:
        if method.value.lower() == scheme.lower():
            if method == AuthType.UNSECURED:
                info["auth_type"] = method
                info["allowed"] = True
            else:
                from hopeit.toolkit.auth import validate_auth_method  # jwt is loaded only when used

                validate_auth_method(method, data, context)
            if info.get("allowed"):
                return
    raise Unauthorized(scheme)


def _is_list(datatype: Any) -> bool:
    origin = getattr(datatype, "__origin__", None)
    if origin is Union:
        return any(_is_list(arg) for arg in datatype.__args__ if arg is not type(None))
    return origin in (list, List)


class QueryArgs:
    """Query args of a request as keyword arguments: declared ones converted to their types."""

    __slots__ = ("adapters", "lists")

    def __init__(self, declared: Optional[Dict[str, Any]] = None) -> None:
        self.adapters: Dict[str, Any] = {}
        self.lists: Dict[str, bool] = {}
        for name, datatype in (declared or {}).items():
            if datatype is str:
                continue
            self.adapters[name] = adapter(datatype)
            self.lists[name] = _is_list(datatype)

    def parse(self, request: web.Request, skip: Optional[str] = None) -> Dict[str, Any]:
        """``{name: value}`` of the query string; values of undeclared args stay strings.

        :raises BadRequest: a declared arg cannot be converted (the message names it).
        """
        if "?" not in request.raw_path:
            return {}  # no query string: no need for aiohttp to parse one
        query = request.query
        if not query:
            return {}
        args: Dict[str, Any] = {k: v for k, v in query.items() if k != skip}
        for name, type_adapter in self.adapters.items():
            if name not in args:
                continue
            raw: Any = query.getall(name) if self.lists[name] else args[name]
            try:
                args[name] = type_adapter.validate_python(raw)
            except ValueError as exc:
                problems = getattr(exc, "errors", None)
                detail = problems()[0]["msg"] if callable(problems) else str(exc)
                raise BadRequest(f"Invalid query arg {name}={args[name]!r}: {detail}") from None
        return args


async def read_body(request: web.Request, limit: int) -> bytes:
    """The request body, refusing bodies over ``limit`` bytes before and while reading them.

    :raises PayloadTooLarge: the body (declared or received) exceeds ``limit``.
    """
    length = request.content_length
    if length is not None:
        if length > limit:
            raise PayloadTooLarge(limit)
        return await request.read()  # the declared size is within the limit
    if not request.body_exists:
        return b""
    chunks = []
    size = 0
    async for chunk in request.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(limit)
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def parse_json_payload(body: bytes, datatype: Any) -> Any:
    """Body parsed and validated into ``datatype`` (atomic types are read from ``{"value": ...}``).

    :raises BadRequest: malformed JSON, or a value that does not match the type (fields named).
    """
    try:
        return Payload.from_json(body, datatype)
    except (ValueError, TypeError) as exc:
        raise BadRequest(str(exc)) from None


class _Budget:
    __slots__ = ("left", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit


class _LimitedFileHook(PreprocessFileHook):
    """A file of a multipart upload that stops the request when the upload grows over the limit."""

    def __init__(self, *, name: str, file_name: str, data: Any, budget: _Budget) -> None:
        super().__init__(name=name, file_name=file_name, data=data)
        self._budget = budget

    async def _next_chunk(self, chunk_size: int) -> bytes:
        chunk = await super()._next_chunk(chunk_size)
        self._budget.left -= len(chunk)
        if self._budget.left < 0:
            raise PayloadTooLarge(self._budget.limit)
        return chunk


def limited_file_hooks(request: web.Request, limit: int) -> Callable[..., PreprocessFileHook]:
    """A file hook factory for ``PreprocessHook`` counting upload bytes against ``limit``.

    :raises PayloadTooLarge: the declared request size already exceeds ``limit``.
    """
    length = request.content_length
    if length is not None and length > limit:
        raise PayloadTooLarge(limit)
    budget = _Budget(limit)

    def factory(*, name: str, file_name: str, data: Any) -> PreprocessFileHook:
        return _LimitedFileHook(name=name, file_name=file_name, data=data, budget=budget)

    return factory
