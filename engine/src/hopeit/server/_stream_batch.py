"""Processing of one batch read by a STREAM read loop (``hopeit.server.stream_loop``).

Every message of a batch runs its steps (in the loop's own task as far as they go without
waiting, then concurrently, within one ``stream.timeout``); those that succeeded are acknowledged
with one call per stream, and the stream manager hears why the others failed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, Union

from hopeit.app.config import ReadStreamDescriptor
from hopeit.app.context import EventContext
from hopeit.app.errors import BadRequest, Unauthorized
from hopeit.server._stream_tasks import all_done, cancel_tasks, new_task
from hopeit.server.coroutines import Resumed, step_eagerly
from hopeit.server.metrics import StreamStats, duration_ms, metrics, stream_metrics
from hopeit.server.steps import is_coroutine
from hopeit.server.stream_retries import RetryPolicy
from hopeit.streams import StreamEvent, stream_auth_info

if TYPE_CHECKING:  # pragma: no cover
    from hopeit.server.logger import EngineLoggerWrapper
    from hopeit.server.prometheus import StreamLoopMetrics
    from hopeit.server.stream_loop import StreamEngine

__all__ = ["BatchProcessing"]

#: The outcome of running the steps for one message of a batch: ``(stream name, item, context, ok,
#: result or, when not ok, the error)``; a plain tuple, as one is made for every message.
_Run = Tuple[str, Union[StreamEvent, Exception], Optional[EventContext], bool, Any]

#: What the steps of a message may raise: it fails that message (BadRequest/Unauthorized are BaseException).
_STEP_ERRORS = (Exception, asyncio.CancelledError, BadRequest, Unauthorized)


class BatchProcessing:
    """The batch processing of a ``StreamReadLoop``: a base class using the loop's attributes below."""

    engine: StreamEngine
    event_name: str
    read_stream: ReadStreamDescriptor
    stats: StreamStats
    logger: EngineLoggerWrapper
    _new_context: Callable[[Dict[str, str], Dict[str, Any]], EventContext]
    _log_info: bool
    metrics: Optional[StreamLoopMetrics] = None
    #: the event's retries (``hopeit.server.stream_retries``), None without
    _retry: Optional[RetryPolicy] = None
    #: retries made since the loop started
    retries: int = 0

    async def _process_batch(self, batch: List[Tuple[str, Union[StreamEvent, Exception]]]) -> List[Tuple[bool, Any]]:
        """Run the steps for every message of a batch, then acknowledge those that succeeded.

        The messages start in turn, in order, in the read loop's own task (``_start``), each as far
        as it goes without waiting: plain steps, and ``async def`` steps that await nothing slow,
        finish there with no task and no timer. The first message whose steps do wait is left for
        this task to finish; the messages after it start each in a task of its own
        (``_start_task``; begun at once where Python has eager tasks), because what a step begins
        before it waits (an ``asyncio.timeout``, a client's time limit) belongs to the task it runs
        in, so the rest of it must go on in that task. They all finish concurrently within one
        ``stream.timeout`` (``_finish_together``). An event with retries starts every message in
        a task of its own, whose attempts each have the ``stream.timeout`` (``_run_with_retries``).
        """
        self._log_info = self.logger.isEnabledFor(logging.INFO)  # once a batch: the level rarely changes
        runs: List[_Run] = []
        tasks: List[int] = []  # indexes of the runs holding a task
        parked = -1  # index of the run this task finishes
        try:
            for stream_name, item in batch:
                if parked < 0 and self._retry is None:
                    run = self._start(stream_name, item)
                    if run[3] and type(run[4]) is Resumed:
                        parked = len(runs)
                else:
                    run = self._start_task(stream_name, item)
                    if run[3]:
                        tasks.append(len(runs))
                runs.append(run)
            if parked >= 0 or tasks:
                await self._finish_together(runs, parked, tasks)
        except asyncio.CancelledError:  # nothing is acknowledged: every message not failed yet fails
            await self._cancel_tasks(runs, tasks)
            for i, (stream_name, item, context, ok, outcome) in enumerate(runs):
                if ok:
                    if type(outcome) is Resumed:  # its rest will never be awaited
                        outcome.close()
                    error = asyncio.CancelledError()
                    self._failed(context, item, error)  # type: ignore[arg-type]
                    runs[i] = stream_name, item, context, False, error
            raise
        acked = await self._ack(runs)
        await self._record_failures(runs)
        if self.metrics is not None:  # hopeit.server.prometheus: once a batch, and only when metrics are on
            self.metrics.count_batch(runs, acked)
        return [self._count(run, ok) for run, ok in zip(runs, acked)]

    def _start(self, stream_name: str, item: Union[StreamEvent, Exception]) -> _Run:
        """Run the steps for one message as far as they go without waiting, in this task.

        The run holds the result, or a ``Resumed`` to await for the rest when a step waited.
        """
        if isinstance(item, Exception):
            self.logger.error(self.event_name, item)
            self.stats.inc(error=True)
            return stream_name, item, None, False, None
        context = self._new_context(item.track_ids, stream_auth_info(item))
        if self._log_info:
            self.logger.start(context, extra={"stream.queue": item.queue})
        try:
            outcome = self.engine.start_event(context, item.payload, queue=item.queue, owned=True)
            if is_coroutine(outcome):  # the engine's chain or publishing, still to run: as far as it goes
                outcome = step_eagerly(outcome)
        except _STEP_ERRORS as exc:
            self._failed(context, item, exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
            return stream_name, item, context, False, exc
        return stream_name, item, context, True, outcome

    def _start_task(self, stream_name: str, item: Union[StreamEvent, Exception]) -> _Run:
        """Begin the steps for one message in a task of its own: a run holding the task."""
        if isinstance(item, Exception):
            return self._start(stream_name, item)
        context = self._new_context(item.track_ids, stream_auth_info(item))
        if self._log_info:
            self.logger.start(context, extra={"stream.queue": item.queue})
        if self._retry is not None:
            steps = self._run_with_retries(self._retry, stream_name, context, item)
        else:
            steps = self._run_steps(context, item)
        return stream_name, item, context, True, new_task(steps)

    async def _run_steps(self, context: EventContext, item: StreamEvent) -> Any:
        """The steps for one message, from start to end (in the task ``_start_task`` made for it)."""
        outcome = self.engine.start_event(context, item.payload, queue=item.queue, owned=True)
        if is_coroutine(outcome):
            return await outcome
        return outcome

    async def _run_with_retries(
        self, policy: RetryPolicy, stream_name: str, context: EventContext, item: StreamEvent
    ) -> Any:
        """The steps for one message, run again after a failure as ``policy`` says, each run within the time limit."""

        async def attempt() -> Any:
            # not owned: the engine copies the payload for each run, so a retry never sees what a failed one changed
            outcome = self.engine.start_event(context, item.payload, queue=item.queue, owned=False)
            if is_coroutine(outcome):
                return await self.engine.finish_event(outcome, context, stream=True)
            return outcome

        def on_retry(failed: int, delay: float, exc: BaseException) -> None:
            self.retries += 1
            if self.metrics is not None:
                self.metrics.count_retry(stream_name)
            self.logger.warning(
                context, f"Attempt {failed} of {policy.attempts} failed, retrying in {delay * 1000:.0f} ms: "
                f"{type(exc).__name__}: {exc}", extra={"extra": f"stream.queue={item.queue}"},
            )

        return await policy.call(attempt, on_retry)

    async def _finish_together(self, runs: List[_Run], parked: int, tasks: List[int]) -> None:
        """Finish the run ``parked`` (if any) in this task and the runs of ``tasks`` in theirs, within one deadline.

        The batch started together, so one ``stream.timeout`` serves every message of it: one
        timer, not one per message. The tasks still running when it passes are cancelled, and
        those messages (the parked one too, if it was still waiting) fail with the event's timeout
        error.
        """
        running = [runs[i][4] for i in tasks if not runs[i][4].done()]
        timed_out: Optional[BaseException] = None
        if parked >= 0 or running:
            finished: List[Tuple[bool, Any]] = []
            context = runs[parked if parked >= 0 else tasks[0]][2]
            assert context is not None
            every = self._await_all(runs, parked, running, finished)
            try:
                if self._retry is None:
                    await self.engine.finish_event(every, context, stream=True)
                else:  # each attempt of each message has the time limit, the delays between them do not count
                    await every
            except TimeoutError as exc:  # the event's time limit (the builtin error on every Python)
                timed_out = exc
                await cancel_tasks(running)
            if parked >= 0:
                stream_name, item, context, _, _ = runs[parked]
                ok, value = finished[0] if finished else (False, timed_out)
                if not ok:
                    self._failed(context, item, value)  # type: ignore[arg-type]
                runs[parked] = stream_name, item, context, ok, value
        for i in tasks:
            runs[i] = self._finished(runs[i], runs[i][4], timed_out)

    @staticmethod
    async def _await_all(
        runs: List[_Run], parked: int, running: List[asyncio.Task[Any]], finished: List[Tuple[bool, Any]]
    ) -> None:
        """Await the parked run's coroutine (its outcome goes to ``finished``), then every running task."""
        if parked >= 0:
            try:
                finished.append((True, await runs[parked][4]))
            except asyncio.CancelledError:
                raise  # the deadline, or the loop cancelled: not this message's own failure
            except _STEP_ERRORS as exc:
                finished.append((False, exc))
        await all_done(running)

    def _finished(self, run: _Run, task: asyncio.Task[Any], timed_out: Optional[BaseException]) -> _Run:
        """The run of a message from its finished task (a cancelled task failed by the timeout ``timed_out``)."""
        stream_name, item, context, _, _ = run
        assert context is not None and isinstance(item, StreamEvent)
        try:
            return stream_name, item, context, True, task.result()
        except asyncio.CancelledError as exc:  # cancelled by the timeout, or by its own steps
            error: BaseException = timed_out if timed_out is not None else exc
        except _STEP_ERRORS as exc:
            error = exc
        self._failed(context, item, error)
        return stream_name, item, context, False, error

    async def _cancel_tasks(self, runs: List[_Run], tasks: List[int]) -> None:
        """The loop is cancelled: cancel the messages' tasks, wait until they end, and fail those messages."""
        await cancel_tasks([runs[i][4] for i in tasks])
        for i in tasks:
            stream_name, item, context, ok, task = runs[i]
            if ok:
                error = (None if task.cancelled() else task.exception()) or asyncio.CancelledError()
                self._failed(context, item, error)  # type: ignore[arg-type]
                runs[i] = stream_name, item, context, False, error

    async def _ack(self, runs: List[_Run]) -> List[bool]:
        """Acknowledge the messages whose steps succeeded, one call per stream; True for each acked run."""
        manager = self.engine.stream_manager
        assert manager is not None
        by_stream: Dict[str, List[StreamEvent]] = {}
        for stream_name, item, _, ok, _ in runs:
            if ok:
                by_stream.setdefault(stream_name, []).append(item)  # type: ignore[arg-type]
        failed: Dict[str, BaseException] = {}
        for stream_name, events in by_stream.items():
            try:
                await manager.ack_read_stream_batch(
                    stream_name=stream_name, consumer_group=self.read_stream.consumer_group, stream_events=events
                )
            except (Exception, asyncio.CancelledError) as exc:  # noqa: BLE001 - each message is failed below
                failed[stream_name] = exc
        acked = []
        for stream_name, item, context, ok, _ in runs:
            error = failed.get(stream_name) if ok else None
            if error is not None:
                self._failed(context, item, error)  # type: ignore[arg-type]
            acked.append(ok and error is None)
        for error in failed.values():
            if isinstance(error, asyncio.CancelledError):
                raise error
        return acked

    async def _record_failures(self, runs: List[_Run]) -> None:
        """Tell the stream manager why messages failed, for their dead-letter entries should they end there."""
        manager = self.engine.stream_manager
        assert manager is not None
        by_stream: Dict[str, List[Tuple[StreamEvent, BaseException]]] = {}
        for stream_name, item, _, ok, error in runs:
            if not ok and isinstance(item, StreamEvent) and isinstance(error, BaseException):
                by_stream.setdefault(stream_name, []).append((item, error))
        for stream_name, failures in by_stream.items():
            try:
                await manager.record_failures(
                    stream_name=stream_name, consumer_group=self.read_stream.consumer_group, failures=failures
                )
            except Exception as exc:  # noqa: BLE001 - only the dead-letter detail is lost; the messages stay pending
                self.logger.warning(self.event_name, f"Cannot record failures of {stream_name}: {exc}")

    def _count(self, run: _Run, acked: bool) -> Tuple[bool, Any]:
        """Count and log DONE a message acknowledged; ``(ok, result)``."""
        _, item, context, _, result = run
        if not acked or context is None or isinstance(item, Exception):
            return False, None
        if self._log_info:
            done = metrics(context)
            self.stats.inc(duration_ms=done["metrics.duration"])
            self.logger.done(context, extra={"stream.queue": item.queue, **done, **stream_metrics(context)})
        else:
            self.stats.inc(duration_ms=duration_ms(context))
        return True, result

    def _failed(self, context: EventContext, item: StreamEvent, exc: BaseException) -> None:
        # not acked: the message stays pending for its group
        self.stats.inc(error=True)
        self.logger.error(context, exc)
        self.logger.failed(context, extra={"stream.queue": item.queue, **metrics(context)})
