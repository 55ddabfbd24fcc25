"""The test kit runs every kind of event of the mock app, as app authors use it."""

import importlib

import pytest
from hopeit.app.config import AppConfig
from hopeit.app.context import EventContext, PostprocessHook
from hopeit.testing.apps import TestingException, create_test_context, execute_event, execute_service
from mock_app import MockData, MockResult
from mock_app.events import mock_get, mock_setup


async def test_get_with_query_args_settings_env_and_init(mock_app_config: AppConfig) -> None:
    result = await execute_event(mock_app_config, "mock_get", None, item_id="42")
    assert result == MockData(id="42", value="hello shared /tmp/mock_app.1x0.storage.path")
    assert mock_get.INITIALIZED == ["mock_get"]


async def test_setup_event_runs_its_step(mock_app_config: AppConfig) -> None:
    assert await execute_event(mock_app_config, "mock_setup", None) == "ready"
    assert mock_setup.CALLS[-1] == "mock_setup"


async def test_post_returns_single_result(mock_app_config: AppConfig) -> None:
    result = await execute_event(mock_app_config, "mock_post", MockData(id="1", value="abc", tags=["t"]))
    assert result == MockResult(id="1", processed="ABC", count=1)


@pytest.mark.parametrize(
    "value, expected",
    [("data", MockResult("1", "data", 1)), ("text", MockResult("text:1", "text", 1)),
     ("none", MockResult("none", "none", 1))],
    ids=["dataobject-branch", "str-branch", "none-branch"],
)
async def test_branching_by_returned_type(mock_app_config: AppConfig, value: str, expected: MockResult) -> None:
    assert await execute_event(mock_app_config, "mock_branches", MockData(id="1", value=value)) == expected


async def test_payload_runs_from_the_first_step_that_takes_it(mock_app_config: AppConfig) -> None:
    """As in the engine, a payload the first step does not take starts at the first step that does."""
    assert await execute_event(mock_app_config, "mock_branches", "text") == MockResult("text", "text", 1)


async def test_payload_of_wrong_type_is_refused(mock_app_config: AppConfig) -> None:
    """The engine would run no step for this payload: the test kit says so instead of passing it back."""
    with pytest.raises(TestingException, match="no step of event 'mock_get'"):
        await execute_event(mock_app_config, "mock_get", "unexpected")


async def test_nested_spawn_multiplies_results(mock_app_config: AppConfig) -> None:
    results = await execute_event(mock_app_config, "mock_spawn", None, n="3")
    assert [r.id for r in results] == ["0a", "0b", "1a", "1b", "2a", "2b"]
    assert all(r.tags == ["done"] for r in results)


async def test_shuffle_runs_every_stage(mock_app_config: AppConfig) -> None:
    results = await execute_event(mock_app_config, "mock_shuffle", None, n="3")
    assert [(r.id, r.processed, r.count) for r in results] == [
        ("0", "stage2:", 0), ("1", "stage2:x", 1), ("2", "stage2:xx", 2)]


async def test_collector_gathers_concurrent_steps(mock_app_config: AppConfig) -> None:
    result = await execute_event(mock_app_config, "mock_collector", MockData(id="c", value="v"))
    assert result == MockResult(id="c", processed="v-a-b", count=1)


async def test_mocks_replace_steps(mock_app_config: AppConfig) -> None:
    def mocked(payload: MockData, context: EventContext) -> MockResult:
        return MockResult(id=payload.id, processed="mocked")

    def mock_process(module, context: EventContext) -> None:  # type: ignore[no-untyped-def]
        module.process = mocked
        assert context.event_name == "mock_post"

    original = __import__("mock_app.events.mock_post", fromlist=["process"]).process
    try:
        result = await execute_event(mock_app_config, "mock_post", MockData(id="m"), mocks=[mock_process])
    finally:
        setattr(importlib.import_module("mock_app.events.mock_post"), "process", original)
    assert result == MockResult(id="m", processed="mocked")


async def test_preprocess_and_postprocess_hooks(mock_app_config: AppConfig) -> None:
    result, body, response = await execute_event(
        mock_app_config, "mock_prepost", MockData(id="p", value="v"), preprocess=True, postprocess=True
    )
    assert result == MockResult(id="p", processed="v")
    assert body == "processed p"
    assert isinstance(response, PostprocessHook)
    assert response.headers == {"X-Processed": "p"} and response.status == 201
    assert response.cookies["seen"][0] == "p"


async def test_preprocess_multipart_fields_and_files(mock_app_config: AppConfig) -> None:
    result = await execute_event(
        mock_app_config, "mock_prepost", None, preprocess=True, mode="multipart",
        fields={"id": "u1", "doc": "doc.txt", "meta": {"k": 1}}, upload={"doc": b"x" * 100},
    )
    assert result == MockResult(id="u1", processed="doc:doc.txt:100")


async def test_preprocess_status_skips_steps(mock_app_config: AppConfig) -> None:
    result, body, response = await execute_event(
        mock_app_config, "mock_prepost", MockData(id="r"), preprocess=True, postprocess=True, mode="reject"
    )
    assert result is None and body is None and response.status == 400


async def test_failing_step_raises(mock_app_config: AppConfig) -> None:
    with pytest.raises(AssertionError, match="Test for error"):
        await execute_event(mock_app_config, "mock_failing", None)


async def test_execute_service_runs_items(mock_app_config: AppConfig) -> None:
    results = await execute_service(mock_app_config, "mock_service", max_events=3)
    assert [r.id for r in results] == ["svc0", "svc1", "svc2"]


async def test_execute_service_requires_service(mock_app_config: AppConfig) -> None:
    with pytest.raises(TestingException):
        await execute_service(mock_app_config, "mock_get")
    with pytest.raises(TestingException):
        await execute_service(mock_app_config, "nope")


def test_create_test_context_track_ids_and_auth(mock_app_config: AppConfig) -> None:
    context = create_test_context(mock_app_config, "mock_get", track_ids={"track.session_id": "s1"},
                                  auth_info={"user": "u"})
    assert context.track_ids["track.session_id"] == "s1"
    assert context.track_ids["track.request_id"] == "test_request_id"
    assert context.track_ids["event.app"] == "mock_app.1x0"
    assert context.auth_info["user"] == "u" and context.auth_info["allowed"] == "true"
