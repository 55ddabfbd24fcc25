from dataclasses import field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, AsyncIterator, List, Optional

import pytest
from hopeit.dataobjects import dataclass, dataobject
from hopeit.redis_storage import RedisStorage

if TYPE_CHECKING:  # imported for real by pytest_plugins, which must load it first (assertion rewriting)
    from hopeit.testing.redis import RedisServer

pytest_plugins = ["hopeit.testing.redis"]


@dataobject
@dataclass
class Detail:
    name: str
    values: List[int] = field(default_factory=list)


@dataobject(event_id="id", event_ts="ts")
@dataclass
class Something:
    id: str
    ts: Optional[datetime] = None
    details: List[Detail] = field(default_factory=list)


def something(item_id: str) -> Something:
    return Something(
        id=item_id, ts=datetime(2024, 3, 1, tzinfo=timezone.utc), details=[Detail("a", [1, 2]), Detail("b", [3])]
    )


@pytest.fixture
async def storage(redis_server: "RedisServer") -> AsyncIterator[RedisStorage[Something]]:
    store: RedisStorage[Something] = RedisStorage().connect(address=f"{redis_server.url}/0")
    await store._client().flushdb()
    yield store
    await store.close()
