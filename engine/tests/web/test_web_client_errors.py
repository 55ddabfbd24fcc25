"""Client errors answer 400 with an ``ErrorInfo`` body saying what was wrong, never 500.

Undeclared query args, storage keys that are not plain names, and malformed multipart bodies
(invalid JSON part, unknown charset, invalid UTF-8, nested or truncated bodies).
"""

import json
from typing import Any, Dict

import pytest
from web_support import BASE, MakeClient

BOUNDARY = "b0undary"
MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


async def _error(resp: Any, status: int = 400) -> str:
    assert resp.status == status, await resp.text()
    body: Dict[str, Any] = json.loads(await resp.text())  # sent as text/plain, as 0.24 did
    assert set(body) == {"msg", "tb"}
    msg: str = body["msg"]
    # BadRequest: its exception line (as 0.24), other client errors nothing; never a trace
    assert body["tb"] in ([], [f"hopeit.app.errors.BadRequest: {msg}\n"]), body["tb"]
    return msg


async def test_undeclared_query_arg_of_event_declaring_its_args_is_400(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/get-item", params={"item_id": "a1", "count": "1", "foo": "bar"})
    msg = await _error(resp)
    assert msg == "Unknown query arg 'foo': get_item accepts color, count, day, flag, item_id, tags"


@pytest.mark.parametrize("name", ["context", "foo"])
async def test_query_arg_the_step_does_not_take_is_400(web_client: MakeClient, name: str) -> None:
    client = await web_client()
    # with_hooks declares no query args: its step takes ``status`` only (and a GET event ``payload``)
    resp = await client.get(f"{BASE}/with-hooks", params={name: "x"})
    assert await _error(resp) == f"Unknown query arg {name!r}: with_hooks accepts status"
    resp = await client.get(f"{BASE}/with-hooks", params={"status": "201"})
    assert resp.status == 201


async def test_query_arg_named_like_a_positional_parameter_is_400_even_with_kwargs(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/get-plain", params={"context": "x"})  # echo(payload, context, **query_args)
    assert await _error(resp) == "Unknown query arg 'context': get_plain accepts any name but context"
    resp = await client.get(f"{BASE}/get-plain", params={"payload": "p", "anything": "y"})
    assert resp.status == 200  # 0.24: other names still reach a step taking **kwargs, as strings


async def test_query_arg_of_event_taking_none_is_400(web_client: MakeClient) -> None:
    client = await web_client()
    for name in ("foo", "payload", "context"):
        resp = await client.post(f"{BASE}/post-item?{name}=bar", json={"id": "i1", "count": 1})
        assert await _error(resp) == f"Unknown query arg {name!r}: post_item accepts no query args"


async def test_query_arg_of_multipart_event_checked_against_preprocess_and_step(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.post(f"{BASE}/upload?x=1", data=b"", headers=MULTIPART)
    assert await _error(resp) == "Unknown query arg 'x': upload accepts no query args"


@pytest.mark.parametrize("key, rule", [
    ("..", "'.' and '..' are not names"),
    ("/etc/passwd", "it contains '/' or '\\'"),
    ("a\x00b", "it contains a NUL character"),
])
async def test_storage_key_error_is_400_with_the_message(web_client: MakeClient, key: str, rule: str) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/stored", params={"key": key})
    msg = await _error(resp)
    assert msg.startswith("memory storage key ") and rule in msg
    resp = await client.get(f"{BASE}/stored", params={"key": "fine"})
    assert await resp.json() == {"stored": "missing"}


def _body(*parts: bytes, end: bool = True) -> bytes:
    body = b"".join(b"--" + BOUNDARY.encode() + b"\r\n" + part + b"\r\n" for part in parts)
    return body + (b"--" + BOUNDARY.encode() + b"--\r\n" if end else b"")


def _field(name: str, value: bytes, content_type: str = "text/plain") -> bytes:
    return (f'Content-Disposition: form-data; name="{name}"\r\nContent-Type: {content_type}\r\n\r\n').encode() + value


@pytest.mark.parametrize("part, problem", [
    (_field("meta", b'{"k": ', "application/json"), "Multipart field 'meta' is not valid JSON"),
    (_field("name", b"caf\xe9", "text/plain; charset=utf-8"), "Multipart field 'name' is not valid utf-8 text"),
    (_field("name", b"x", "text/plain; charset=no-such-charset"),
     "Multipart field 'name' has an unknown charset 'no-such-charset'"),
    (_field("meta", b'{"k": "\xff"}', "application/json"), "Multipart field 'meta' is not valid utf-8 text"),
    (b'Content-Disposition: form-data; name="inner"\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n'
     b"--zz\r\n\r\nx\r\n--zz--", "Multipart part 'inner' is itself multipart: nested parts are not accepted"),
    (b"Content-Type: text/plain\r\n\r\nno name", "Multipart part without a name"),
    (_field("name", b"x") .replace(b"text/plain", b"text/plain\r\nContent-Transfer-Encoding: rot13"),
     "Multipart field 'name' has an unknown Content-Transfer-Encoding 'rot13'"),
])
async def test_malformed_multipart_part_is_400(web_client: MakeClient, part: bytes, problem: str) -> None:
    client = await web_client()
    resp = await client.post(f"{BASE}/upload", data=_body(part), headers=MULTIPART)
    msg = await _error(resp)
    assert msg.startswith(problem), msg


@pytest.mark.parametrize("body", [
    _body(_field("name", b"a"), end=False),  # no closing boundary
    _body(_field("name", b"a"), end=False)[:-10],  # cut inside the part
    b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: form-da",  # cut inside the headers
    b"no boundary at all",
])
async def test_truncated_multipart_body_is_400(web_client: MakeClient, body: bytes) -> None:
    client = await web_client()
    resp = await client.post(f"{BASE}/upload", data=body, headers=MULTIPART)
    msg = await _error(resp)
    assert msg.startswith("Malformed multipart body: "), msg
