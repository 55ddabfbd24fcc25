# mypy: disable-error-code="arg-type, attr-defined, index, assignment, no-any-return"
# (mypy sees the fields of a @dataframe as row values, not columns: see the README, "Typing")
"""Dataframes through streams and SHUFFLE stages: saved once, a pointer on the wire, loaded by the reader.

Run through ``AppEngine`` on the embedded stream manager and on a real Redis.
"""

from pathlib import Path
from typing import AsyncIterator

import pytest
import redis.asyncio as aioredis
from conftest import parquet_files, readings_frame, request_context, start_engine
from df_app import Batch, Reading, Summary
from hopeit.app.config import Compression, Serialization
from hopeit.contracts.settings import StreamsConfig
from hopeit.dataframes import DataFrames
from hopeit.fs_storage import FileStorage
from hopeit.server.engine import AppEngine
from hopeit.server.serialization import deserialize
from hopeit.testing.redis import RedisServer


def batch(batch_id: str = "b1") -> Batch:
    return Batch(batch_id=batch_id, readings=DataFrames.from_df(Reading, readings_frame()))


async def summary(data_path: Path, key: str) -> Summary:
    found = await FileStorage(path=str(data_path / "summaries")).get(key, datatype=Summary)
    assert found is not None
    return found


async def test_stream_event_gets_the_dataframes_back(memory_engine: AppEngine, datasets: Path, data_path: Path) -> None:
    sent = batch()
    await memory_engine.execute(context=request_context(memory_engine, "ingest"), query_args=None, payload=sent)
    assert len(parquet_files(datasets)) == 1  # saved once, when written to the stream
    await memory_engine.read_stream(event_name="summarize", max_events=1, wait_start=False)
    assert await summary(data_path, "b1") == Summary(batch_id="b1", rows=4, total=3.0)


async def test_shuffle_stages_pass_dataframes(memory_engine: AppEngine, datasets: Path, data_path: Path) -> None:
    assert "pipeline$total" in memory_engine.effective_events
    await memory_engine.execute(context=request_context(memory_engine, "pipeline"), query_args=None, payload=batch("p"))
    assert len(parquet_files(datasets)) == 2  # readings and rejected of the split batch
    await memory_engine.read_stream(event_name="pipeline$total", max_events=1, wait_start=False)
    assert await summary(data_path, "p-pipeline") == Summary(batch_id="p", rows=3, total=5.0, rejected=1)


async def test_a_message_whose_dataset_is_gone_is_not_processed(
    memory_engine: AppEngine, datasets: Path, data_path: Path
) -> None:
    await memory_engine.execute(context=request_context(memory_engine, "ingest"), query_args=None, payload=batch())
    for path in parquet_files(datasets):
        path.unlink()
    await memory_engine.read_stream(event_name="summarize", max_events=1, wait_start=False)
    assert not (data_path / "summaries").exists() or not list((data_path / "summaries").iterdir())


@pytest.fixture
async def redis_engine(redis_server: RedisServer, datasets: Path, tmp_path: Path) -> AsyncIterator[AppEngine]:
    client = aioredis.Redis.from_url(redis_server.url)
    await client.flushall()
    await client.aclose()
    streams = StreamsConfig(stream_manager="redis", connection_str=redis_server.url, delay_auto_start_seconds=0)
    engine = await start_engine(tmp_path, streams)
    yield engine
    await engine.stop()


async def test_on_redis_only_a_pointer_travels(
    redis_engine: AppEngine, redis_server: RedisServer, datasets: Path, data_path: Path
) -> None:
    await redis_engine.execute(context=request_context(redis_engine, "ingest"), query_args=None, payload=batch("r"))
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        [(_, fields)] = await client.xrange("df_app.batches")
    finally:
        await client.aclose()
    assert fields[b"type"] == b"df_app.Batch_"
    body = await deserialize(fields[b"payload"], Serialization(fields[b"ser"].decode()),
                             Compression(fields[b"comp"].decode()), dict)
    assert body["batch_id"] == "r" and set(body["readings"]) == {"protocol", "partition_key", "key", "datatype"}
    assert len(fields[b"payload"]) < 400
    await redis_engine.read_stream(event_name="summarize", max_events=1, wait_start=False)
    assert await summary(data_path, "r") == Summary(batch_id="r", rows=4, total=3.0)
    await redis_engine.execute(context=request_context(redis_engine, "pipeline"), query_args=None, payload=batch("q"))
    await redis_engine.read_stream(event_name="pipeline$total", max_events=1, wait_start=False)
    assert await summary(data_path, "q-pipeline") == Summary(batch_id="q", rows=3, total=5.0, rejected=1)
