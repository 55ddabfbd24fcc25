"""App-to-app clients (spec engine §13)."""

from typing import Iterator

import pytest
from hopeit.app.client import (
    AppConnectionNotFound,
    Client,
    ClientException,
    UnhandledResponse,
    app_call,
    app_client,
    register_app_connections,
    stop_app_connections,
)
from hopeit.app.config import AppConfig, AppConnection
from hopeit.contracts.discovery import PluginNotFound
from hopeit.testing.apps import config, create_test_context, execute_event
from plugin_app import HOST1_CONFIG, Reply, clients


@pytest.fixture
def host_config() -> Iterator[AppConfig]:
    app_config = config(HOST1_CONFIG)
    yield app_config


def test_exceptions() -> None:
    """Client errors share a base; ``UnhandledResponse`` keeps the response and status."""
    assert issubclass(AppConnectionNotFound, ClientException) and issubclass(UnhandledResponse, ClientException)
    error = UnhandledResponse("not mapped", {"a": 1}, 418)
    assert str(error) == "not mapped" and error.response == {"a": 1} and error.status == 418


def test_create_instantiates_the_configured_class(host_config: AppConfig) -> None:
    """``client`` is a dotted class path (or an entry-point name)."""
    client = Client.create(host_config, "echo-conn")
    assert isinstance(client, clients.EchoClient)
    assert client.app_key == "host_one.1x0" and client.app_connection == "echo-conn"


def test_create_with_unknown_or_wrong_client(host_config: AppConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    """A client name that is not installed, or a class that is not a Client, stops with a clear error."""
    # the apps-client plugin may be installed in this environment: hide it
    monkeypatch.setenv("HOPEIT_DISABLE_PLUGINS", "apps-client")
    host_config.app_connections["echo-conn"] = AppConnection(name="x", version="1", client="apps-client")
    expected = r"app client 'apps-client' is not installed \(pip install hopeit.apps-client"
    with pytest.raises(PluginNotFound, match=expected):
        Client.create(host_config, "echo-conn")
    host_config.app_connections["echo-conn"].client = "plugin_app.clients.NotAClient"
    with pytest.raises(TypeError, match="is not a Client"):
        Client.create(host_config, "echo-conn")


async def test_register_call_and_stop(host_config: AppConfig) -> None:
    """Clients start at registration, answer ``app_call``/``app_call_list`` and stop with the app."""
    clients.EVENTS.clear()
    await register_app_connections(host_config)
    try:
        assert clients.EVENTS == [("host_one.1x0", "echo-conn", "start")]
        context = create_test_context(host_config, "host_get")
        assert isinstance(app_client("echo-conn", context), clients.EchoClient)
        reply = await app_call("echo-conn", event="echo", datatype=Reply, payload="p", context=context, x="1")
        assert reply == Reply(event="echo", value="p|[('x', '1')]")
        assert await execute_event(host_config, "host_get", None) == "echo:p|[('x', '1')]"
        assert await execute_event(host_config, "host_get", None, mode="list") == ("p|[('x', '1')],second|host_one.1x0")
    finally:
        await stop_app_connections("host_one.1x0")
    assert clients.EVENTS[-1] == ("host_one.1x0", "echo-conn", "stop")
    with pytest.raises(AppConnectionNotFound, match=r"app connection 'echo-conn' not found for app 'host_one.1x0'"):
        app_client("echo-conn", context)
    await stop_app_connections("host_one.1x0")  # stopping twice is harmless


def test_unknown_connection(host_config: AppConfig) -> None:
    """A connection not in app_connections is ``AppConnectionNotFound`` saying where to add it."""
    context = create_test_context(host_config, "host_get")
    with pytest.raises(AppConnectionNotFound, match="add it to app_connections"):
        app_client("nope", context)
