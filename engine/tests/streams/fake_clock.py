"""A clock that moves only when a test says so, for breakers and managers that take one."""

import asyncio


class FakeClock:
    """``now()`` to read the time, ``advance()`` to move it, ``sleep()`` to wait (moves it at once).

    A breaker given ``clock=fake.now, sleep=fake.sleep`` backs off in no real time at all, so tests
    assert what happens after a backoff without waiting for it.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.time = start
        self.slept = 0.0

    def now(self) -> float:
        """The current fake time (seconds)."""
        return self.time

    def advance(self, seconds: float) -> None:
        """Move time on by ``seconds``."""
        self.time += seconds

    async def sleep(self, seconds: float) -> None:
        """Move time on by ``seconds`` and give the event loop one turn."""
        seconds = max(0.0, seconds)
        self.time += seconds
        self.slept += seconds
        await asyncio.sleep(0)
