"""Stream messages written by one engine and read by the other, on a real Redis, both directions.

legacy-app (``publish``, and ``spawn_shuffle`` through its SHUFFLE stage) runs on the writing
engine; legacy-consumer (a STREAM event storing what it reads, and ``list-stored``) on the reading
one. Every item must arrive once, equal to what was sent, for each compression and serialization.
"""

import json
from pathlib import Path
from typing import Any, List, Tuple

import aiohttp
import pytest
from engines import Engine
from hopeit.testing.waiting import wait_until
from http_cases import ROUTE, SOMETHING
from servers import LegacyServer

CONSUMER_ROUTE = "/api/legacy-consumer/1x0"

FORMATS = [("lz4", "json+base64"), ("none", "json"), ("zip", "json+base64")]


def sent_items() -> List[Tuple[str, Any]]:
    """(event, body) posted to the writer: two plain publishes and one spawn of three items."""
    return [
        ("publish", {**SOMETHING, "id": "p1"}),
        ("publish", {**SOMETHING, "id": "p2", "history": [SOMETHING["status"]]}),
        ("spawn-shuffle", {**SOMETHING, "id": "s"}),
    ]


EXPECTED_IDS = ["p1", "p2", "s-0", "s-1", "s-2"]


@pytest.mark.parametrize("formats", FORMATS, ids=["+".join(f) for f in FORMATS])
@pytest.mark.parametrize("direction", ["0.24_to_ours", "ours_to_0.24"])
async def test_each_engine_reads_what_the_other_wrote(direction: str, formats: Tuple[str, str], oracle: Engine,
                                                      engine_ours: Engine, redis_url: str, tmp_path: Path) -> None:
    writer, reader = (oracle, engine_ours) if direction == "0.24_to_ours" else (engine_ours, oracle)
    stream = f"legacy.streams.{direction}.{'.'.join(formats)}"
    env = {"COMPAT_COMPRESSION": formats[0], "COMPAT_SERIALIZATION": formats[1]}
    producer = LegacyServer(writer, ["app-config"], workdir=tmp_path / "writer", redis_url=redis_url, stream=stream,
                            env=env).start()
    consumer = LegacyServer(reader, ["consumer-config"], workdir=tmp_path / "reader", redis_url=redis_url,
                            stream=stream, env=env).start()
    try:
        async with aiohttp.ClientSession() as session:
            for event, body in sent_items():
                async with session.post(f"{producer.base_url}{ROUTE}/{event}", json=body) as response:
                    assert response.status == 200, await response.text()

            async def stored() -> List[Any]:
                async with session.get(f"{consumer.base_url}{CONSUMER_ROUTE}/list-stored") as response:
                    assert response.status == 200, await response.text()
                    items: List[Any] = json.loads(await response.text())
                    return items if len(items) >= len(EXPECTED_IDS) else []

            items = await wait_until(stored, timeout=30, interval=0.2, what=f"{reader.name} stored every item")
    finally:
        producer.stop()
        consumer.stop()
    assert [item["id"] for item in items] == EXPECTED_IDS
    by_id = {item["id"]: item for item in items}
    assert by_id["p1"] == {**SOMETHING, "id": "p1", "history": []}
    assert by_id["p2"]["history"] == [SOMETHING["status"]]
    for i in range(3):
        assert by_id[f"s-{i}"]["status"] == {"ts": "2024-01-01T00:00:00+00:00", "type": "PROCESSED"}
        assert by_id[f"s-{i}"]["history"] == [SOMETHING["status"]]
