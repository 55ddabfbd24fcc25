"""aiohttp-swagger3 wiring: docs UI, spec check, and request validation of documented routes.

aiohttp-swagger3 validates query args, headers, cookies and credentials against the spec. Request
bodies are left out of its copy of the spec: the web layer parses them with pydantic, which names
each invalid field, and accepts bodies whatever their declared content type (as without a spec).
"""

import copy
import functools
import json
import warnings
from pathlib import Path
from typing import AbstractSet, Any, Awaitable, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple

from aiohttp import web
from aiohttp_swagger3.routes import _SWAGGER_SPECIFICATION
from aiohttp_swagger3.swagger import Swagger, _handle_swagger_call
from aiohttp_swagger3.swagger_route import SwaggerRoute
from hopeit.app.api import APIError

__all__ = ["ValidationHints", "install_swagger", "validate_spec", "validating_handler"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: Where aiohttp-swagger3 leaves validated values on the request (typed key where aiohttp has them).
REQUEST_KEY: Any = web.RequestKey("data", dict) if hasattr(web, "RequestKey") else "data"


class ValidationHints(NamedTuple):
    """Where request validation departs from the documented spec, which keeps 0.24's shapes.

    ``optional_credentials``: ``(path, method)`` of operations whose event also takes ``Unsecured``
    (documented, as in 0.24, with one alternative per other method): the validator gets the empty
    alternative too, so requests without credentials reach the event, which decides.
    ``query_schemas``: ``(path, method, name)`` -> schema of query args validated differently
    (``List[T]`` args, documented as strings, validated as arrays).
    """

    optional_credentials: AbstractSet[Tuple[str, str]] = frozenset()
    query_schemas: Mapping[Tuple[str, str, str], Dict[str, Any]] = {}


def _validation_copy(spec: Dict[str, Any], hints: ValidationHints) -> Dict[str, Any]:
    """The spec aiohttp-swagger3 validates with: no request bodies, and ``hints`` applied."""
    result = copy.deepcopy(spec)
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if not isinstance(operation, dict):
                continue
            operation.pop("requestBody", None)
            security = operation.get("security")
            if (path, method) in hints.optional_credentials and security and {} not in security:
                security.append({})
            for param in operation.get("parameters", []):
                schema = hints.query_schemas.get((path, method, param.get("name"))) if param.get("in") == "query" \
                    else None
                if schema is not None:
                    param["schema"] = copy.deepcopy(schema)
    return result


@functools.lru_cache(maxsize=1)
def _spec_checker() -> Callable[[Any], Any]:
    import aiohttp_swagger3
    import fastjsonschema

    schema = json.loads((Path(aiohttp_swagger3.__file__).parent / "schema" / "schema.json").read_text())
    return fastjsonschema.compile(  # type: ignore[no-any-return]
        schema, formats={"uri-reference": r"^\w+:(\/?\/?)[^\s]+\Z|^#(\/\w+)+"}
    )


def _problems(checker: Callable[[Any], Any], spec: Dict[str, Any]) -> List[str]:
    import fastjsonschema

    try:
        checker(copy.deepcopy(spec))  # the checker fills in defaults: keep the spec as it is
    except fastjsonschema.JsonSchemaException as exc:
        return [str(exc)]
    return []


def validate_spec(spec: Dict[str, Any]) -> List[str]:
    """Problems that make ``spec`` invalid OpenAPI 3.0 (empty when valid)."""
    return _problems(_spec_checker(), spec)


def install_swagger(
    app: web.Application,
    spec: Dict[str, Any],
    docs_settings: Optional[Any],
    hints: Optional[ValidationHints] = None,
) -> Swagger:
    """Docs UI (when ``docs_settings``) and the validator over ``spec`` adjusted by ``hints``.

    :raises APIError: the spec is not valid OpenAPI 3.0.
    """
    import fastjsonschema

    with warnings.catch_warnings():
        # aiohttp-swagger3 keeps its state under plain string keys of the app
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        try:
            swagger = Swagger(
                app,
                validate=True,
                spec=_validation_copy(spec, hints or ValidationHints()),
                request_key=REQUEST_KEY,
                swagger_ui_settings=None,
                redoc_ui_settings=None,
                rapidoc_ui_settings=docs_settings,
            )
        except fastjsonschema.JsonSchemaException as exc:
            raise APIError(f"API spec is not valid OpenAPI 3.0: {exc}") from None
        # aiohttp-swagger3 checked the copy it validates requests with (no request bodies) against
        # the OpenAPI 3.0 schema, with a checker it compiled for that: check the documented spec
        # with the same one (compiling that schema again would take a quarter of a second and
        # tens of MiB more)
        problems = _problems(swagger.spec_validate, spec)
        if problems:
            raise APIError(f"API spec is not valid OpenAPI 3.0: {problems[0]}")
        app[_SWAGGER_SPECIFICATION] = spec  # the docs show the full spec, request bodies included
    # aiohttp-swagger3 uses the checker only while it starts: let it go, and hand the heap that
    # compiling it took (tens of MiB, freed by now) back to the system
    swagger.spec_validate = None
    _return_freed_heap()
    return swagger


def _return_freed_heap() -> None:
    """Give the C heap's free memory back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    Freed blocks otherwise stay with the process, counted in its resident memory, until it reuses them.
    """
    import ctypes

    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS) or no C library by that name
        return
    trim(0)


def validating_handler(swagger: Swagger, method: str, path: str, handler: Handler) -> Handler:
    """``handler`` behind aiohttp-swagger3's validation of ``method`` on ``path``.

    Invalid requests raise ``RequestValidationFailed`` (an ``HTTPBadRequest`` carrying ``errors``).
    """

    # aiohttp-swagger3 reads the handler's parameter names from its code object: give it a plain
    # function taking ``request`` (the target travels as a default value, not in a closure)
    async def call(request: web.Request, _target: Handler = handler) -> web.StreamResponse:
        return await _target(request)

    route = SwaggerRoute(method, path, call, swagger=swagger)
    return functools.partial(_handle_swagger_call, route)
