"""The test kit: config, contexts, events and services (spec engine §14)."""

import os
from pathlib import Path

import pytest
from hopeit.app.config import AppConfig
from hopeit.contracts.settings import AuthType, LoggingConfig, StreamsConfig
from hopeit.testing.apps import (
    TestingException,
    apply_service_running_mock,
    config,
    create_test_context,
    execute_event,
    execute_service,
    server_config,
    service_running_mock,
)
from mock_app import MockData, MockResult
from steps_app import CONFIG
from steps_app.events import bare_service, failing_service


@pytest.fixture
def steps_config() -> AppConfig:
    return config(CONFIG)


@pytest.fixture
def kit_config(monkeypatch: pytest.MonkeyPatch) -> AppConfig:
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    from kit_app import CONFIG as KIT_CONFIG

    return config(KIT_CONFIG)


def test_server_config_for_tests() -> None:
    """DEBUG logs in the folder the test kit's pytest plugin chose, auth disabled, default streams."""
    server = server_config()
    assert server.logging == LoggingConfig(log_level="DEBUG", log_path=os.environ["HOPEIT_LOG_PATH"])
    assert server.logging.log_path.rstrip("/").endswith("hopeit-logs")
    assert server.auth.enabled is False and server.auth.default_auth_methods == [AuthType.UNSECURED]
    assert server.streams == StreamsConfig()


def test_config_attaches_the_test_server_config(steps_config: AppConfig) -> None:
    """``config(path)`` loads the app and attaches ``server_config()``."""
    assert steps_config.app_key() == "steps_app.1x0"
    assert steps_config.server == server_config()


def test_create_test_context_defaults(mock_app_config: AppConfig) -> None:
    """Track headers default to ``""``; test ids; Unsecured auth with ``allowed`` as the string 'true'."""
    context = create_test_context(mock_app_config, "mock_stream")
    assert context.track_ids["track.operation_id"] == "test_operation_id"
    assert context.track_ids["track.request_id"] == "test_request_id"
    assert context.track_ids["track.session_id"] == ""
    assert context.track_ids["track.request_ts"].endswith("+00:00")
    assert context.auth_info == {"auth_type": AuthType.UNSECURED, "allowed": "true"}
    assert context.settings.stream.batch_size == 5 and context.event_name == "mock_stream"


async def test_unknown_event_with_context_is_a_testing_exception(mock_app_config: AppConfig) -> None:
    """Events not in the config are reported with the known ones."""
    context = create_test_context(mock_app_config, "mock_get")
    with pytest.raises(TestingException, match=r"event 'nope' not found in app config \(events: \['mock_setup'"):
        await execute_event(mock_app_config, "nope", None, context=context)


async def test_unknown_event_is_a_testing_exception(mock_app_config: AppConfig) -> None:
    """Without a context, an unknown event is also a TestingException naming the known events."""
    with pytest.raises(TestingException, match="event 'nope' not found in app config"):
        await execute_event(mock_app_config, "nope", None)


async def test_payload_no_step_takes_is_a_testing_exception(mock_app_config: AppConfig) -> None:
    """A payload that no step takes raises, naming the event, the payload type and what the steps take."""
    expected = r"no step of event '{}' takes a payload of type str: its steps take {}"
    with pytest.raises(TestingException, match=expected.format("mock_setup", "None")):
        await execute_event(mock_app_config, "mock_setup", "unexpected")
    with pytest.raises(TestingException, match=expected.format("mock_post", "MockData")):
        await execute_event(mock_app_config, "mock_post", "text", postprocess=True)


async def test_dataobject_steps_accept_any_payload(mock_app_config: AppConfig) -> None:
    """An event whose first step takes ``DataObject`` runs with any data object."""
    assert await execute_event(mock_app_config, "mock_generic_stream", MockResult("g", "p")) is None


async def test_preprocess_rejection_without_postprocess(mock_app_config: AppConfig) -> None:
    """A preprocess status other than 200 returns the preprocess result."""
    assert await execute_event(mock_app_config, "mock_prepost", MockData("r"), preprocess=True, mode="reject") is None


async def test_postprocess_without_preprocess(mock_app_config: AppConfig) -> None:
    """``postprocess=True`` alone runs the steps then the hook on the last result."""
    result, body, hook = await execute_event(mock_app_config, "mock_prepost", MockData("q", "v"), postprocess=True)
    assert result == MockResult("q", "v") and body == "processed q" and hook.status == 201


async def test_shuffle_stages_run_in_order(mock_app_config: AppConfig) -> None:
    """Every item of a stage goes through the next stage; no items at all gives None."""
    results = await execute_event(mock_app_config, "mock_shuffle", None, n="2")
    assert [r.processed for r in results] == ["stage2:", "stage2:x"]
    assert await execute_event(mock_app_config, "mock_shuffle", None, n="0") is None


async def test_shuffle_stage_without_results_keeps_previous(mock_app_config: AppConfig) -> None:
    """When a later stage accepts none of the items, the previous stage's items are the result."""
    from mock_app.events import mock_shuffle

    def consume_text(payload: str, context: object) -> str:
        return payload

    def mock_consume(module: object, context: object) -> None:
        setattr(module, "consume", consume_text)

    original = mock_shuffle.consume
    try:
        results = await execute_event(mock_app_config, "mock_shuffle", None, mocks=[mock_consume], n="2")
    finally:
        mock_shuffle.consume = original
    assert results == [MockData(id="0", value=""), MockData(id="1", value="x")]


async def test_preprocess_status_reaches_postprocess_hook(mock_app_config: AppConfig) -> None:
    """A preprocess status is copied to the postprocess hook; steps are skipped when it is not 200."""
    result, body, hook = await execute_event(
        mock_app_config, "mock_prepost", MockData("r"), preprocess=True, postprocess=True, mode="reject"
    )
    assert result is None and body is None and hook.status == 400


async def test_execute_service_collects_errors(steps_config: AppConfig) -> None:
    """Items failing in the steps are returned as exceptions; ``service_running`` is restored."""
    original = vars(failing_service)["service_running"]
    results = await execute_service(steps_config, "failing_service", max_events=3)
    assert results[0] == "even 0" and results[2] == "even 2"
    assert isinstance(results[1], ValueError) and str(results[1]) == "odd item 1"
    assert vars(failing_service)["service_running"] is original


async def test_execute_service_of_stream_event(steps_config: AppConfig) -> None:
    """A STREAM event with ``__service__`` runs its items through its steps."""
    from steps_app import LoopData

    assert await execute_service(steps_config, "service_stream", max_events=2) == [LoopData("svc"), LoopData("svc")]


async def test_execute_service_requires_service_running(steps_config: AppConfig) -> None:
    """A ``__service__`` not looping on ``service_running`` is refused with the 0.24 message."""
    with pytest.raises(TestingException, match=r"Service must loop using `hopeit.app.events.service_running` method."):
        await execute_service(steps_config, "bare_service")
    with pytest.raises(TestingException, match="has no __service__"):
        await execute_service(steps_config, "plain_get")
    with pytest.raises(TestingException, match="not found"):
        await execute_service(steps_config, "nope")


def test_service_running_mock(steps_config: AppConfig) -> None:
    """The mock is always True and replaces the module's ``service_running``."""
    context = create_test_context(steps_config, "failing_service")
    assert service_running_mock(context) is True
    original = vars(failing_service)["service_running"]
    try:
        apply_service_running_mock(failing_service, context)
        assert vars(failing_service)["service_running"] is service_running_mock
    finally:
        failing_service.service_running = original  # type: ignore[attr-defined]
    with pytest.raises(TestingException):
        apply_service_running_mock(bare_service)


async def test_settings_edited_after_config_reach_the_event(kit_config: AppConfig) -> None:
    """A fixture editing ``app_config.settings`` after ``config()`` is seen by the event, as in 0.24.

    (0.24's fs-storage tests append a unique folder to the storage path this way.)
    """
    assert await execute_event(kit_config, "read_settings", None) == "/tmp/kit-app|original"
    kit_config.settings["fs_storage"]["path"] += "/unique"
    kit_config.settings["read_settings"]["value"] = "edited"
    assert await execute_event(kit_config, "read_settings", None) == "/tmp/kit-app/unique|edited"


async def test_settings_edited_after_the_context_was_made(kit_config: AppConfig) -> None:
    """Settings are read when the step asks for them: an edit after ``create_test_context`` is seen too."""
    context = create_test_context(kit_config, "read_settings")
    kit_config.settings["fs_storage"]["path"] += "/after"
    assert await execute_event(kit_config, "read_settings", None, context=context) == "/tmp/kit-app/after|original"
    assert context.settings(key="fs_storage", datatype=dict) == {"path": "/tmp/kit-app/after"}


async def test_streamed_download_with_postprocess(kit_config: AppConfig) -> None:
    """The hook shows the headers the event set and every byte it wrote, as in 0.24."""
    result, body, hook = await execute_event(kit_config, "download", None, postprocess=True, file_name="b.png")
    assert result.file_name == "b.png" and body == "done"
    event_headers = {
        "Content-Disposition": 'attachment; filename="b.png"',
        "Content-Type": "image/png",
        "Content-Length": "10",
    }
    assert hook.headers == event_headers and hook.content_type == "image/png" and hook.status is None
    assert hook.stream_response.headers == event_headers
    resp = hook.stream_response.resp
    assert resp.data == b"0123456789"
    assert {k: v for k, v in resp.headers.items() if k != "X-Track-Request-Ts"} == {
        **event_headers,
        "X-Track-Operation-Id": "test_operation_id",
        "X-Track-Request-Id": "test_request_id",
        "X-Track-Session-Id": "",
        "X-Event-App": "kit_app.1x0",
    }
    assert list(resp.headers)[:3] == list(event_headers) and "X-Track-Request-Ts" in resp.headers
