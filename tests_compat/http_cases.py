"""The HTTP requests both engines answer in test_http.py, and how an answer is recorded for comparison."""

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

import aiohttp

__all__ = ["CASES", "Case", "record"]

ROUTE = "/api/legacy-app/1x0"

SOMETHING = {
    "id": "item1",
    "user": {"id": "u1", "name": "User One"},
    "status": {"ts": "2020-05-01T00:00:00+00:00", "type": "NEW"},
    "price": 2.5,
    "tags": {"a": "b"},
}

#: Headers compared as they are (others, like Date or Server, differ by nature).
COMPARED_HEADERS = ("Content-Type", "Content-Disposition", "Content-Length", "X-Stream-Name",
                    "X-Track-Request-Id", "X-Track-Caller", "Access-Control-Allow-Origin")


@dataclass(frozen=True)
class Case:
    """One request: method, path (under the app route unless it starts with ``//``), query, body."""

    method: str
    path: str
    query: Dict[str, str] = field(default_factory=dict)
    json_body: Optional[Any] = None
    raw_body: Optional[bytes] = None
    multipart: bool = False

    def url(self, base_url: str) -> str:
        """Absolute URL of the request on a server at ``base_url``."""
        path = self.path[1:] if self.path.startswith("//") else f"{ROUTE}/{self.path}"
        return base_url + path


CASES: Dict[str, Case] = {
    "post.echo": Case("POST", "echo", json_body={"text": "hello", "length": 0}),
    "post.echo.extra_key": Case("POST", "echo", json_body={"text": "hi", "length": 0, "other": 1}),
    "post.echo.wrong_type": Case("POST", "echo", json_body={"text": ["x"], "length": "many"}),
    "post.echo.missing_field": Case("POST", "echo", json_body={"length": 1}),
    "post.echo.not_json": Case("POST", "echo", raw_body=b"{nope"),
    "post.echo.empty": Case("POST", "echo", raw_body=b""),
    "get.greet": Case("GET", "greet", {"name": "ann", "times": "2"}),
    "get.greet.missing_arg": Case("GET", "greet"),
    "get.greet.unknown_arg": Case("GET", "greet", {"name": "ann", "bogus": "1"}),
    "get.numbers.list": Case("GET", "numbers", {"kind": "list"}),
    "get.numbers.dict": Case("GET", "numbers", {"kind": "dict"}),
    "get.numbers.count": Case("GET", "numbers", {"kind": "count"}),
    "get.fail.bad": Case("GET", "fail", {"mode": "bad"}),
    "get.fail.unauthorized": Case("GET", "fail", {"mode": "unauthorized"}),
    "get.fail.value": Case("GET", "fail", {"mode": "value"}),
    "get.fail.crash": Case("GET", "fail", {"mode": "crash"}),
    "post.save_something": Case("POST", "save-something", json_body=SOMETHING),
    "get.query_something": Case("GET", "query-something", {"item_id": "item1"}),
    "get.query_something.not_found": Case("GET", "query-something", {"item_id": "nope"}),
    "post.collect": Case("POST", "collect", json_body={"item1_id": "item1", "item2_id": "nope"}),
    "post.spawn_shuffle": Case("POST", "spawn-shuffle", json_body=SOMETHING),
    "post.publish": Case("POST", "publish", json_body=SOMETHING),
    "multipart.upload": Case("POST", "upload", multipart=True),
    "get.download": Case("GET", "download", {"chunks": "3"}),
    "get.unknown_route": Case("GET", "//api/legacy-app/1x0/nope"),
    "post.on_get_route": Case("POST", "greet", {"name": "ann"}, json_body={}),
}


def _body(raw: bytes, content_type: str) -> Any:
    if content_type.startswith("application/octet-stream"):
        return {"bytes": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    return raw.decode("utf-8", errors="replace")


async def record(session: aiohttp.ClientSession, base_url: str, case: Case) -> Dict[str, Any]:
    """Send ``case`` to the server at ``base_url``; what came back, in a comparable form."""
    headers = {"X-Track-Request-Id": "compat-request", "X-Track-Caller": "compat-test"}
    data: Any = case.raw_body
    if case.multipart:
        form = aiohttp.FormData()
        form.add_field("id", "up1")
        form.add_field("attachment", b"12345", filename="a.bin", content_type="application/octet-stream")
        data = form
    elif case.json_body is not None:
        data = json.dumps(case.json_body)
        headers["Content-Type"] = "application/json"
    async with session.request(case.method, case.url(base_url), params=case.query, data=data,
                               headers=headers) as response:
        raw = await response.read()
        content_type = response.headers.get("Content-Type", "")
        return {
            "status": response.status,
            "headers": {name: response.headers[name] for name in COMPARED_HEADERS if name in response.headers},
            "body": _body(raw, content_type),
        }
