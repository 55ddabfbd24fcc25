"""A stream decodes only the serializations its config allows (architecture.md section 7).

The attack: a producer writes a pickle whose ``__reduce__`` runs code, to a stream whose readers
expect JSON. The reader must refuse it before decoding anything, dead-letter it with the reason,
and keep delivering the messages after it.
"""

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Tuple

import pytest
from hopeit.app.config import Compression, Serialization
from hopeit.dataobjects import dataobject
from hopeit.streams import MessageRefusedError, StreamEvent
from hopeit.streams.memory import MemoryStreamManager
from hopeit.streams.messages import decode_message, encode_message, payload_type_name
from hopeit.streams.serialization import readable_serializations

from .conftest import ManagerFactory
from .memory_support import AUTH, DATATYPES, GROUP, STREAM, TRACK, events, read, values, write
from .payloads import Plain


@dataobject
@dataclass
class Booby:
    """A data object whose pickle creates ``marker`` when loaded: what an attacker would send."""

    marker: str

    def __reduce__(self) -> Tuple[Any, Tuple[str, str]]:
        return (open, (self.marker, "w"))


async def write_pickle(manager: MemoryStreamManager, marker: Path) -> None:
    await manager.write_stream(
        stream_name=STREAM,
        queue="AUTO",
        payload=Booby(marker=str(marker)),
        track_ids=TRACK,
        auth_info=AUTH,
        compression=Compression.NONE,
        serialization=Serialization.PICKLE4,
    )


async def test_pickle_is_refused_dead_lettered_and_the_stream_flows(managers: ManagerFactory, tmp_path: Path) -> None:
    """A pickle message to a JSON stream never runs, goes to '<stream>.dlq' with the reason; the rest flows."""
    marker = tmp_path / "pwned"
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write_pickle(manager, marker)
    await write(manager, Plain(value=1), Plain(value=2))

    # the attacker names a type the event reads: the type check alone does not stop the pickle
    items = await manager.read_stream(
        stream_name=STREAM, consumer_group=GROUP, datatypes={**DATATYPES, payload_type_name(Booby): Booby},
        track_headers=[], offset=">", batch_size=10, timeout=10, batch_interval=0,
    )

    assert not marker.exists(), "the pickle was loaded: code from the stream ran"
    refused, *rest = items
    assert isinstance(refused, MessageRefusedError)
    assert "'pickle:4' is not allowed" in str(refused) and f"{STREAM}.dlq" in str(refused)
    assert values(rest) == [1, 2]
    # the refused message is acknowledged with its move to the dead letters: only the good ones wait for acks
    assert [p.msg_id for p in manager.pending(STREAM, GROUP)] == [e.msg_internal_id for e in events(rest)]

    (dead,) = manager.dead_letters(STREAM)
    assert dead["dlq.stream"] == STREAM and dead["dlq.consumer_group"] == GROUP
    assert dead["dlq.msg_id"] == refused.msg_id.decode()
    assert "serialization 'pickle:4' is not allowed" in str(dead["dlq.reason"])
    assert str(dead["dlq.error"]).startswith("MessageRefusedError: ")
    assert dead["ser"] == "pickle:4" and str(dead["type"]).endswith("Booby")
    assert not marker.exists()
    assert manager.stats()["dead_lettered"] == {STREAM: 1}


async def test_pickle_is_read_where_the_config_asks_for_it(managers: ManagerFactory, tmp_path: Path) -> None:
    """A reader allowed pickle (its event's stream serialization is a pickle one) decodes it, as 0.24 did."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    manager.allow_serializations(
        stream_name=STREAM, consumer_group=GROUP, serializations=readable_serializations(Serialization.PICKLE5)
    )
    await manager.write_stream(
        stream_name=STREAM, queue="AUTO", payload=Plain(value=7), track_ids=TRACK, auth_info=AUTH,
        compression=Compression.LZ4, serialization=Serialization.PICKLE4,
    )
    assert values(await read(manager)) == [7]
    assert manager.dead_letters(STREAM) == []


def test_readable_serializations() -> None:
    """JSON is always readable; pickle (every protocol) only when the configured serialization is a pickle."""
    json_only = {Serialization.JSON_UTF8, Serialization.JSON_BASE64}
    assert readable_serializations(None) == json_only
    assert readable_serializations(Serialization.JSON_BASE64) == json_only
    assert readable_serializations(Serialization.PICKLE3) == json_only | {
        Serialization.PICKLE3, Serialization.PICKLE4, Serialization.PICKLE5
    }


@pytest.mark.parametrize(
    "ser, shown",
    [
        (b"pickle:5", "'pickle:5' is not allowed"),
        (b"yaml", "'yaml' is unknown"),
        (b"evil\nline\x00", "'evil\\nline\\x00' is unknown"),
        (b"", "'' is unknown"),
    ],
    ids=["pickle", "unknown", "control-characters", "empty"],
)
def test_decoding_refuses_before_touching_the_payload(ser: bytes, shown: str) -> None:
    """The ``ser`` field is checked first: the payload is never handed to a decoder; values are escaped."""
    fields = {k.encode(): (v if isinstance(v, bytes) else str(v).encode()) for k, v in encode_message(
        payload=Plain(value=1), queue="AUTO", track_ids=TRACK, auth_info=AUTH,
        compression=Compression.NONE, serialization=Serialization.JSON_UTF8,
    ).items()}
    fields[b"ser"] = ser
    fields[b"payload"] = pickle.dumps(Booby(marker="/nonexistent/never"))
    result = decode_message(
        fields, msg_id=b"1-0", stream_name=STREAM, consumer_group=GROUP, datatypes=DATATYPES, track_headers=[]
    )
    assert isinstance(result, MessageRefusedError)
    assert shown in str(result) and "\n" not in str(result)


async def test_json_reader_still_reads_json(managers: ManagerFactory) -> None:
    """The default set changes nothing for JSON streams."""
    manager = await managers()
    await manager.ensure_consumer_group(stream_name=STREAM, consumer_group=GROUP)
    await write(manager, Plain(value=3))
    (event,) = await read(manager)
    assert isinstance(event, StreamEvent) and event.payload == Plain(value=3)
