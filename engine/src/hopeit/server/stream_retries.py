"""Retries of a STREAM event's steps for one message, with backoff, before the message fails.

An event's ``stream`` settings turn them on (0.24 had none: a failed message stayed pending)::

    "settings": {"my_event": {"stream": {"max_retries": 3, "retry_backoff_ms": 100, "retry_max_backoff_ms": 2000}}}

A message whose steps fail runs them again after 100 ms, then 200, then 400 (doubling, at most
``retry_max_backoff_ms``), each attempt from its own copy of the payload and within the event's
``stream.timeout``. A message that succeeds on a retry is acknowledged like any other; when every
attempt failed it fails as without retries: not acknowledged, its error recorded for the
dead-letter stream, FAILED logged. Each retry logs a WARNING naming the attempt, the delay and the
error. ``BadRequest`` and ``Unauthorized`` (the message itself is refused) and cancellation are
not retried.

The policies are tenacity's, imported only by events that have retries.
"""

from typing import Any, Awaitable, Callable, List, Optional, TypeVar

from hopeit.app.config import EventStreamConfig
from hopeit.app.errors import BadRequest, Unauthorized

__all__ = ["RetryPolicy"]

_T = TypeVar("_T")
#: called before each retry: ``(attempt that failed, 1-based; seconds until the next one; its error)``
OnRetry = Callable[[int, float, BaseException], None]


def _retriable(exc: BaseException) -> bool:
    """Failures of the steps: not a refused message, nor the loop being cancelled (BaseExceptions)."""
    return isinstance(exc, Exception) and not isinstance(exc, (BadRequest, Unauthorized))


class RetryPolicy:
    """How often and after which delays the steps of a failed message run again."""

    __slots__ = ("backoff", "max_backoff", "max_retries")

    def __init__(self, max_retries: int, backoff_ms: int, max_backoff_ms: int) -> None:
        if max_retries < 1:
            raise ValueError(f"stream.max_retries {max_retries}: give 1 or more (0 turns retries off)")
        if backoff_ms < 0 or max_backoff_ms < backoff_ms:
            raise ValueError(
                f"stream.retry_backoff_ms {backoff_ms} / retry_max_backoff_ms {max_backoff_ms}: give 0 or more "
                "milliseconds, the maximum at least the first delay"
            )
        self.max_retries = max_retries
        self.backoff = backoff_ms / 1000.0
        self.max_backoff = max_backoff_ms / 1000.0

    @classmethod
    def of(cls, config: EventStreamConfig) -> Optional["RetryPolicy"]:
        """The policy of an event's stream settings; None when it has no retries (``max_retries`` 0)."""
        if config.max_retries <= 0:
            return None
        return cls(config.max_retries, config.retry_backoff_ms, config.retry_max_backoff_ms)

    @property
    def attempts(self) -> int:
        """Runs of the steps at most: the first and the retries."""
        return self.max_retries + 1

    def delays(self) -> List[float]:
        """Seconds waited before each retry."""
        return [min(self.backoff * 2**n, self.max_backoff) for n in range(self.max_retries)]

    async def call(self, attempt: Callable[[], Awaitable[_T]], on_retry: OnRetry) -> _T:
        """``await attempt()`` until it succeeds or the retries are used up (its last error is raised)."""
        import tenacity  # only events with retries pay for the import

        def before_sleep(state: Any) -> None:
            delay = state.next_action.sleep if state.next_action is not None else 0.0
            on_retry(state.attempt_number, delay, state.outcome.exception())

        retrying = tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=tenacity.wait_exponential(multiplier=self.backoff, min=self.backoff, max=self.max_backoff),
            retry=tenacity.retry_if_exception(_retriable),
            reraise=True,
            before_sleep=before_sleep,
        )
        result: _T = await retrying(attempt)
        return result
