import uuid
from typing import AsyncIterator, Awaitable, Callable, Iterator, List

import pytest
from hopeit.streams.memory import MemoryStreamManager


@pytest.fixture
def address() -> Iterator[str]:
    """A stream address of this test alone; its streams are dropped afterwards."""
    addr = f"memory-test-{uuid.uuid4()}"
    yield addr
    MemoryStreamManager.clear(addr)


ManagerFactory = Callable[[], Awaitable[MemoryStreamManager]]


@pytest.fixture
async def managers(address: str) -> AsyncIterator[ManagerFactory]:
    """Factory of connected memory managers sharing ``address`` (one consumer each), closed at teardown."""
    created: List[MemoryStreamManager] = []

    async def factory() -> MemoryStreamManager:
        manager = await MemoryStreamManager(address=address).connect()
        created.append(manager)
        return manager

    yield factory
    for manager in created:
        await manager.close()
