"""Reading a request: credentials, query args and JSON bodies (multipart uploads: ``web_multipart``)."""

import inspect
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple, Union

from aiohttp import web
from hopeit.app.context import EventContext
from hopeit.app.errors import BadRequest, Unauthorized
from hopeit.contracts import codecs
from hopeit.contracts.codecs import StoredPayload
from hopeit.dataobjects.adapters import adapter
from hopeit.dataobjects.payload import Payload
from hopeit.server.config import AuthType
from hopeit.server.step_info import CollectorStepInfo

__all__ = [
    "ANY_ARGS",
    "DEFAULT_MAX_BODY_SIZE",
    "AcceptedArgs",
    "PayloadTooLarge",
    "QueryArgs",
    "authorize",
    "event_query_args",
    "parse_json_payload",
    "read_body",
    "string_query_args",
]

#: Largest JSON (or raw) request body accepted, unless the event sets ``max_body_size``.
DEFAULT_MAX_BODY_SIZE = 1024 * 1024


class PayloadTooLarge(BaseException):
    """The request body is larger than the event accepts: answered with 413.

    A ``BaseException``, like ``BadRequest``, so steps reading an upload with ``except Exception``
    do not swallow it.
    """

    def __init__(self, limit: int, message: Optional[str] = None) -> None:
        super().__init__(message or f"Request body too large: the limit is {limit} bytes")
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
    :raises Unauthorized: no method of the event accepts them; the message says what was missing
        or wrong (no credentials, a scheme the event does not take, an expired or forged token).
    """
    info = context.auth_info
    if methods == [AuthType.UNSECURED]:  # the common case needs no parsing and no token library
        info["auth_type"] = AuthType.UNSECURED
        info["allowed"] = True
        return
    parts = _credentials(request, methods, context.app_key).split(" ")
    if len(parts) != 2:
        raise BadRequest("Malformed Authorization: expected '<scheme> <credentials>', as 'Bearer <token>'")
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
            raise Unauthorized(f"{method.value} credentials refused: {info.pop('refused', 'not valid')}")
    accepted = " or ".join(m.value for m in methods)
    if scheme == "Unsecured":
        raise Unauthorized(f"Credentials required: this endpoint accepts {accepted}")
    raise Unauthorized(f"{scheme[:20]} credentials are not accepted here: send {accepted}")


def _is_list(datatype: Any) -> bool:
    origin = getattr(datatype, "__origin__", None)
    if origin is Union:
        return any(_is_list(arg) for arg in datatype.__args__ if arg is not type(None))
    return origin in (list, List)


class AcceptedArgs:
    """Names of the query args an event takes: a fixed set, or any name but some (``**kwargs``).

    Worked out once per route from the signatures of the functions that receive query args as
    keyword arguments (``__preprocess__`` and the first step), or from the names declared with
    ``event_api(query_args=...)``.
    """

    __slots__ = ("any_other", "names", "refused", "required")

    def __init__(
        self, names: Iterable[str] = (), *, any_other: bool = False, refused: Iterable[str] = (),
        required: Iterable[str] = (),
    ) -> None:
        self.names: FrozenSet[str] = frozenset(() if any_other else names)
        self.any_other = any_other
        self.refused: FrozenSet[str] = frozenset(refused if any_other else ())
        #: names that must be given: keyword parameters without a default
        self.required: FrozenSet[str] = frozenset(required)

    def accepts(self, name: str) -> bool:
        """Whether ``name`` can be passed as a keyword argument."""
        return name in self.names or (self.any_other and name not in self.refused)

    def __and__(self, other: "AcceptedArgs") -> "AcceptedArgs":
        """Names both accept, and those either requires (query args reach every receiver)."""
        required = self.required | other.required
        if self.any_other and other.any_other:
            return AcceptedArgs(any_other=True, refused=self.refused | other.refused, required=required)
        if self.any_other or other.any_other:
            fixed, anything = (other, self) if self.any_other else (self, other)
            return AcceptedArgs((name for name in fixed.names if anything.accepts(name)), required=required)
        return AcceptedArgs(self.names & other.names, required=required)

    def requiring(self, required: Iterable[str]) -> "AcceptedArgs":
        """The same names, with ``required`` as the names that must be given."""
        return AcceptedArgs(self.names, any_other=self.any_other, refused=self.refused, required=required)

    def describe(self, ignored: Optional[str] = None) -> str:
        """``"color, count"``, ``"no query args"`` or ``"any name but context"``, for error messages."""
        if self.any_other:
            refused = sorted(name for name in self.refused if name != ignored)
            return f"any name but {', '.join(refused)}" if refused else "any name"
        return ", ".join(sorted(self.names)) if self.names else "no query args"

    @staticmethod
    def of_function(func: Callable[..., Any], positional: int) -> "AcceptedArgs":
        """Keyword arguments ``func`` takes after its first ``positional`` arguments.

        The names of those positional parameters (``payload``, ``context``...) are refused even
        with ``**kwargs``: passing them again as keywords would fail.
        """
        try:
            params = list(inspect.signature(func).parameters.values())
        except (TypeError, ValueError):  # no signature to read: do not restrict what it gets
            return AcceptedArgs(any_other=True)
        names, refused, required, any_other, filled = [], [], [], False, 0
        for param in params:
            if param.kind == param.VAR_POSITIONAL:
                filled = positional
            elif param.kind == param.VAR_KEYWORD:
                any_other = True
            elif param.kind == param.POSITIONAL_ONLY:
                filled += 1
            elif filled < positional and param.kind == param.POSITIONAL_OR_KEYWORD:
                filled += 1
                refused.append(param.name)
            else:
                names.append(param.name)
                if param.default is param.empty:
                    required.append(param.name)
        if any_other:
            return AcceptedArgs(any_other=True, refused=refused, required=required)
        return AcceptedArgs(names, required=required)


#: What a route accepts when nothing restricts its query args.
ANY_ARGS = AcceptedArgs(any_other=True)


def _first_steps(loaded: Any, *, get: bool) -> List[Any]:
    """Step infos of the steps that may take the request's payload, and so its query args."""
    chain = loaded.chain
    first = {0} if chain.steps else set()
    if get:
        first |= {i for i in (chain.find_next(0, None), chain.find_next(0, "")) if i >= 0}
    return [chain.steps[index][1] for index in sorted(first)]


def event_query_args(loaded: Any, *, get: bool) -> AcceptedArgs:
    """Query args the functions receiving them as keywords take: ``__preprocess__`` and the first step.

    ``loaded`` is the event's ``LoadedEvent``. The first step is the one that takes the request's
    payload: the first of the chain, and for GET events (``get``) also the first taking ``None``
    (no ``payload`` arg) or a ``str``.
    """
    accepted = ANY_ARGS
    required: FrozenSet[str] = frozenset()
    if loaded.preprocess is not None:
        accepted &= AcceptedArgs.of_function(loaded.preprocess.func, 3)  # payload, context, request
        required = accepted.required
    runs_first: List[FrozenSet[str]] = []
    for info in _first_steps(loaded, get=get):
        # a collector takes no keyword arguments
        step = AcceptedArgs() if isinstance(info, CollectorStepInfo) else AcceptedArgs.of_function(info.func, 2)
        accepted &= step
        runs_first.append(step.required)
    # only one of the first steps runs: a name is required when each of them requires it
    return accepted.requiring(required.union(frozenset.intersection(*runs_first) if runs_first else ()))


_STRING_ANNOTATIONS = (str, "str", Optional[str], "Optional[str]", inspect.Parameter.empty)


def string_query_args(loaded: Any, *, get: bool, names: Iterable[str]) -> FrozenSet[str]:
    """Of ``names``, those that a receiving function takes as a string: annotated ``str`` or not at all.

    0.24 passed every query arg as the string sent, whatever ``event_api`` declared, and steps
    written for it annotate such args ``str`` (or leave them bare) and convert them themselves;
    they keep getting the string (validated against the declared type all the same).
    """
    functions = [info.func for info in _first_steps(loaded, get=get) if not isinstance(info, CollectorStepInfo)]
    if loaded.preprocess is not None:
        functions.append(loaded.preprocess.func)
    found: Set[str] = set()
    for func in functions:
        try:
            params = inspect.signature(func).parameters
        except (TypeError, ValueError):
            continue
        found.update(name for name in names
                     if name in params and any(params[name].annotation == a for a in _STRING_ANNOTATIONS))
    return frozenset(found)


class QueryArgs:
    """Query args of a request as keyword arguments: declared ones converted to their types.

    Names the event does not take are refused with 400, naming the accepted ones: those declared
    with ``event_api(query_args=...)`` when there are any, else those the receiving functions
    take. The check is a set lookup per arg, made only for requests with a query string. Names the
    receiving functions require (no default value) are checked too: a request without one of them
    is refused with 400 naming it (0.24 failed calling the step: 500).
    """

    __slots__ = ("accepted", "adapters", "event_name", "lists", "required", "skip", "strings")

    def __init__(
        self,
        declared: Optional[Dict[str, Any]] = None,
        *,
        accepted: AcceptedArgs = ANY_ARGS,
        event_name: str = "",
        skip: Optional[str] = None,
        strings: FrozenSet[str] = frozenset(),
    ) -> None:
        #: declared args the step takes as the string sent (validated, not converted: see ``string_query_args``)
        self.strings = strings
        self.adapters: Dict[str, Any] = {}
        self.lists: Dict[str, bool] = {}
        for name, datatype in (declared or {}).items():
            if datatype is str:
                continue
            self.adapters[name] = adapter(datatype)
            self.lists[name] = _is_list(datatype)
        #: names that must be given, sorted for the message
        self.required: Tuple[str, ...] = tuple(sorted(name for name in accepted.required if name != skip))
        if declared:
            accepted = AcceptedArgs(declared)
        #: None when any name is taken: no check at all
        self.accepted: Optional[AcceptedArgs] = None if accepted.any_other and not accepted.refused else accepted
        self.event_name = event_name
        #: the arg that is not a keyword argument (a GET event's ``payload``)
        self.skip = skip

    def parse(self, request: web.Request) -> Dict[str, Any]:
        """``{name: value}`` of the query string; values of undeclared args stay strings.

        :raises BadRequest: a declared arg cannot be converted, the event does not take an arg
            (the message names it, and the accepted ones), or a required arg is missing.
        """
        if "?" not in request.raw_path or not request.query:  # no need for aiohttp to parse no query string
            return self._complete({}) if self.required else {}
        query = request.query
        skip = self.skip
        args: Dict[str, Any] = dict(query)  # a repeated arg gives its first value, as in 0.24
        if skip is not None:
            args.pop(skip, None)
        accepted = self.accepted
        if accepted is not None:
            for name in args:
                if not accepted.accepts(name):
                    raise BadRequest(
                        f"Unknown query arg {name!r}: {self.event_name} accepts {accepted.describe(skip)}"
                    )
        for name, type_adapter in self.adapters.items():
            if name not in args:
                continue
            raw: Any = query.getall(name) if self.lists[name] else args[name]
            try:
                value = type_adapter.validate_python(raw)
                if name not in self.strings:
                    args[name] = value
            except ValueError as exc:
                problems = getattr(exc, "errors", None)
                detail = problems()[0]["msg"] if callable(problems) else str(exc)
                raise BadRequest(f"Invalid query arg {name}={args[name]!r}: {detail}") from None
        return self._complete(args) if self.required else args

    def _complete(self, args: Dict[str, Any]) -> Dict[str, Any]:
        """``args``, when they hold every required name."""
        for name in self.required:
            if name not in args:
                raise BadRequest(f"Missing query arg {name!r}: {self.event_name} requires {', '.join(self.required)}")
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

    A type a payload codec handles (``hopeit.contracts.codecs``) is parsed by the codec into a
    ``StoredPayload`` that the engine decodes before the steps run.

    :raises BadRequest: malformed JSON, or a value that does not match the type (fields named).
    """
    try:
        if codecs.REGISTERED and isinstance(datatype, type):
            found = codecs.codec_for(datatype)
            if found is not None:
                return StoredPayload(found[0], found[0].parse_request(body, datatype), datatype)
        return Payload.from_json(body, datatype)
    except (ValueError, TypeError) as exc:
        raise BadRequest(str(exc)) from None
