from typing import Any, Dict, List

import pytest
from conftest import BASE, FakeHost, Something, SomethingNotFound, caller_config
from hopeit.app.client import AppConnectionNotFound, UnhandledResponse, app_call, app_call_list
from hopeit.app.context import EventContext
from hopeit.app.errors import Unauthorized
from hopeit.apps_client import AppsClient, AppsClientException
from hopeit.testing.apps import create_test_context

TRACK = {"track.request_id": "req-1", "track.operation_id": "op-1", "track.session_id": "sess-1"}


def settings(hosts: List[FakeHost], **values: Any) -> Dict[str, Any]:
    return {"connection_str": ",".join(h.url for h in hosts), "auth_strategy": "UNSECURED",
            "retry_backoff_ms": 1, **values}


def context_of(app_config: Any, event: str = "caller_event", **kwargs: Any) -> EventContext:
    return create_test_context(app_config, event, track_ids=dict(TRACK), **kwargs)


async def test_get_dataobject_with_query_args(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts)))
    context = context_of(app_config)
    result = await app_call("target_conn", event="query_something", datatype=Something, payload=None,
                            context=context, item_id="42", user="ann")
    assert result == Something(id="42", user="ann", host="host0")
    seen = hosts[0].seen[0]
    assert (seen.method, seen.path) == ("GET", f"{BASE}/query-something")
    assert seen.query == {"item_id": ["42"], "user": ["ann"]}


async def test_track_ids_travel_as_headers(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts)))
    await app_call("target_conn", event="query_something", datatype=Something, payload=None,
                   context=context_of(app_config), item_id="1")
    headers = hosts[0].seen[0].headers
    assert headers["X-Track-Request-Id"] == "req-1"
    assert headers["X-Track-Operation-Id"] == "op-1"
    assert headers["X-Track-Session-Id"] == "sess-1"
    assert headers["X-Track-Client-App-Key"] == "caller_app.1x0"
    assert headers["X-Track-Client-Event-Name"] == "caller_event"
    assert headers["Content-Type"] == "application/json"
    assert "Authorization" not in headers


async def test_list_response(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts)))
    items = await app_call_list("target_conn", event="list_somethings", datatype=Something, payload=None,
                                context=context_of(app_config), count=3)
    assert items == [Something(id=str(i), host="host0") for i in range(3)]
    first = await app_call("target_conn", event="list_somethings", datatype=Something, payload=None,
                           context=context_of(app_config), count=3)
    assert first == Something(id="0", host="host1")


async def test_post_payload_and_atomic_response(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts)))
    result = await app_call("target_conn", event="save_something", datatype=str,
                            payload=Something(id="7", user="bob"), context=context_of(app_config), mode="fast")
    assert result == "saved 7 by bob at host0"
    seen = hosts[0].seen[0]
    assert (seen.method, seen.path, seen.query) == ("POST", f"{BASE}/save-something", {"mode": ["fast"]})
    assert seen.body == '{"id": "7", "user": "", "host": ""}'.replace('"user": ""', '"user": "bob"')


async def test_text_plain_response(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts)))
    assert await app_call("target_conn", event="plain_text", datatype=str, payload=None,
                          context=context_of(app_config)) == "plain from host0"


async def test_get_payload_and_query_values(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts)))
    await app_call("target_conn", event="query_something", datatype=Something, payload=Something(id="p"),
                   context=context_of(app_config), item_id="1", ids=["a", "b"], flag=True, n=2, skipped=None)
    query = hosts[0].seen[0].query
    assert query == {"item_id": ["1"], "ids": ["a", "b"], "flag": ["true"], "n": ["2"],
                     "payload": ['{"id": "p", "user": "", "host": ""}']}


async def test_routes_override_and_plugin_routes(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(
        settings(hosts[:1], routes_override={"custom_route": "/custom/route"}), connection={"plugin_name": "a-plugin"}
    ))
    await app_call("target_conn", event="custom_route", datatype=dict, payload=None, context=context_of(app_config))
    await app_call("target_conn", event="plugin_event", datatype=dict, payload=None, context=context_of(app_config))
    assert [s.path for s in hosts[0].seen] == ["/custom/route", f"{BASE}/a-plugin/1x0/plugin-event"]


async def test_responses_mapping(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts)))
    context = context_of(app_config)
    result: Any = await app_call("target_conn", event="query_something", datatype=Something, payload=None,
                                 context=context, responses={404: SomethingNotFound}, item_id="missing1")
    assert result == SomethingNotFound(path="/data", id="missing1")
    found = await app_call("target_conn", event="query_something", datatype=Something, payload=None,
                           context=context, responses={404: SomethingNotFound}, item_id="ok")
    assert found == Something(id="ok", host="host1")


async def test_unmapped_status_is_unhandled_response(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts)))
    with pytest.raises(UnhandledResponse) as err:
        await app_call("target_conn", event="query_something", datatype=Something, payload=None,
                       context=context_of(app_config), item_id="missing2")
    assert str(err.value) == "Missing 404 status handler, use `responses` to handle this exception"
    assert err.value.status == 404
    assert err.value.response == '{"path": "/data", "id": "missing2"}'
    assert sum(h.hits() for h in hosts) == 1  # a 404 is an answer: not retried


async def test_unmapped_401_is_unauthorized(hosts: List[FakeHost], started: Any) -> None:
    from aiohttp import web

    for host in hosts:
        host.behaviour["query_something"] = lambda r: web.json_response({"msg": "Unsecured", "tb": []}, status=401)
    app_config = await started(caller_config(settings(hosts)))
    with pytest.raises(Unauthorized, match="Unsecured"):
        await app_call("target_conn", event="query_something", datatype=Something, payload=None,
                       context=context_of(app_config))


async def test_mapped_server_error_is_a_response(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts)))
    result = await app_call("target_conn", event="fail", datatype=dict, payload=None,
                            context=context_of(app_config), responses={500: dict})
    assert result == {"msg": "Internal server error", "tb": []}
    assert sum(h.hits() for h in hosts) == 1


async def test_body_not_matching_type(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts)))
    with pytest.raises(AppsClientException, match="Cannot read the 200 response of list_somethings as int"):
        await app_call("target_conn", event="list_somethings", datatype=int, payload=None,
                       context=context_of(app_config))


async def test_event_without_that_connection(hosts: List[FakeHost], started: Any) -> None:
    app_config = await started(caller_config(settings(hosts)))
    with pytest.raises(AppConnectionNotFound) as err:
        await app_call("target_conn", event="query_something", datatype=Something, payload=None,
                       context=context_of(app_config, "no_connections"))
    assert "event 'no_connections' has no connection to 'query_something'" in str(err.value)
    with pytest.raises(AppConnectionNotFound):
        await app_call("other_conn", event="query_something", datatype=Something, payload=None,
                       context=context_of(app_config))
    assert sum(h.hits() for h in hosts) == 0


async def test_not_started(hosts: List[FakeHost]) -> None:
    app_config = caller_config(settings(hosts))
    client = AppsClient(app_config, "target_conn")
    with pytest.raises(RuntimeError, match="client is not started"):
        await client.call("query_something", datatype=Something, payload=None, context=context_of(app_config))
    await client.start()
    await client.stop()
    await client.stop()  # stopping twice is harmless
    with pytest.raises(RuntimeError, match="client is not started"):
        await client.call("query_something", datatype=Something, payload=None, context=context_of(app_config))


async def test_shuffle_stage_uses_its_event_connections(hosts: List[FakeHost]) -> None:
    app_config = caller_config(settings(hosts))
    client = await AppsClient(app_config, "target_conn").start()
    try:
        context = context_of(app_config)
        context.event_name = "caller_event$stage2"
        assert await client.call("plain_text", datatype=str, payload=None, context=context) == ["plain from host0"]
    finally:
        await client.stop()
