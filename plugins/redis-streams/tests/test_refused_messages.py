"""A stream decodes only the serializations its config allows: a forged pickle never runs.

The attack: anyone able to XADD to the stream writes a message whose ``ser`` says pickle and whose
payload's ``__reduce__`` runs code when loaded, naming a type the event reads.
"""

import pickle
from pathlib import Path
from typing import Any, Dict, Tuple

import redis.asyncio as aioredis
from hopeit.app.config import Serialization
from hopeit.streams import MessageRefusedError, StreamEvent
from hopeit.streams.messages import payload_type_name
from hopeit.streams.serialization import readable_serializations
from redis.typing import EncodableT, FieldT
from redis_streams_support import ManagerFactory, Minimal, publish, read, something


class Booby:
    """Pickles to ``open(marker, "w")``: loading it creates the file."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> Tuple[Any, Tuple[str, str]]:
        return (open, (self.marker, "w"))


def forged(marker: Path) -> Dict[FieldT, EncodableT]:
    """The fields of a message written by hand, as an attacker would: a type the event reads, a pickle payload."""
    return {
        "id": "x", "type": payload_type_name(Minimal), "submit_ts": "", "event_ts": "",
        "track.request_id": "evil\nline", "auth_info": b"", "ser": "pickle:4", "comp": "none",
        "payload": pickle.dumps(Booby(marker), protocol=4), "queue": "AUTO",
    }


async def test_forged_pickle_never_runs_and_is_dead_lettered(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str, tmp_path: Path
) -> None:
    """XADD of a pickle to a JSON stream: no code runs; the message is in '<stream>.dlq' with the reason,
    acknowledged, and the good messages after it are read."""
    marker = tmp_path / "pwned"
    manager = await make_manager(consumer_name="c")
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    forged_id = await raw.xadd(stream_name, forged(marker))
    await publish(manager, stream_name, [something(1), something(2)])

    items = await read(manager, stream_name, "g")

    assert not marker.exists(), "the pickle was loaded: code from the stream ran"
    refused, *rest = items
    assert isinstance(refused, MessageRefusedError) and refused.msg_id == forged_id
    assert "serialization 'pickle:4' is not allowed" in str(refused) and f"'{stream_name}.dlq'" in str(refused)
    assert [e.payload.value for e in rest if isinstance(e, StreamEvent)] == [1, 2]
    pending = await raw.xpending_range(stream_name, "g", min="-", max="+", count=10)
    assert forged_id not in [p["message_id"] for p in pending]  # acknowledged with its move to the dead letters
    ((_, dead),) = await raw.xrange(stream_name + ".dlq")
    assert dead[b"ser"] == b"pickle:4" and dead[b"dlq.msg_id"] == forged_id
    assert dead[b"dlq.stream"] == stream_name.encode() and dead[b"dlq.consumer_group"] == b"g"
    assert b"serialization 'pickle:4' is not allowed" in dead[b"dlq.reason"]
    assert dead[b"dlq.error"].startswith(b"MessageRefusedError: ")
    assert manager.stats()["dead_lettered"] == {stream_name: 1}
    assert await read(manager, stream_name, "g", timeout=20) == []  # not delivered again
    assert not marker.exists()


async def test_refused_on_redelivery_too(
    make_manager: ManagerFactory, raw: "aioredis.Redis", stream_name: str, tmp_path: Path
) -> None:
    """A forged pickle already pending (e.g. read by an older consumer) is refused when delivered again."""
    marker = tmp_path / "pwned"
    manager = await make_manager(consumer_name="c")
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    await raw.xadd(stream_name, forged(marker))
    await raw.xreadgroup("g", "c", {stream_name: ">"})  # pending for consumer c, as after a crash
    (refused,) = await read(manager, stream_name, "g")  # own pending list first
    assert isinstance(refused, MessageRefusedError) and not marker.exists()
    assert await raw.xlen(stream_name + ".dlq") == 1
    assert (await raw.xpending(stream_name, "g"))["pending"] == 0


async def test_pickle_is_read_where_the_config_asks_for_it(make_manager: ManagerFactory, stream_name: str) -> None:
    """Allowed pickle (the reading event's serialization is a pickle one) reads as in 0.24."""
    manager = await make_manager()
    await manager.ensure_consumer_group(stream_name=stream_name, consumer_group="g")
    manager.allow_serializations(
        stream_name=stream_name, consumer_group="g", serializations=readable_serializations(Serialization.PICKLE5)
    )
    await publish(manager, stream_name, [something(4)], serialization=Serialization.PICKLE4)
    (event,) = await read(manager, stream_name, "g")
    assert isinstance(event, StreamEvent) and event.payload == something(4)
