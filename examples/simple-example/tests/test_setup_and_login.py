import base64
from pathlib import Path

import pytest
from hopeit.app.config import AppConfig
from hopeit.app.errors import Unauthorized
from hopeit.testing.apps import create_test_context, execute_event
from hopeit.toolkit import auth
from simple_example.model import AuthInfo


async def test_setup_creates_folders_and_marker(app_config: AppConfig, data_path: Path) -> None:
    marker = await execute_event(app_config, "setup_something", None)
    assert marker == str(data_path / ".initialized")
    assert (data_path / ".initialized").is_file()
    assert (data_path / "somethings").is_dir()
    assert (data_path / "uploads").is_dir()


def basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


async def test_login_issues_a_token_the_server_accepts(app_keys: AppConfig) -> None:
    auth_info = {"auth_type": "Basic", "payload": basic("demo", "hopeit")}
    context = create_test_context(app_keys, "login", auth_info=auth_info)
    result = await execute_event(app_keys, "login", None, context=context)
    assert isinstance(result, AuthInfo)
    assert result.user == "demo" and result.token_type == "bearer" and result.expires_in == 3600
    claims = auth.decode_token(result.access_token)
    assert claims["user"] == "demo"
    assert claims["app"] == app_keys.app_key()
    assert claims["exp"] - claims["iat"] == 3600


@pytest.mark.parametrize("payload", [basic("demo", "wrong"), basic("nobody", "hopeit"), basic("demo", ""),
                                     "not base64!", base64.b64encode(b"no-colon").decode()])
async def test_login_refuses_bad_credentials(app_keys: AppConfig, payload: str) -> None:
    context = create_test_context(app_keys, "login", auth_info={"auth_type": "Basic", "payload": payload})
    with pytest.raises(Unauthorized):
        await execute_event(app_keys, "login", None, context=context)
