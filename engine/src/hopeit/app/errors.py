"""Errors an event raises to answer a request with 400 or 401.

They derive from ``BaseException``, as in hopeit.engine 0.24, so ``except Exception`` in steps
does not swallow them.
"""

import traceback
from dataclasses import dataclass
from typing import List

from hopeit.dataobjects import dataobject

__all__ = ["BadRequest", "ErrorInfo", "Unauthorized"]


@dataobject
@dataclass
class ErrorInfo:
    """Body of an error response: a message, and traceback lines when the server is set to show them."""

    msg: str
    tb: List[str]

    @staticmethod
    def from_exception(exc: BaseException, *, with_traceback: bool = True) -> "ErrorInfo":
        """``msg`` is ``str(exc)``; ``tb`` the exception-only traceback lines (or empty)."""
        lines = traceback.format_exception_only(type(exc), exc) if with_traceback else []
        return ErrorInfo(msg=str(exc), tb=lines)


class BadRequest(BaseException):
    """The request cannot be processed as sent: answered with 400."""

    ErrorInfo = ErrorInfo


class Unauthorized(BaseException):
    """The request lacks valid credentials: answered with 401."""

    ErrorInfo = ErrorInfo
