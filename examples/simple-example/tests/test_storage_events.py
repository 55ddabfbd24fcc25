from datetime import datetime, timezone
from pathlib import Path
from typing import List

from hopeit.app.config import AppConfig
from hopeit.app.context import PostprocessHook
from hopeit.testing.apps import create_test_context, execute_event
from simple_example.model import (
    ItemsInfo,
    Something,
    SomethingNotFound,
    SomethingParams,
    Status,
    StatusType,
    User,
)


async def save(app_config: AppConfig, item_id: str, user: str = "ana") -> str:
    context = create_test_context(app_config, "save_something", auth_info={"payload": {"user": "demo"}})
    path: str = await execute_event(app_config, "save_something", SomethingParams(id=item_id, user=user),
                                    context=context)
    return path


async def test_save_something_stores_a_new_item(app_config: AppConfig, data_path: Path) -> None:
    path = await save(app_config, "item-1")
    assert path.startswith(str(data_path / "somethings"))
    assert path.endswith("/item-1.json")
    stored = Something.from_json(Path(path).read_text())
    assert stored.id == "item-1" and stored.user == User(id="ana", name="ana")
    assert stored.status is not None and stored.status.type == StatusType.NEW


async def test_save_something_postprocess_sets_header(app_config: AppConfig) -> None:
    context = create_test_context(app_config, "save_something")
    path, body, response = await execute_event(app_config, "save_something", SomethingParams(id="x", user="u"),
                                               context=context, postprocess=True)
    assert body == path
    assert response.headers["X-Stored-Path"] == path


async def test_save_something_requires_user_agent(app_config: AppConfig) -> None:
    _result, body, response = await execute_event(app_config, "save_something", SomethingParams(id="x", user="u"),
                                                  preprocess=True, postprocess=True)
    assert response.status == 400
    assert body == "Missing required user-agent"


async def test_query_something_finds_the_newest_partition(app_config: AppConfig) -> None:
    path = await save(app_config, "item-2")
    partition_key = "/".join(path.split("/")[-5:-1])
    for partition in (None, partition_key):
        result = await execute_event(app_config, "query_something", None, item_id="item-2", partition_key=partition)
        assert isinstance(result, Something) and result.id == "item-2"
        assert result.status is not None and result.status.type == StatusType.LOADED
        assert [s.type for s in result.history] == [StatusType.NEW]


async def test_query_something_not_found_is_404(app_config: AppConfig) -> None:
    result, _body, response = await execute_event(app_config, "query_something", None, postprocess=True,
                                                  item_id="missing")
    assert isinstance(result, SomethingNotFound) and result.id == "missing"
    assert response.status == 404
    result = await execute_event(app_config, "query_something", None, item_id="missing", partition_key="2020/01/01/00")
    assert isinstance(result, SomethingNotFound) and result.id == "missing"
    assert result.path.endswith("/somethings/2020/01/01/00")


async def test_query_something_found_keeps_default_status(app_config: AppConfig) -> None:
    await save(app_config, "item-3")
    result, body, response = await execute_event(app_config, "query_something", None, postprocess=True,
                                                 item_id="item-3")
    assert response.status is None and body == result


async def test_query_something_extended_updates_status(app_config: AppConfig) -> None:
    await save(app_config, "item-4")
    status = Status(ts=datetime(2024, 3, 5, 10, tzinfo=timezone.utc), type=StatusType.SUBMITTED)
    result = await execute_event(app_config, "query_something_extended", status, item_id="item-4")
    assert isinstance(result, Something) and result.status == status
    # saved in the partition of the new status time; the query finds the newest partition
    again = await execute_event(app_config, "query_something", None, item_id="item-4",
                                partition_key="2024/03/05/10")
    assert isinstance(again, Something) and [s.type for s in again.history] == [StatusType.NEW, StatusType.SUBMITTED]
    missing, _body, response = await execute_event(app_config, "query_something_extended", status,
                                                   postprocess=True, item_id="nope")
    assert isinstance(missing, SomethingNotFound) and response.status == 404


async def test_list_somethings_with_wildcard(app_config: AppConfig) -> None:
    for item_id in ("a-1", "a-2", "b-1"):
        await save(app_config, item_id)
    context = create_test_context(app_config, "list_somethings", auth_info={"payload": {"user": "demo"}})
    everything: List[Something] = await execute_event(app_config, "list_somethings", None, context=context)
    assert sorted(s.id for s in everything) == ["a-1", "a-2", "b-1"]
    only_a = await execute_event(app_config, "list_somethings", None, context=context, wildcard="a-*")
    assert sorted(s.id for s in only_a) == ["a-1", "a-2"]


async def test_collector_query_concurrently(app_config: AppConfig) -> None:
    await save(app_config, "c-1")
    await save(app_config, "c-2")
    result = await execute_event(app_config, "collector.query_concurrently",
                                 ItemsInfo(item1_id="c-1", item2_id="c-2"))
    assert [s.id for s in result] == ["c-1", "c-2"]
    one = await execute_event(app_config, "collector.query_concurrently", ItemsInfo(item1_id="c-1", item2_id="zz"))
    assert [s.id for s in one] == ["c-1"]


async def test_postprocess_hook_type(app_config: AppConfig) -> None:
    _, _, response = await execute_event(app_config, "query_something", None, postprocess=True, item_id="x")
    assert isinstance(response, PostprocessHook)
