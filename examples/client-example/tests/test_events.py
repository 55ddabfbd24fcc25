"""client-example's events through the test kit, calling a running simple-example."""

import base64
from pathlib import Path
from typing import AsyncIterator, Dict

import pytest
from client_example import CountAndSaveResult
from conftest import client_configs
from hopeit.app.client import register_app_connections, stop_app_connections
from hopeit.app.config import AppConfig
from hopeit.app.errors import Unauthorized
from hopeit.server.config import AuthConfig
from hopeit.testing.apps import config, create_test_context, execute_event
from hopeit.toolkit import auth
from simple_example.model import Something, SomethingNotFound
from simple_example.testing import RunningServer

TRACK = {"track.session_id": "client-tests"}


@pytest.fixture
async def app_config(tmp_path: Path, secrets_path: Path, simple_example: RunningServer) -> AsyncIterator[AppConfig]:
    """client-example with its app connections started (as the server does when the app starts)."""
    app_config = config(client_configs(tmp_path, secrets_path, simple_example)[1])
    auth.init(app_config.app_key(), AuthConfig(
        secrets_location=str(secrets_path), auth_passphrase="client-tests", create_keys=True
    ))
    await register_app_connections(app_config)
    yield app_config
    await stop_app_connections(app_config.app_key())


def basic(user: str, password: str) -> Dict[str, str]:
    return {"auth_type": "Basic", "payload": base64.b64encode(f"{user}:{password}".encode()).decode()}


async def test_count_and_save_then_query(app_config: AppConfig) -> None:
    context = create_test_context(app_config, "count_and_save", track_ids=TRACK, auth_info=basic("demo", "hopeit"))
    first = await execute_event(app_config, "count_and_save", None, context=context, wildcard="item*")
    assert isinstance(first, CountAndSaveResult)
    context = create_test_context(app_config, "count_and_save", track_ids=TRACK, auth_info=basic("demo", "hopeit"))
    second = await execute_event(app_config, "count_and_save", None, context=context, wildcard="item*")
    assert second.count == first.count + 1
    assert second.save_path.endswith(f"/item{second.count}.json")

    context = create_test_context(app_config, "query_remote", track_ids=TRACK)
    found = await execute_event(app_config, "query_remote", None, context=context, item_id=f"item{first.count}")
    assert isinstance(found, Something) and found.user.name == "demo"


async def test_query_remote_not_found(app_config: AppConfig) -> None:
    context = create_test_context(app_config, "query_remote", track_ids=TRACK)
    result, _, response = await execute_event(app_config, "query_remote", None, context=context,
                                              postprocess=True, item_id="nothing-here")
    assert isinstance(result, SomethingNotFound) and result.id == "nothing-here"
    assert response.status == 404


async def test_count_and_save_with_bad_credentials(app_config: AppConfig) -> None:
    context = create_test_context(app_config, "count_and_save", track_ids=TRACK, auth_info=basic("demo", "nope"))
    with pytest.raises(Unauthorized):
        await execute_event(app_config, "count_and_save", None, context=context)
