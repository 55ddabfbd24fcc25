"""Consume: record every delivery of an item in this process's records file; poison items fail."""

import asyncio
import json
import os
from pathlib import Path

from hopeit.app.context import EventContext
from hopeit.dataobjects import dataclass, dataobject

from stream_app import Item

__steps__ = ["record"]


@dataobject
@dataclass
class ConsumeSettings:
    """``settings.consume``: where records go, and a pause per item (to hold messages pending)."""

    records_path: str
    delay_seconds: float = 0.0


async def record(payload: Item, context: EventContext) -> None:
    """Append ``{"id", "pid", "msg_id"}`` (O_APPEND: whole lines even if the process is killed)."""
    settings = context.settings(datatype=ConsumeSettings)
    if settings.delay_seconds:
        await asyncio.sleep(settings.delay_seconds)
    line = json.dumps({"id": payload.id, "pid": os.getpid(), "msg_id": context.track_ids.get("stream.msg_id")})
    path = Path(settings.records_path) / f"consumed-{os.getpid()}.jsonl"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)
    if payload.poison:
        raise ValueError(f"poison item {payload.id}: this event always fails on it")
