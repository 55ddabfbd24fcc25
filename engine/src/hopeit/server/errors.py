"""Traceback helpers for logs and error responses (``ErrorInfo`` itself is in ``hopeit.app.errors``)."""

import json
import traceback
from typing import List
from urllib.parse import quote

from hopeit.app.errors import BadRequest, ErrorInfo, Unauthorized

__all__ = ["BadRequest", "ErrorInfo", "Unauthorized", "format_exc", "json_exc"]


def format_exc(exc: BaseException) -> List[str]:
    """Full traceback lines of ``exc`` (what ``traceback.print_exception`` would print)."""
    return traceback.format_exception(type(exc), exc, exc.__traceback__)


def json_exc(exc: BaseException) -> str:
    """Traceback lines of ``exc`` as URL-quoted JSON: one token that fits in a log line."""
    return quote(json.dumps(format_exc(exc)))
