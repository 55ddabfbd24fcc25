"""Track ids of a new operation: the one place they are made.

A web request, a SETUP run and each item a SERVICE event yields start with a
``track.operation_id``, a ``track.request_id`` and a ``track.request_ts``; the web layer then adds
the ``X-Track-*`` headers of the request, and messages read from a stream carry the ids of the
request that wrote them (``hopeit.streams`` gives each its own ``track.operation_id``).

Ids and timestamps come from ``hopeit.dataobjects.ids``: cheap enough for every request (no
system call for randomness, no datetime object per id).
"""

import os
from typing import Dict

from hopeit.dataobjects.ids import new_id, utc_now_iso

__all__ = ["OPERATION_ID", "OTEL_ENV", "REQUEST_ID", "REQUEST_TS", "new_track_ids", "next_operation", "otel_enabled"]

#: Environment variable that turns on OpenTelemetry spans (``hopeit.server.otel``): ``1``/``true``/``yes``.
OTEL_ENV = "HOPEIT_OTEL"

OPERATION_ID = "track.operation_id"
REQUEST_ID = "track.request_id"
REQUEST_TS = "track.request_ts"


def new_track_ids() -> Dict[str, str]:
    """New ``track.operation_id`` and ``track.request_id``, and ``track.request_ts`` now (UTC ISO-8601)."""
    return {OPERATION_ID: new_id(), REQUEST_ID: new_id(), REQUEST_TS: utc_now_iso()}


def next_operation(track_ids: Dict[str, str]) -> Dict[str, str]:
    """A copy of ``track_ids`` with a new ``track.operation_id``: another operation of the same request."""
    return {**track_ids, OPERATION_ID: new_id()}


def otel_enabled() -> bool:
    """Whether events record OpenTelemetry spans: ``HOPEIT_OTEL`` set to ``1``, ``true`` or ``yes`` (any case).

    Read when an app engine starts. The W3C trace context travels either way; this adds the spans.
    """
    return os.environ.get(OTEL_ENV, "").strip().lower() in ("1", "true", "yes")
