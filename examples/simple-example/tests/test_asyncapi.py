"""The AsyncAPI document of simple-example's streams: queues, SHUFFLE stages, consumer groups, plugin events.

Validated against the official AsyncAPI 3.0.0 JSON schema the engine's tests keep
(``engine/tests/data/asyncapi``).
"""

import json
from pathlib import Path
from typing import Any, Dict

import jsonschema
import pytest
from hopeit.server.asyncapi import asyncapi_document
from hopeit.server.config_files import load_config_files

EXAMPLE_DIR = Path(__file__).parent.parent
CONFIG = EXAMPLE_DIR / "config"
ASYNCAPI_SCHEMA = EXAMPLE_DIR.parent.parent / "engine" / "tests" / "data" / "asyncapi" / "asyncapi-3.0.0-schema.json"
APP = "simple_example.1x0"


@pytest.fixture
def document(monkeypatch: pytest.MonkeyPatch) -> Dict[str, Any]:
    monkeypatch.setenv("HOPEIT_REDIS_URL", "redis://:s3cret@localhost:6379/0")
    server_config, apps = load_config_files([CONFIG / "server-redis.json", CONFIG / "app-config.json"])
    return asyncapi_document(server_config, apps, title="simple-example streams", version="1.0")


def _receive(document: Dict[str, Any], event: str) -> Dict[str, str]:
    """Channel address -> consumer group of the receive operations of ``event``."""
    return {
        document["channels"][op["channel"]["$ref"].rsplit("/", 1)[1]]["address"]: op["x-hopeit-consumer-group"]
        for op in document["operations"].values() if op["x-hopeit-event"] == event and op["action"] == "receive"
    }


def _send(document: Dict[str, Any], event: str) -> Dict[str, Any]:
    """Channel address -> message names of the send operations of ``event``."""
    return {
        document["channels"][op["channel"]["$ref"].rsplit("/", 1)[1]]["address"]:
            [m["$ref"].rsplit("/", 1)[1] for m in op.get("messages", [])]
        for op in document["operations"].values() if op["x-hopeit-event"] == event and op["action"] == "send"
    }


def test_document_is_valid_asyncapi_3(document: Dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(json.loads(ASYNCAPI_SCHEMA.read_text()))
    assert [error.message for error in validator.iter_errors(document)] == []
    assert document["servers"]["streams"]["host"] == "localhost:6379"
    assert document["servers"]["streams"]["protocol"] == "redis"
    assert "s3cret" not in json.dumps(document)


def test_one_channel_per_stream_and_queue_shuffle_streams_internal(document: Dict[str, Any]) -> None:
    channels = {c["address"]: c for c in document["channels"].values()}
    assert set(channels) == {
        f"{APP}.streams.something_event", f"{APP}.streams.something_event.high-prio",
        f"{APP}.streams.process_events", f"{APP}.streams.process_events.high-prio",
        f"{APP}.collector.collect_spawn.check_ids", f"{APP}.shuffle.spawn_event.spawn_many_events",
        f"{APP}.shuffle.parallelize_event.fork_something", f"{APP}.shuffle.parallelize_event.process_first_part",
    }
    assert {address for address, c in channels.items() if c.get("x-hopeit-internal")} == {
        f"{APP}.collector.collect_spawn.check_ids", f"{APP}.shuffle.spawn_event.spawn_many_events",
        f"{APP}.shuffle.parallelize_event.fork_something", f"{APP}.shuffle.parallelize_event.process_first_part",
    }
    assert channels[f"{APP}.streams.something_event.high-prio"]["x-hopeit-queue"] == "high-prio"


def test_writers_and_what_they_write(document: Dict[str, Any]) -> None:
    # queues ["high-prio"] with DROP: only the queue's stream
    assert _send(document, "streams.something_event") == {f"{APP}.streams.something_event.high-prio": ["Something"]}
    # PROPAGATE from queues high-prio and AUTO: both streams
    assert _send(document, "streams.process_events") == {
        f"{APP}.streams.process_events.high-prio": ["SomethingStored"],
        f"{APP}.streams.process_events": ["SomethingStored"],
    }
    assert _send(document, "service.something_generator") == {f"{APP}.streams.something_event": ["Something"]}
    # SHUFFLE: the first stage writes the automatic stream, the last the configured one
    assert _send(document, "shuffle.parallelize_event") == {
        f"{APP}.shuffle.parallelize_event.fork_something": ["FirstPart", "SecondPart"]}
    assert _send(document, "shuffle.parallelize_event$process_first_part") == {
        f"{APP}.shuffle.parallelize_event.process_first_part": ["Something"]}
    assert _send(document, "shuffle.parallelize_event$update_status") == {
        f"{APP}.streams.process_events": ["SomethingStored"]}


def test_readers_and_their_consumer_groups(document: Dict[str, Any]) -> None:
    assert _receive(document, "streams.process_events") == {
        f"{APP}.streams.something_event.high-prio": f"{APP}.streams.process_events",
        f"{APP}.streams.something_event": f"{APP}.streams.process_events",
    }
    assert _receive(document, "storage.save_events_fs") == {
        f"{APP}.streams.process_events.high-prio": f"{APP}.storage.save_events_fs",
        f"{APP}.streams.process_events": f"{APP}.storage.save_events_fs",
    }
    assert _receive(document, "shuffle.spawn_event$update_status") == {
        f"{APP}.shuffle.spawn_event.spawn_many_events": f"{APP}.shuffle.spawn_event.update_status"}
    # the fs-storage plugin event listed in "dataobjects" reads SomethingStored
    save = next(op for op in document["operations"].values()
                if op["x-hopeit-event"] == "storage.save_events_fs" and op["action"] == "receive")
    assert "SomethingStored" in [m["$ref"].rsplit("/", 1)[1] for m in save["messages"]]
    # the fs-storage plugin app has no streams of its own
    assert {op["x-hopeit-app"] for op in document["operations"].values()} == {APP}
