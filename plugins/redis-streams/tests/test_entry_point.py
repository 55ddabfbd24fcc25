import sys

from hopeit.contracts.discovery import GROUP_STREAMS, available, load_stream_manager_class, loaded_plugins
from hopeit.contracts.settings import StreamsConfig
from hopeit.redis_streams import RedisStreamManager, __version__
from hopeit.streams import StreamManager
from hopeit.testing.redis import RedisServer

if sys.version_info >= (3, 10):
    from importlib.metadata import entry_points, version
else:  # pragma: no cover
    from importlib_metadata import entry_points, version


def test_entry_point_is_registered_and_loads() -> None:
    found = [ep for ep in entry_points(group=GROUP_STREAMS) if ep.name == "redis"]
    assert len(found) == 1
    assert found[0].value == "hopeit.redis_streams:RedisStreamManager"
    loaded = found[0].load()
    assert loaded is RedisStreamManager
    assert issubclass(loaded, StreamManager)


def test_engine_finds_it_by_name_and_by_dotted_path() -> None:
    assert "redis" in available(GROUP_STREAMS)
    assert load_stream_manager_class("redis") is RedisStreamManager
    assert load_stream_manager_class("hopeit.redis_streams.RedisStreamManager") is RedisStreamManager
    info = [p for p in loaded_plugins() if p.group == GROUP_STREAMS and p.name == "redis"]
    assert info and info[0].distribution == "hopeit.redis-streams" and info[0].version == __version__


def test_created_from_server_config(redis_server: RedisServer) -> None:
    config = StreamsConfig(stream_manager="redis", connection_str=redis_server.url)
    manager = StreamManager.create(config)
    assert isinstance(manager, RedisStreamManager)
    assert manager.address == redis_server.url and manager.config is config


def test_version_matches_distribution() -> None:
    assert version("hopeit.redis-streams") == __version__ == "1.0.0"
