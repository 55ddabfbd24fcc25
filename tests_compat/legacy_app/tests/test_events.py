"""legacy-app's own tests, in 0.24 style (hopeit.testing.apps)."""

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from conftest import storage_path
from hopeit.app.errors import BadRequest
from hopeit.dataobjects.payload import Payload
from hopeit.server.collector import Collector  # noqa: F401 - 0.24 import path must exist
from hopeit.server.web import Unauthorized
from hopeit.testing.apps import create_test_context, execute_event, execute_service
from legacy_app.model import ItemsCollected, ItemsInfo, Message, Something, StatusType


async def test_echo(app_config):
    result = await execute_event(app_config, "echo", Message(text="hello", length=0))
    assert result == Message(text="HELLO", length=5)
    assert Payload.to_json(result) == '{"text": "HELLO", "length": 5}'


async def test_greet_query_args_are_strings(app_config):
    assert await execute_event(app_config, "greet", None, name="ann", times="2") == "hello ann hello ann"


async def test_numbers(app_config):
    assert await execute_event(app_config, "numbers", None, kind="list") == [1, 2, 3]
    assert await execute_event(app_config, "numbers", None, kind="count") == 3


async def test_fail_raises_the_step_errors(app_config):
    with pytest.raises(BadRequest):
        await execute_event(app_config, "fail", None, mode="bad")
    with pytest.raises(Unauthorized):
        await execute_event(app_config, "fail", None, mode="unauthorized")
    with pytest.raises(ValueError):
        await execute_event(app_config, "fail", None, mode="value")


async def test_save_writes_where_the_fixture_said(app_config, something):
    result = await execute_event(app_config, "save_something", something)
    assert result.status.type == StatusType.SUBMITTED
    assert result.history[0].type == StatusType.NEW
    saved = storage_path(app_config) / "item1.json"
    assert saved.exists(), f"not saved under the path the fixture set: {saved}"
    data = json.loads(saved.read_text())
    assert data["status"]["ts"] == "2024-01-02T03:04:05+00:00"
    assert data["price"] == 0


async def test_query_found_and_not_found(app_config, something):
    await execute_event(app_config, "save_something", something)
    found, _, response = await execute_event(app_config, "query_something", None, postprocess=True, item_id="item1")
    assert found.id == "item1" and response.status is None
    assert found.status.ts == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert found.status.ts.utcoffset() == timedelta(0)
    missing, _, response = await execute_event(app_config, "query_something", None, postprocess=True, item_id="nope")
    assert missing.id == "nope" and response.status == 404


async def test_collect(app_config, something):
    await execute_event(app_config, "save_something", something)
    result = await execute_event(app_config, "collect", ItemsInfo(item1_id="item1", item2_id="missing"))
    assert isinstance(result, ItemsCollected)
    assert [item.id for item in result.items] == ["item1"]


async def test_spawn_shuffle_runs_every_stage(app_config, something):
    results = await execute_event(app_config, "spawn_shuffle", something)
    assert [item.id for item in results] == ["item1-0", "item1-1", "item1-2"]
    assert all(item.status.type == StatusType.PROCESSED for item in results)
    assert all(len(item.history) == 1 for item in results)


async def test_upload(app_config):
    result = await execute_event(
        app_config, "upload", None, preprocess=True,
        fields={"id": "up1", "attachment": "a.bin"}, upload={"attachment": b"12345"},
    )
    assert result.id == "up1"
    assert result.files == {"attachment": 5}


async def test_download_streamed(app_config):
    result, body, response = await execute_event(app_config, "download", None, postprocess=True, chunks="3")
    assert result == 3
    assert body == "3 chunks"
    assert response.headers["Content-Disposition"] == 'attachment; filename="chunks.bin"'
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert int(response.headers["Content-Length"]) == 3 * 1024
    assert response.stream_response.resp.data == b"A" * 1024 + b"B" * 1024 + b"C" * 1024


async def test_ticker_service(app_config):
    results = await execute_service(app_config, "ticker", max_events=2)
    assert results == [Message(text="TICK 1", length=1), Message(text="TICK 2", length=2)]


async def test_setup_writes_marker(app_config, tmp_path):
    await execute_event(app_config, "setup_marker", None)
    assert (tmp_path / "setup.marker").read_text() == "started"


def test_context_has_track_ids(app_config):
    context = create_test_context(app_config, "echo")
    assert context.track_ids["track.request_id"] == "test_request_id"
    assert context.app_key == "legacy_app.1x0"


def test_decimal_field_round_trip(something):
    something.price = Decimal("2.5")
    text = Payload.to_json(something)
    assert '"price": 2.5' in text
    assert Payload.from_json(text, Something).price == Decimal("2.5")
