"""Requests aiohttp cannot parse: a short engine line now and then, not a traceback per request.

aiohttp answers a request it cannot parse (a request line or header over 8 KB, a bad header, a
body length that is not a number) with 400 itself, before any route runs, and logs "Error handling
request" with the parser's traceback at ERROR on ``aiohttp.server``. A server with no handler on
that logger prints it on stderr: any client could fill the console (and any log collected from
it) with tracebacks by sending such requests in a loop.

``MalformedRequests`` is a filter for that logger: records of the client's parse errors (status
below 500) are dropped, and one WARNING line per ``interval`` seconds tells the engine log what
was refused, from where, and how many more were since the last line. Server errors aiohttp logs
there still go through as they are.
"""

import logging
import time
from typing import Callable, Optional

from aiohttp.http_exceptions import HttpProcessingError

__all__ = ["AIOHTTP_SERVER_LOGGER", "MalformedRequests"]

#: the logger aiohttp reports request handling errors on
AIOHTTP_SERVER_LOGGER = "aiohttp.server"
#: characters of aiohttp's message kept in the line (it quotes up to 100 bytes of what was sent)
_MESSAGE_LIMIT = 200


class MalformedRequests(logging.Filter):
    """Drops aiohttp's records of client parse errors, reporting them at most once per ``interval`` seconds."""

    def __init__(
        self, report: Callable[[str], None], *, interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.report = report
        self.interval = interval
        self.clock = clock
        #: malformed requests seen since the last line
        self.unreported = 0
        self._last: Optional[float] = None

    def filter(self, record: logging.LogRecord) -> bool:
        """False (dropped) for a client's parse error; True for anything else."""
        exc = record.exc_info[1] if record.exc_info else None
        if not isinstance(exc, HttpProcessingError) or not 400 <= (exc.code or 0) < 500:
            return True
        self.unreported += 1
        now = self.clock()
        if self._last is None or now - self._last >= self.interval:
            self._last = now
            more = self.unreported - 1
            self.unreported = 0
            peer = record.args[0] if isinstance(record.args, tuple) and record.args else "unknown peer"
            message = " ".join(str(exc.message).split())[:_MESSAGE_LIMIT]
            line = f"Malformed HTTP request from {peer} answered {exc.code}: {type(exc).__name__}: {message}"
            if more:
                line += f" ({more} more since the last such line)"
            self.report(line)
        return False
