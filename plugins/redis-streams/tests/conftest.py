import uuid
from typing import TYPE_CHECKING, Any, AsyncIterator, List

import pytest
import redis.asyncio as aioredis
from hopeit.contracts.settings import StreamsConfig
from hopeit.redis_streams import RedisStreamManager

if TYPE_CHECKING:  # imported at run time, before pytest_plugins, they would escape assertion rewriting
    from hopeit.testing.redis import RedisServer
    from redis_streams_support import ManagerFactory

pytest_plugins = ["hopeit.testing.redis"]


@pytest.fixture
def stream_name() -> str:
    return f"test.stream.{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def raw(redis_server: "RedisServer") -> AsyncIterator["aioredis.Redis"]:
    client = aioredis.Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


def streams_config(url: str, **settings: Any) -> StreamsConfig:
    return StreamsConfig(
        stream_manager="redis",
        connection_str=url,
        initial_backoff_seconds=0.05,
        max_backoff_seconds=0.2,
        settings=settings,
    )


@pytest.fixture
async def make_manager(redis_server: "RedisServer") -> AsyncIterator["ManagerFactory"]:
    """Connected managers (on the session server unless ``url=`` says otherwise), closed at teardown."""
    created: List[RedisStreamManager] = []

    async def make(url: str = "", connect: bool = True, **settings: Any) -> RedisStreamManager:
        address = url or redis_server.url
        manager = RedisStreamManager(address=address, config=streams_config(address, **settings))
        created.append(manager)
        return await manager.connect() if connect else manager

    yield make
    for manager in created:
        await manager.close()
