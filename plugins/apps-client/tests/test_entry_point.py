import sys

from conftest import caller_config
from hopeit.app.client import Client
from hopeit.apps_client import AppsClient, __version__

if sys.version_info >= (3, 10):
    from importlib.metadata import entry_points, version
else:  # pragma: no cover
    from importlib_metadata import entry_points, version


def test_entry_point_is_installed_and_loads_the_client() -> None:
    [entry_point] = [ep for ep in entry_points(group="hopeit.clients") if ep.name == "apps-client"]
    loaded = entry_point.load()
    assert loaded is AppsClient
    assert issubclass(loaded, Client)


def test_version() -> None:
    assert __version__ == version("hopeit.apps-client") == "1.0.0"


def test_engine_creates_the_client_by_name_or_class_path() -> None:
    for name in ("apps-client", "hopeit.apps_client.AppsClient"):
        app_config = caller_config({"connection_str": "http://h1:8020"}, connection={"client": name})
        client = Client.create(app_config, "target_conn")
        assert isinstance(client, AppsClient)
        assert client.hosts == ["http://h1:8020"]
