"""Running a coroutine eagerly, in the caller, up to its first suspension.

Most ``async def`` steps never suspend: they compute, or await something already done. Run
eagerly, such a step costs what a plain function costs: no coroutine of the engine's own around
it, no timer for the event's time limit, nothing scheduled on the loop. A step that does suspend
goes on as an awaitable (``Resumed``) that the caller awaits, under the time limit, exactly as it
would have awaited the coroutine.
"""

from typing import Any, Coroutine, Generator

__all__ = ["Resumed", "step_eagerly"]


def step_eagerly(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run ``coro`` up to its end or its first suspension, in the calling frame.

    Returns its result when it ended, else ``Resumed`` (an instance, to tell the two apart cheaply
    with ``type(x) is Resumed``), which the caller awaits for the rest. Exceptions of the coroutine
    propagate from here. Call it from inside the task that will await the rest, so that the
    coroutine sees the same task and context variables as if it were awaited.
    """
    try:
        yielded = coro.send(None)
    except StopIteration as done:
        return done.value
    return Resumed(coro, yielded)


class Resumed:
    """Awaits the rest of a coroutine that already ran up to its first suspension.

    The task awaiting this sees what the coroutine yields (the future it waits on) and sends or
    throws into it exactly as if it awaited the coroutine itself: the delegation ``await`` does,
    picked up after the first yield. Awaited once.
    """

    __slots__ = ("coro", "yielded")

    def __init__(self, coro: Coroutine[Any, Any, Any], yielded: Any) -> None:
        self.coro = coro
        self.yielded = yielded

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, yielded = self.coro, self.yielded
        if coro is None:
            raise RuntimeError("a resumed coroutine can be awaited only once")
        self.coro = self.yielded = None  # type: ignore[assignment]  # hold nothing once awaited
        while True:
            try:
                sent = yield yielded
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # noqa: BLE001 - what the task throws in (a cancellation) goes on
                try:
                    yielded = coro.throw(exc)
                except StopIteration as done:
                    return done.value
            else:
                try:
                    yielded = coro.send(sent)
                except StopIteration as done:
                    return done.value

    def close(self) -> None:
        """Close the coroutine when the rest will never be awaited (no 'never awaited' warning)."""
        if self.coro is not None:
            self.coro.close()
            self.coro = self.yielded = None  # type: ignore[assignment]
