"""The baseline: bare aiohttp serving the bench routes, validating with pydantic like hopeit does.

``python -m web_bench_app.bare_server PORT [--track]``; ``--track`` also answers the headers hopeit
echoes for tracking (two new ids, a timestamp and the app), to tell what that part of the 0.24
contract costs apart from the rest.
"""

import itertools
import sys
from datetime import datetime, timezone

from aiohttp import web
from pydantic import TypeAdapter

from web_bench_app import Nested, Small

SMALL = TypeAdapter(Small)
NESTED = TypeAdapter(Nested)
TRACK = "--track" in sys.argv
COUNTER = itertools.count()
PREFIX = "/api/bench/1x0"


def json_response(body: bytes) -> web.Response:
    """A JSON answer, with the tracking headers when ``--track`` was given."""
    if not TRACK:
        return web.Response(body=body, content_type="application/json")
    return web.Response(body=body, headers={
        "X-Track-Operation-Id": f"6f1c1d2e-4a3b-4c5d-8e9f-{next(COUNTER):012x}",
        "X-Track-Request-Id": f"6f1c1d2e-4a3b-4c5d-8e9f-{next(COUNTER):012x}",
        "X-Track-Request-Ts": datetime.now(tz=timezone.utc).isoformat(),
        "X-Event-App": "bench.1x0",
        "Content-Type": "application/json",
    })


async def get_small(request: web.Request) -> web.Response:
    """GET: a small data object."""
    return json_response(SMALL.dump_json(Small(id="item-1", count=42, label="a small data object")))


async def get_query(request: web.Request) -> web.Response:
    """GET with a required query argument."""
    item_id = request.query.get("item_id")
    if item_id is None:
        return web.Response(status=400, text="missing item_id")
    return json_response(SMALL.dump_json(Small(id=item_id, count=42, label="a small data object")))


async def post_nested(request: web.Request) -> web.Response:
    """POST: validate the body and echo it."""
    try:
        payload = NESTED.validate_json(await request.read())
    except ValueError as exc:
        return web.Response(status=400, text=str(exc))
    return json_response(NESTED.dump_json(payload, exclude_none=True))


def main() -> None:
    """Serve on loopback, port from the command line."""
    app = web.Application()
    app.router.add_get(f"{PREFIX}/get-plain", get_small)
    app.router.add_get(f"{PREFIX}/get-async", get_small)
    app.router.add_get(f"{PREFIX}/get-query", get_query)
    app.router.add_post(f"{PREFIX}/post-plain", post_nested)
    app.router.add_post(f"{PREFIX}/post-async", post_nested)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)


if __name__ == "__main__":
    main()
