"""HTTP answers written as hopeit.engine 0.24 writes them: the exact text, status and content type.

Each expected value is what 0.24.0 answered to the same request (observed by running it). Where
ours deliberately differs, the test says so and why: a client error that 0.24 answered 500 is a
400 naming the problem, and a 500 does not show the exception (issue #12).
"""

from typing import Any

from web_support import APP, BASE, PLUGIN, SERVER_AUTH, MakeClient

SESSION = {"X-Track-Session-Id": "s-1"}
#: 0.24's error answers: ErrorInfo JSON (or aiohttp's ``<status>: <reason>``) sent as plain text
ERROR_TYPE = "text/plain; charset=utf-8"


async def _answer(resp: Any) -> Any:
    return resp.status, resp.headers["Content-Type"], await resp.text()


async def test_json_bodies_have_024_separators_escapes_and_content_type(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.post(f"{BASE}/post-item", json={"id": "\u00e9-1", "count": 1, "color": "blue"},
                             headers=SESSION)
    assert await _answer(resp) == (
        200, "application/json", '{"id": "\\u00e9-1", "count": 2, "color": "blue", "note": "s-1"}'
    )
    resp = await client.post(f"{BASE}/post-atomic", json={"value": 21})
    assert await _answer(resp) == (200, "application/json", '{"post_atomic": 42}')
    resp = await client.get(f"{BASE}/get-plain", params={"a": "1"})
    assert await _answer(resp) == (
        200, "application/json", '{"values": {"a": "1"}, "types": {"a": "str"}}'
    )


async def test_text_answer_has_the_content_type_the_event_set(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/with-hooks", params={"status": "201"})
    assert await _answer(resp) == (201, "text/plain", "HELLO 201")  # 0.24: no charset added


async def test_app_errors_are_error_info_text(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/fail", params={"kind": "bad_request"})
    assert await _answer(resp) == (
        400, ERROR_TYPE, '{"msg": "Wrong thing asked", "tb": ["hopeit.app.errors.BadRequest: Wrong thing asked\\n"]}'
    )
    resp = await client.get(f"{BASE}/fail", params={"kind": "unauthorized"})
    assert await _answer(resp) == (
        401, ERROR_TYPE, '{"msg": "Not you", "tb": ["hopeit.app.errors.Unauthorized: Not you\\n"]}'
    )
    # 0.24: {"msg": "Test for error password=s3cret", "tb": ["AssertionError: ..."]}; ours shows nothing (#12)
    resp = await client.get(f"{BASE}/fail", params={"kind": "error"})
    assert await _answer(resp) == (500, ERROR_TYPE, '{"msg": "Internal server error", "tb": []}')


async def test_response_timeout_says_so_as_024(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.get(f"{BASE}/slow", params={"seconds": "5"})
    msg = "Response timeout exceeded seconds=2.0"
    assert await _answer(resp) == (500, ERROR_TYPE, f'{{"msg": "{msg}", "tb": ["TimeoutError: {msg}\\n"]}}')


async def test_malformed_authorization_is_400_and_refused_scheme_401(web_client: MakeClient) -> None:
    client = await web_client([SERVER_AUTH, PLUGIN, APP])
    resp = await client.get(f"{BASE}/whoami-bearer", headers={"Authorization": "Malformed"})
    malformed = "Malformed Authorization: expected '<scheme> <credentials>', as 'Bearer <token>'"
    assert await _answer(resp) == (
        400, ERROR_TYPE, f'{{"msg": "{malformed}", "tb": ["hopeit.app.errors.BadRequest: {malformed}\\n"]}}',
    )
    resp = await client.get(f"{BASE}/whoami-bearer", headers={"Authorization": "Basic abc"})
    refused = "Basic credentials are not accepted here: send Bearer"
    assert await _answer(resp) == (
        401, ERROR_TYPE, f'{{"msg": "{refused}", "tb": ["hopeit.app.errors.Unauthorized: {refused}\\n"]}}',
    )


async def test_unknown_route_and_method_are_aiohttp_plain_text(web_client: MakeClient) -> None:
    """The test app sets ``cors_origin``: its routes also take OPTIONS (0.24 with CORS: the same ``Allow``)."""
    client = await web_client()
    for method in ("GET", "POST"):
        resp = await client.request(method, f"{BASE}/nonexistent")
        assert await _answer(resp) == (404, ERROR_TYPE, "404: Not Found")
    resp = await client.get("/")
    assert await _answer(resp) == (404, ERROR_TYPE, "404: Not Found")
    resp = await client.put(f"{BASE}/post-item", json={})
    assert await _answer(resp) == (405, ERROR_TYPE, "405: Method Not Allowed")
    assert resp.headers["Allow"] == "OPTIONS,POST"
    resp = await client.post(f"{BASE}/pid", json={})
    assert await _answer(resp) == (405, ERROR_TYPE, "405: Method Not Allowed")
    assert resp.headers["Allow"] == "GET,HEAD,OPTIONS"


async def test_head_runs_a_get_event_without_body(web_client: MakeClient) -> None:
    client = await web_client()
    resp = await client.head(f"{BASE}/get-plain", params={"payload": "x"}, headers=SESSION)
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.headers["X-Track-Session-Id"] == "s-1"
    assert await resp.read() == b""


async def test_missing_query_arg_is_400_naming_it(web_client: MakeClient) -> None:
    """0.24 without a spec: 500 ``build() missing 1 required positional argument: 'count'``."""
    client = await web_client()
    resp = await client.get(f"{BASE}/get-item", params={"item_id": "a1"})
    assert await _answer(resp) == (
        400, ERROR_TYPE,
        '{"msg": "Missing query arg \'count\': get_item requires count, item_id", '
        '"tb": ["hopeit.app.errors.BadRequest: Missing query arg \'count\': get_item requires count, item_id\\n"]}',
    )


async def test_unknown_query_arg_is_400_with_and_without_spec(web_client: MakeClient) -> None:
    """0.24: 500 ``build() got an unexpected keyword argument 'foo'``, with a spec or without."""
    params = {"item_id": "a1", "count": "1", "foo": "bar"}
    msg = "Unknown query arg 'foo': get_item accepts color, count, day, flag, item_id, tags"
    expected = (400, ERROR_TYPE, f'{{"msg": "{msg}", "tb": ["hopeit.app.errors.BadRequest: {msg}\\n"]}}')
    client = await web_client()
    assert await _answer(await client.get(f"{BASE}/get-item", params=params)) == expected
    client = await web_client(api_auto=["1.0"])
    assert await _answer(await client.get(f"{BASE}/get-item", params=params, headers=SESSION)) == expected


async def test_spec_validation_failures_are_aiohttp_plain_text(web_client: MakeClient) -> None:
    client = await web_client(api_auto=["1.0"])
    resp = await client.get(f"{BASE}/get-item", params={"item_id": "a"}, headers=SESSION)
    assert await _answer(resp) == (400, ERROR_TYPE, '400: {"count": "is required"}')
    resp = await client.get(f"{BASE}/get-item", params={"item_id": "a", "count": "x"}, headers=SESSION)
    assert await _answer(resp) == (400, ERROR_TYPE, '400: {"count": "value should be type of int"}')


async def test_repeated_query_arg_gives_its_first_value(web_client: MakeClient) -> None:
    """0.24 (no spec): ``?number=5&number=6`` reached the step as ``"5"``."""
    client = await web_client()
    resp = await client.get(f"{BASE}/get-plain", params=[("a", "1"), ("a", "2")])
    assert await resp.json() == {"values": {"a": "1"}, "types": {"a": "str"}}


async def test_declared_args_reach_a_str_parameter_as_the_string_sent(web_client: MakeClient) -> None:
    # 0.24 passed every query arg as a string; steps annotated `str` (or bare) keep getting it, validated
    client = await web_client()
    resp = await client.get(f"{BASE}/legacy-args", params={"page": "5", "ratio": "0.5", "size": "3"})
    assert resp.status == 200
    assert await resp.json() == {"legacy_args": "page='5' ratio='0.5' size=3 next=6"}
    resp = await client.get(f"{BASE}/legacy-args", params={"page": "five"})
    assert resp.status == 400
    assert "Invalid query arg page='five'" in await resp.text()
