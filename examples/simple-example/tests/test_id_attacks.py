"""Ids from requests are literal storage keys: bad ones are refused with 400, patterns match nothing.

Each attack runs against stored items and a file beside the storage folder; a refused request
must leave every file (inside and outside the data folder) as it was.
"""

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List

import pytest
from hopeit.app.config import AppConfig
from hopeit.app.errors import BadRequest
from hopeit.testing.apps import create_test_context, execute_event
from simple_example.model import ItemsInfo, Something, SomethingNotFound, SomethingParams, Status, StatusType, User

BAD_IDS = [
    "", ".", "..", "../outside", "../../../../../etc/passwd", "/etc/passwd", "a/b", "a\\b", "a\x00b", ".hidden",
    "esc\x1b", "bell\x07", "del\x7f",  # echoed in headers: HTTP forbids control characters there
]
BAD_PARTITIONS = ["..", "../../..", "/etc", "2024/../../../..", "2024//01", "a\x00"]
GLOB_IDS = ["*", "?", "[i]*", "item-*", "*-1", "[!x]*"]
STORED = ("item-1", "item-2", "ab")
AUTH = {"payload": {"user": "demo"}}
STATUS = Status(ts=datetime(2024, 3, 5, 10, tzinfo=timezone.utc), type=StatusType.SUBMITTED)


def snapshot(root: Path) -> Dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
async def stored(app_config: AppConfig, tmp_path: Path, data_path: Path) -> Path:
    """Three stored items and a ``Something`` beside the storage folder, where ``../`` would lead."""
    for item_id in STORED:
        context = create_test_context(app_config, "save_something", auth_info=AUTH)
        await execute_event(app_config, "save_something", SomethingParams(id=item_id, user="owner"), context=context)
    outside = Something(id="outside", user=User("secret", "secret")).to_json()  # type: ignore[attr-defined]
    (data_path / "outside.json").write_text(outside)
    (tmp_path / "outside.json").write_text(outside)
    return tmp_path


def calls_with_id(item_id: str) -> List[Dict[str, Any]]:
    """Every event of the app that takes an id from the request, with ``item_id`` in it."""
    user = User(id="u", name="u")
    return [
        {"event": "query_something", "payload": None, "query": {"item_id": item_id}, "field": "item_id"},
        {
            "event": "query_something",
            "payload": None,
            "query": {"item_id": item_id, "partition_key": "2024/03/05/10"},
            "field": "item_id",
        },
        {"event": "query_something_extended", "payload": STATUS, "query": {"item_id": item_id}, "field": "item_id"},
        {"event": "save_something", "payload": SomethingParams(id=item_id, user="evil"), "query": {}, "field": "id"},
        {
            "event": "collector.query_concurrently",
            "payload": ItemsInfo(item1_id=item_id, item2_id="item-1"),
            "query": {},
            "field": "item1_id",
        },
        {
            "event": "collector.collect_spawn",
            "payload": ItemsInfo(item1_id="item-1", item2_id=item_id),
            "query": {},
            "field": "item2_id",
        },
        {"event": "streams.something_event", "payload": Something(id=item_id, user=user), "query": {}, "field": "id"},
        {"event": "shuffle.spawn_event", "payload": Something(id=item_id, user=user), "query": {}, "field": "id"},
        {"event": "shuffle.parallelize_event", "payload": Something(id=item_id, user=user), "query": {}, "field": "id"},
    ]


async def run(app_config: AppConfig, call: Dict[str, Any]) -> Any:
    context = create_test_context(app_config, call["event"], auth_info=AUTH)
    return await execute_event(app_config, call["event"], call["payload"], context=context, **call["query"])


@pytest.mark.parametrize("item_id", BAD_IDS)
async def test_bad_ids_are_bad_requests_that_touch_nothing(app_config: AppConfig, stored: Path, item_id: str) -> None:
    before = snapshot(stored)
    for call in calls_with_id(item_id):
        with pytest.raises(BadRequest) as info:
            await run(app_config, call)
        message = str(info.value)
        assert message.startswith(f"Invalid {call['field']}: "), (call["event"], message)
        assert repr(item_id) in message and "is invalid: " in message, (call["event"], message)
    assert snapshot(stored) == before


@pytest.mark.parametrize("partition_key", BAD_PARTITIONS)
async def test_bad_partition_keys_are_bad_requests(app_config: AppConfig, stored: Path, partition_key: str) -> None:
    before = snapshot(stored)
    for event, payload in (("query_something", None), ("query_something_extended", STATUS)):
        with pytest.raises(BadRequest, match=r"^Invalid partition_key: .*partition key"):
            await execute_event(app_config, event, payload, item_id="outside", partition_key=partition_key)
    for event in ("collector.query_concurrently", "collector.collect_spawn"):
        info = ItemsInfo(item1_id="item-1", item2_id="outside", partition_key=partition_key)
        with pytest.raises(BadRequest, match=r"^Invalid partition_key: "):
            await execute_event(app_config, event, info)
    assert snapshot(stored) == before


@pytest.mark.parametrize("item_id", GLOB_IDS)
async def test_glob_ids_match_only_themselves(app_config: AppConfig, stored: Path, item_id: str) -> None:
    before = snapshot(stored)
    found = await execute_event(app_config, "query_something", None, item_id=item_id)
    assert isinstance(found, SomethingNotFound) and found.id == item_id
    updated, _, response = await execute_event(
        app_config, "query_something_extended", STATUS, postprocess=True, item_id=item_id
    )
    assert isinstance(updated, SomethingNotFound) and response.status == 404
    assert await execute_event(app_config, "collector.query_concurrently", ItemsInfo(item_id, item_id)) == []
    assert snapshot(stored) == before  # nothing read into an answer, nothing overwritten

    context = create_test_context(app_config, "save_something", auth_info=AUTH)
    path = await execute_event(app_config, "save_something", SomethingParams(id=item_id, user="star"), context=context)
    assert Path(path).name == f"{item_id}.json"
    after = snapshot(stored)
    assert {name: data for name, data in after.items() if name in before} == before  # other items untouched
    assert [name for name in after if name not in before] == [str(Path(path).relative_to(stored))]
    again = await execute_event(app_config, "query_something", None, item_id=item_id)
    assert isinstance(again, Something) and again.id == item_id and again.user.name == "star"


async def test_list_somethings_refuses_a_wildcard_that_leaves_the_folder(app_config: AppConfig, stored: Path) -> None:
    context = create_test_context(app_config, "list_somethings", auth_info=AUTH)
    for wildcard in ("../*", "/*", "*/../../../*"):
        with pytest.raises(BadRequest, match=r"^Invalid wildcard: "):
            await execute_event(app_config, "list_somethings", None, context=context, wildcard=wildcard)
    listed = await execute_event(app_config, "list_somethings", None, context=context, wildcard="item-*")
    assert sorted(item.id for item in listed) == ["item-1", "item-2"]
