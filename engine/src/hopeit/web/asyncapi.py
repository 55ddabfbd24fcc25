"""Serves the AsyncAPI document of the apps' streams beside the OpenAPI spec.

With a spec active (``--api-auto`` or ``--api-file``) and ``api.docs_path`` set, the document
(``hopeit.server.asyncapi``) is at ``<docs_path>/asyncapi.json``, next to the OpenAPI spec of the
docs UI (``<docs_path>/swagger.json``). Its title, version and description are those of the
OpenAPI spec. It is built on the first request (the event modules are loaded by then) and kept.
"""

import json
from typing import Any, Dict, Optional

from aiohttp import web
from hopeit.server.asyncapi import asyncapi_document
from hopeit.web.state import WebState

__all__ = ["add_asyncapi_route", "asyncapi_path"]


def asyncapi_path(docs_path: Optional[str]) -> Optional[str]:
    """Route of the document under ``api.docs_path`` (None: no docs path, nothing served)."""
    return f"{docs_path.rstrip('/')}/asyncapi.json" if docs_path else None


def add_asyncapi_route(web_app: web.Application, state: WebState, info: Dict[str, Any]) -> Optional[str]:
    """Add ``GET <docs_path>/asyncapi.json``; returns its path, or None when no docs path is set.

    ``info``: the OpenAPI spec's ``info`` (title, version, description), used for the document too.
    """
    path = asyncapi_path(state.server_config.api.docs_path)
    if path is None:
        return None
    built: Dict[str, bytes] = {}

    async def asyncapi_json(request: web.Request) -> web.Response:
        body = built.get("body")
        if body is None:
            document = asyncapi_document(
                state.server_config, state.apps, title=info.get("title"), version=info.get("version"),
                description=info.get("description"), enabled_groups=state.enabled_groups,
            )
            body = built["body"] = json.dumps(document).encode()
        return web.Response(body=body, content_type="application/json")

    web_app.router.add_get(path, asyncapi_json)
    return path
